# shellcheck shell=bash
# The one cargo invocation of the test command. Sourced by scripts/test.sh and every suite it
# runs.
#
# Why: cargo unifies the features of a dependency over the packages and targets a command
# selects. `cargo build -p kazashi-cli` and `cargo test --workspace` therefore build tokio, ureq,
# lopdf, clap and dozens more with different features, and each variant is compiled again (on
# two cores, minutes each time). Every build of the test command goes through `kazashi_cargo`:
# the whole workspace, all its test targets, one feature set, so each crate is compiled once and
# the later suites only run what is already built.
#
# The feature set: the bindings' testing artifact (virtual card, verifier, CMS and PDF) and XML
# (libxml2, which test.sh installs), the CLI's PC/SC reader support (libpcsclite) and XML, the
# server's XML verification.

KAZASHI_TEST_FEATURES="kazashi-ffi/testing,kazashi-ffi/xml,kazashi-cli/pcsc,kazashi-cli/xml,kazashi-server/xml"

# kazashi_cargo COMMAND [ARGS...]: `cargo COMMAND --workspace --features <the set> ARGS...`.
# `kazashi_cargo test --no-run` builds everything the suites run, including the `kazashi` and
# `kazashi-server` binaries. (`cargo test` builds libraries as rlibs only: the FFI's cdylib comes
# from `kazashi_cargo build --lib`, in generate-bindings.sh --test-build.)
kazashi_cargo() {
    local command=$1
    shift
    cargo "$command" --workspace --features "$KAZASHI_TEST_FEATURES" "$@"
}

# kazashi_bench NAME [ARGS...]: runs the bench target NAME (harness = false: it prints figures).
# By default it is built like the tests (the `test` profile: dependencies at opt-level 2, the
# workspace's own code unoptimised), which costs one binary; `cargo bench` would first compile
# every crate again in the optimised `bench` profile (minutes on two cores). Set
# KAZASHI_BENCH_PROFILE=bench for figures from a fully optimised build (the figures the docs
# quote are from that profile, as each benchmark's output says).
kazashi_bench() {
    local name=$1
    shift
    if [ "${KAZASHI_BENCH_PROFILE:-test}" = bench ]; then
        kazashi_cargo bench --bench "$name" "$@"
    else
        kazashi_cargo test --bench "$name" "$@"
    fi
}
