#!/usr/bin/env bash
# Fuzzes the parsers, the protocol engine and the virtual card with cargo-fuzz (libFuzzer):
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]   a long run (300 s per target by default)
#   scripts/fuzz.sh --ci                               every target for 10 s (CI)
#
# Targets (fuzz/fuzz_targets/): apdu, card_responses, certificate, token_files, login_message,
# cms, virtual_card, card_info_files. Each starts from its committed seeds (fuzz/seeds/<target>/), copied into
# the working corpus fuzz/corpus/<target>/, which grows across runs (not committed); inputs
# under fuzz/regressions/<target>/ (ones that once failed) are run too. Limits: 10 s per
# input, 2 GB RSS, and no single allocation above 64 MiB (the targets' allocator aborts;
# libFuzzer's own 512 MB malloc limit needs a sanitizer). A crash, timeout or out-of-memory
# input is saved under fuzz/artifacts/<target>/ (with the log) and makes the script fail;
# reproduce it with `fuzz/target/<host>/release/<target> <file>`.
#
# Works on a stable toolchain: installs cargo-fuzz (pinned) into target/tools/cargo-fuzz when
# missing and builds without a sanitizer, which needs no nightly feature (the crates fuzzed
# have no unsafe code; panics, hangs and allocations are what libFuzzer catches here).
# FUZZ_SANITIZER=address builds with AddressSanitizer instead, through RUSTC_BOOTSTRAP=1 on
# stable, into its own target directory.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2
ALL_TARGETS=(apdu card_responses certificate token_files login_message cms virtual_card card_info_files)
SANITIZER="${FUZZ_SANITIZER:-none}"

ci=false
seconds=300
if [ "${1:-}" = "--ci" ]; then
    ci=true
    shift
elif [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    seconds=$1
    shift
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=("${ALL_TARGETS[@]}")
fi
for t in "${targets[@]}"; do
    [ -f "fuzz/fuzz_targets/$t.rs" ] || { echo "fuzz: unknown target $t (${ALL_TARGETS[*]})" >&2; exit 2; }
done

# Largest input per target: room for the seeds (certificates of about 1.6 KB, CMS files of
# about 2.7 KB, sessions with two certificates) and some growth, no more.
max_len() {
    case "$1" in
        apdu) echo 1024 ;;
        token_files) echo 512 ;;
        virtual_card) echo 2048 ;;
        certificate) echo 4096 ;;
        *) echo 8192 ;;
    esac
}

# The fuzz crate is outside the workspace, so `cargo fmt --all` does not see it.
if $ci; then
    cargo fmt --manifest-path fuzz/Cargo.toml -- --check
    # Ten seconds per target find crashes, not depth: optimise less (opt-level 1 instead of 3),
    # which roughly halves the instrumented build that CI runs beside its other stages.
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=1
fi

# cargo-fuzz, pinned, built without optimisation (it only drives cargo; that halves its build).
TOOLS="$PWD/target/tools/cargo-fuzz"
if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
    if [ "$("$TOOLS/bin/cargo-fuzz" --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
        echo "fuzz: installing cargo-fuzz $CARGO_FUZZ_VERSION into target/tools/cargo-fuzz"
        install_start=$SECONDS
        cargo install -q cargo-fuzz --locked --debug --version "$CARGO_FUZZ_VERSION" --root "$TOOLS"
        echo "fuzz: cargo-fuzz installed in $((SECONDS - install_start)) s"
    fi
    export PATH="$TOOLS/bin:$PATH"
fi

build_args=(--sanitizer "$SANITIZER")
target_dir="$PWD/fuzz/target"
if [ "$SANITIZER" != none ]; then
    export RUSTC_BOOTSTRAP=1 # -Zsanitizer on a stable compiler
    target_dir="$PWD/fuzz/target/$SANITIZER"
    build_args+=(--target-dir "$target_dir")
fi
host=$(rustc -vV | sed -n 's/^host: //p')
bin_dir="$target_dir/$host/release"

# One build for all targets: release code with debug assertions and overflow checks (the
# cargo-fuzz default without -O).
echo "fuzz: building ${#targets[@]} target(s) (sanitizer: $SANITIZER)"
build_start=$SECONDS
if [ ${#targets[@]} -eq ${#ALL_TARGETS[@]} ]; then
    cargo fuzz build "${build_args[@]}"
else
    for t in "${targets[@]}"; do cargo fuzz build "${build_args[@]}" "$t"; done
fi
echo "fuzz: built in $((SECONDS - build_start)) s"

# The last libFuzzer status line ("#N DONE cov: C ft: F corp: ..." or the last one before a
# crash) gives executions, edges covered and features.
libfuzzer_stat() { # log field
    grep -E '^#[0-9]+' "$1" | tail -n 1 | sed -nE "s/.*$2:? ([0-9]+).*/\1/p"
}

fuzz_start=$SECONDS
failed=0
passed=0
rows=()
for t in "${targets[@]}"; do
    secs=$seconds
    $ci && secs=10
    corpus="fuzz/corpus/$t"
    artifacts="fuzz/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    cp -n fuzz/seeds/"$t"/* "$corpus"/ 2>/dev/null || true
    # Inputs that once failed are read too (they must pass); new units go to the corpus.
    regressions=()
    [ -d "fuzz/regressions/$t" ] && regressions=("fuzz/regressions/$t")
    log="$artifacts/fuzz.log"
    echo "fuzz: $t for ${secs} s"
    rc=0
    # libFuzzer stops itself after max_total_time; the outer timeout only guards a hang
    # outside an input (libFuzzer's own -timeout covers those inside one).
    timeout --kill-after=10 $((secs + 120)) "$bin_dir/$t" \
        -max_total_time="$secs" -max_len="$(max_len "$t")" \
        -rss_limit_mb=2048 -malloc_limit_mb=512 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" \
        "$corpus" "${regressions[@]}" >"$log" 2>&1 || rc=$?
    execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
    [ -n "$execs" ] || execs=$(grep -E '^#[0-9]+' "$log" | tail -n 1 | sed -nE 's/^#([0-9]+).*/\1/p')
    cov=$(libfuzzer_stat "$log" cov)
    ft=$(libfuzzer_stat "$log" ft)
    files=$(find "$corpus" -type f | wc -l)
    if [ $rc -eq 0 ] && grep -qE '^#[0-9]+[[:space:]]+DONE ' "$log"; then
        result=ok
        passed=$((passed + 1))
    else
        if grep -q 'ERROR: libFuzzer: timeout' "$log"; then
            result=timeout
        elif grep -qE 'out-of-memory|malloc limit|an allocation above' "$log"; then
            result=oom
        elif grep -qE 'deadly signal|panicked|ERROR: AddressSanitizer' "$log"; then
            result=crash
        else
            result="failed (exit $rc)"
        fi
        failed=$((failed + 1))
        artifact=$(sed -nE 's/.*Test unit written to (.*)$/\1/p' "$log" | tail -n 1)
        echo "fuzz: $t: $result${artifact:+, input saved to $artifact}; log $log" >&2
        grep -E -m 5 'panicked|an allocation above|ERROR: libFuzzer|SUMMARY' "$log" >&2 || true
    fi
    rows+=("$(printf '%-15s %12s %8s %8s %8s  %s' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$files" "$result")")
done

echo
echo "fuzz: fuzzed for $((SECONDS - fuzz_start)) s"
printf '%-15s %12s %8s %8s %8s  %s\n' target executions cov ft corpus result
for row in "${rows[@]}"; do echo "$row"; done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
