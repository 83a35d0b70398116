#!/usr/bin/env bash
# Builds kazashi-ffi for the host and generates the bindings from the built library into the
# places that use them. Generated code is never committed: this script recreates it on every
# test run, and the Android and iOS builds run it themselves.
#
#   target/bindings/kotlin-jvm/   desktop-JVM Kotlin (the JVM tests)
#   android/kazashi/src/main/kotlin/jp/kazashi/kazashi_ffi.kt   Android-flavoured Kotlin
#   ios/Sources/Kazashi/Kazashi.swift, target/bindings/swift/   Swift, C header, modulemap
#
# The bindings are generated from the library with every feature (`testing`: the card flows,
# CMS signing, the verifier and the virtual card), which is what the tests use; set
# KAZASHI_FFI_FEATURES (e.g. `documents`) to generate the API of a slimmer library instead.
#
# Usage: scripts/generate-bindings.sh [--release | --test-build]
#
# --test-build builds the library as part of the workspace with the test command's feature set
# (scripts/lib/cargo.sh), so it shares the test build's compiled dependencies; the bindings then
# also carry the `xml` feature's API.
# --release builds with the `release-bindgen` profile (Cargo.toml): the release profile without
# `strip`. uniffi-bindgen finds the API in the library's UNIFFI_META_* symbols, and the release
# profile's `strip = true` removes them ("No UniFFI metadata found"). A profile of its own rather
# than `-C strip=none` on a `cargo rustc` of the release profile: the unstripped library goes to
# target/release-bindgen/ and never replaces the stripped shipping library in target/release/
# (whose size is measured), and neither build invalidates the other's fingerprint.
#
# The library's name (.so on Linux, .dylib on macOS) and the target directory (CARGO_TARGET_DIR
# is honoured) come from scripts/lib/host-library.sh, tested by scripts/test-host-library.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/host-library.sh
source scripts/lib/host-library.sh

FEATURES="${KAZASHI_FFI_FEATURES:-testing}"
PROFILE=dev
case "${1:-}" in
    --release)
        PROFILE=release-bindgen
        cargo build -q -p kazashi-ffi --profile "$PROFILE" --features "$FEATURES"
        ;;
    --test-build)
        # The workspace's libraries with the test command's feature set: `cargo test` builds the
        # libraries as rlibs only, so the cdylib comes from this build.
        # shellcheck source=lib/cargo.sh
        source scripts/lib/cargo.sh
        # The same targets as the test build (libraries, binaries, tests), so cargo resolves the
        # same features (dev-dependencies' included) and finds every unit built: `cargo test`
        # already compiled the cdylib into deps/, this only copies it to target/debug/ (with
        # `--lib` alone, the features differ and dozens of crates are compiled again). The
        # workspace's uniffi-bindgen binary comes from the same build.
        kazashi_cargo build -q --lib --bins --tests
        ;;
    *)
        cargo build -q -p kazashi-ffi --profile "$PROFILE" --features "$FEATURES"
        ;;
esac
# With --test-build the bindgen binary is already built (above); `-p uniffi-bindgen` alone would
# resolve other features for its dependencies and compile them again.
[ "${1:-}" = "--test-build" ] || cargo build -q -p uniffi-bindgen
LIB="$(kazashi_host_library "$PROFILE")"
BINDGEN="$(kazashi_target_dir)/debug/uniffi-bindgen"
if [ ! -f "$LIB" ]; then
    echo "generate-bindings: cargo built kazashi-ffi but $LIB is missing" >&2
    exit 1
fi
# The generated sources are the project's own output, not cargo's: always under the repository's
# target/ (where test-kotlin.sh, test-android.sh and check-swift.sh read them).
OUT=target/bindings

rm -rf "$OUT/kotlin-jvm" "$OUT/kotlin-android" "$OUT/swift"
"$BINDGEN" generate "$LIB" --language kotlin --out-dir "$OUT/kotlin-jvm" --no-format
"$BINDGEN" generate "$LIB" --language kotlin --out-dir "$OUT/kotlin-android" --no-format \
    --config bindings/uniffi-android.toml
"$BINDGEN" generate "$LIB" --language swift --out-dir "$OUT/swift" --no-format

mkdir -p android/kazashi/src/main/kotlin/jp/kazashi ios/Sources/Kazashi
cp "$OUT/kotlin-android/jp/kazashi/kazashi_ffi.kt" android/kazashi/src/main/kotlin/jp/kazashi/
cp "$OUT/swift/Kazashi.swift" ios/Sources/Kazashi/
echo "bindings generated from $LIB"
