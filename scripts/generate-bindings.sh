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
# Usage: scripts/generate-bindings.sh [--release]
set -euo pipefail
cd "$(dirname "$0")/.."

FEATURES="${KAZASHI_FFI_FEATURES:-testing}"
PROFILE=debug
if [ "${1:-}" = "--release" ]; then
    PROFILE=release
    cargo build -q -p kazashi-ffi --release --features "$FEATURES"
else
    cargo build -q -p kazashi-ffi --features "$FEATURES"
fi
cargo build -q -p uniffi-bindgen
LIB="target/$PROFILE/libkazashi_ffi.so"
BINDGEN=target/debug/uniffi-bindgen
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
