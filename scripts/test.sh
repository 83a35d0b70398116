#!/usr/bin/env bash
# Runs every test of the project, then prints the benchmarks:
#   1. Rust: unit, property, integration, CLI and OpenSSL cross-checks (cargo test);
#   2. the uniffi bindings: Kotlin on the desktop JVM through JNA (scripts/test-kotlin.sh);
#   3. the Android shell: compiled against the Android framework classes, unit-tested on the
#      JVM (scripts/test-android.sh);
#   4. the iOS shell: Swift syntax and API cross-check with tree-sitter (scripts/check-swift.sh);
#      the host library's name and directory per OS and CARGO_TARGET_DIR, as the build scripts
#      find it (scripts/test-host-library.sh);
#   5. the round-trip benchmark (APDUs and bytes per flow);
#   6. the real PC/SC stack: pcscd + vpcd with the virtual card, our CLI and OpenSC as clients
#      (scripts/test-pcsc.sh), run side by side with 2–4.
# Installs what it needs (OpenSSL's command line; kotlinc, JNA, android-all and tree-sitter into
# target/tools) from the package registries.
set -euo pipefail
cd "$(dirname "$0")/.."

# The independent tools the tests call, from Debian when missing: OpenSSL (signatures, chains,
# CMS), file(1) and OpenJPEG's opj_decompress (the virtual card's JPEG 2000 photo, as saved by
# `kazashi card-surface --photo-out`).
missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v file >/dev/null 2>&1 || missing+=(file)
command -v opj_decompress >/dev/null 2>&1 || missing+=(libopenjp2-tools)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing ${missing[*]} (independent checkers used by the tests)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# kazashi-pcsc and the CLI's `pcsc` feature link libpcsclite: libpcsclite-dev, pkg-config and
# the rest of the PC/SC rig's Debian packages, when missing.
./scripts/pcsc-rig.sh --install

# kazashi-ffi's tests need its testing artifact (virtual card, verifier, CMS signing).
cargo test --workspace --lib --bins --tests --features kazashi-ffi/testing
# The CLI again with its PC/SC feature (reader errors; the rig tests run in test-pcsc.sh).
cargo test -p kazashi-cli --features pcsc --test cli
cargo test --workspace --doc --features kazashi-ffi/testing

./scripts/tools.sh
./scripts/generate-bindings.sh

# The round-trip benchmark (counts, not timings), built like the tests.
cargo test -q -p kazashi --bench round_trips
# The challenge store's issue + spend rate at 1k, 100k and 1M outstanding (a report), run
# before the parallel part below so its figures are not shared with another suite's load.
cargo test -q -p kazashi-verify --bench challenge_store

# The JVM suites and the PC/SC rig share no service, port or output file: they run side by
# side (the JVM suites mostly use one core, the rig mostly waits on pcscd). The JVM suites'
# output is kept in a log and shown whole after the rig's, so each runner's closing line
# ("N passed, N failed") stays intact.
mkdir -p target/logs
jvm_log=target/logs/jvm-suites.log
(
    ./scripts/test-kotlin.sh
    ./scripts/test-android.sh
    ./scripts/check-swift.sh README.md
    ./scripts/test-host-library.sh
) >"$jvm_log" 2>&1 &
jvm_pid=$!

pcsc_status=0
./scripts/test-pcsc.sh || pcsc_status=$?

jvm_status=0
wait "$jvm_pid" || jvm_status=$?
cat "$jvm_log"
if [ "$pcsc_status" -ne 0 ] || [ "$jvm_status" -ne 0 ]; then
    echo "test.sh: PC/SC rig exit $pcsc_status, JVM and Swift suites exit $jvm_status" >&2
    exit 1
fi
