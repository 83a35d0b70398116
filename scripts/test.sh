#!/usr/bin/env bash
# Runs every test of the project, then prints the benchmarks:
#   1. Rust: unit, property, integration, CLI and OpenSSL cross-checks (cargo test);
#   2. the uniffi bindings: Kotlin on the desktop JVM through JNA (scripts/test-kotlin.sh);
#   3. the Android shell: compiled against the Android framework classes, unit-tested on the
#      JVM (scripts/test-android.sh), run under Robolectric with the real IsoDep and NfcAdapter
#      classes (scripts/test-robolectric.sh); the Android sample compiled the same way, its
#      controller tested on the JVM (scripts/test-android-sample.sh);
#   4. the iOS shell: Swift syntax and API cross-check with tree-sitter (scripts/check-swift.sh);
#      the host library's name and directory per OS and CARGO_TARGET_DIR, as the build scripts
#      find it (scripts/test-host-library.sh); the CI workflow files (scripts/check-workflows.sh);
#   5. the round-trip benchmark (APDUs and bytes per flow), the bindings' cost per APDU without
#      the FFI crossing (session_overhead) and, at the end on a quiet machine, with it
#      (scripts/bench-ffi.sh);
#   6. the real PC/SC stack: pcscd + vpcd with the virtual card, our CLI and OpenSC as clients
#      (scripts/test-pcsc.sh);
#   7. signed documents checked by software we did not write: PDF by pdfsig, pyHanko and qpdf
#      (scripts/test-pdf.sh); XML by xmlsec1, timestamps by `openssl ts` against a local TSA
#      (scripts/test-xml.sh);
#   8. the relying party's server: HTTP tests, two instances on one Redis, the OpenAPI document,
#      the load benchmark (scripts/test-server.sh); the demo portal in headless Chromium with the
#      CLI as the phone (scripts/test-portal.sh); the Kotlin binding as a client of a running
#      server (scripts/test-server-e2e.sh).
# 2–4, 6–7 and 8 run as three parallel groups: they share no service, port or output file.
# Installs what it needs (Debian packages; kotlinc, JNA, android-all, Robolectric and
# tree-sitter into target/tools; pyHanko and friends into target/tools/venv; playwright-core into
# target/tools/node_modules) from the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

# The independent tools the tests call, from Debian when missing: OpenSSL (signatures, chains,
# CMS), file(1) and OpenJPEG's opj_decompress (the virtual card's JPEG 2000 photo, as saved by
# `kazashi card-surface --photo-out`).
# The suites below install the rest of what they use themselves when run alone; here it is one
# apt run for all of them: Redis (the server's shared store), Chromium and zbar (the portal and
# its QR code), poppler, qpdf, NSS tools, Ghostscript and a Japanese font (PDF), xmlsec1 and
# libxml2 (XML; libclang for the libxml crate's build).
missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v file >/dev/null 2>&1 || missing+=(file)
command -v opj_decompress >/dev/null 2>&1 || missing+=(libopenjp2-tools)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
command -v pdfsig >/dev/null 2>&1 || missing+=(poppler-utils)
[ -d /usr/share/poppler/cMap/Adobe-Japan1 ] || missing+=(poppler-data)
command -v qpdf >/dev/null 2>&1 || missing+=(qpdf)
command -v certutil >/dev/null 2>&1 || missing+=(libnss3-tools)
command -v gs >/dev/null 2>&1 || missing+=(ghostscript)
fc-list :lang=ja 2>/dev/null | grep -q . || missing+=(fonts-ipafont-mincho)
command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
pkg-config --exists libxml-2.0 2>/dev/null || missing+=(libxml2-dev)
ls /usr/lib/llvm-*/lib/libclang.so* /usr/lib/x86_64-linux-gnu/libclang*.so* >/dev/null 2>&1 ||
    missing+=(libclang-dev)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} (independent checkers and services used by the tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# kazashi-pcsc and the CLI's `pcsc` feature link libpcsclite: libpcsclite-dev, pkg-config and
# the rest of the PC/SC rig's Debian packages, when missing.
./scripts/pcsc-rig.sh --install

# Every cargo command of the test command and its suites is `kazashi_cargo`: the whole workspace
# with one feature set (the bindings' testing artifact, XML, the CLI's PC/SC support), so each
# crate is compiled once (scripts/lib/cargo.sh says why).
# shellcheck source=lib/cargo.sh
source scripts/lib/cargo.sh

# timed LABEL COMMAND...: runs COMMAND, then prints how long it took, so a slow step shows in
# the log (CI has a time budget).
timed() {
    local label=$1 start=$SECONDS status=0
    shift
    "$@" || status=$?
    echo "test.sh: $label: $((SECONDS - start)) s (exit $status)"
    return "$status"
}

timed "cargo test" kazashi_cargo test --lib --bins --tests
timed "doc tests" kazashi_cargo test --doc

timed "tools" ./scripts/tools.sh
timed "bindings" ./scripts/generate-bindings.sh --test-build

# The round-trip benchmark (counts, not timings), built like the tests.
timed "round-trip benchmark" kazashi_cargo test -q --bench round_trips
# The challenge store's issue + spend rate at 1k, 100k and 1M outstanding (a report), run
# before the parallel part below so its figures are not shared with another suite's load.
timed "challenge-store benchmark" kazashi_cargo test -q --bench challenge_store
# The bindings' own cost per APDU, without the FFI crossing (test-kotlin.sh's FfiBench measures
# it with the crossing, against the same unoptimised library).
timed "session-overhead benchmark" kazashi_cargo test -q --bench session_overhead

# Three groups run side by side; each group's output goes to a log, shown whole at the end, so
# each runner's closing line ("N passed, N failed") stays intact:
# - the JVM suites and the Swift and workflow checks (mostly one core, JVM start-ups);
# - the server with Redis, the portal in Chromium, the Kotlin client of a running server (each
#   starts its own Redis or server on a free port);
# - the PC/SC rig (mostly waiting on pcscd), then the PDF and XML validators.
# The groups share no service, port or output file. The `kazashi` binary is rebuilt with other
# features by the PC/SC and XML suites; each feature set is a superset of the default one, so a
# suite that runs target/debug/kazashi meanwhile still finds every command it uses.
mkdir -p target/logs
jvm_log=target/logs/jvm-suites.log
server_log=target/logs/server-suites.log

# run_all SUITE... runs every suite even when one fails, names the failures, and fails if any did.
run_all() {
    local failed=() start=$SECONDS
    for suite in "$@"; do
        # shellcheck disable=SC2086 # a suite may carry its arguments ("check-swift.sh README.md")
        timed "$suite" $suite || failed+=("$suite")
    done
    if [ ${#failed[@]} -gt 0 ]; then
        echo "test.sh: failed: ${failed[*]} (group: $((SECONDS - start)) s)" >&2
        return 1
    fi
    echo "test.sh: group of $# suites: $((SECONDS - start)) s"
}

KAZASHI_FFI_BENCH=0 run_all ./scripts/test-kotlin.sh ./scripts/test-android.sh ./scripts/test-robolectric.sh \
    ./scripts/test-android-sample.sh "./scripts/check-swift.sh README.md" \
    ./scripts/test-host-library.sh ./scripts/check-workflows.sh >"$jvm_log" 2>&1 &
jvm_pid=$!
run_all ./scripts/test-server.sh ./scripts/test-portal.sh ./scripts/test-server-e2e.sh \
    >"$server_log" 2>&1 &
server_pid=$!

documents_status=0
run_all ./scripts/test-pcsc.sh ./scripts/test-pdf.sh ./scripts/test-xml.sh || documents_status=$?

server_status=0
wait "$server_pid" || server_status=$?
jvm_status=0
wait "$jvm_pid" || jvm_status=$?
cat "$server_log"
cat "$jvm_log"
# The FFI round-trip benchmark, now that nothing else runs (compiled by test-kotlin.sh above).
if [ "$jvm_status" -eq 0 ]; then
    timed "FFI benchmark" ./scripts/bench-ffi.sh
fi
if [ "$documents_status" -ne 0 ] || [ "$server_status" -ne 0 ] || [ "$jvm_status" -ne 0 ]; then
    echo "test.sh: PC/SC, PDF and XML exit $documents_status; server suites exit $server_status;" \
        "JVM, Swift and workflow suites exit $jvm_status" >&2
    exit 1
fi
