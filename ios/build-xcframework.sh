#!/usr/bin/env bash
# Builds ios/KazashiFFI.xcframework (the Rust core as static libraries for iOS devices, the iOS
# simulator and macOS, with the C header of its FFI) and generates the Swift API into
# ios/Sources/Kazashi/Kazashi.swift. Neither is committed; SwiftPM (ios/Package.swift) uses both.
#
# Needs macOS with Xcode (xcodebuild, lipo) and rustup. Run from anywhere:
#
#   ios/build-xcframework.sh            # release build (the workspace's release profile)
#   KAZASHI_OPT_LEVEL=z ios/build-xcframework.sh   # smaller binaries, slower RSA on the
#                                                  # virtual card (the real card does its own)
#
# Slices:
#   ios-arm64                      aarch64-apple-ios          (iPhone)
#   ios-arm64_x86_64-simulator     aarch64-apple-ios-sim + x86_64-apple-ios   (lipo)
#   macos-arm64_x86_64             aarch64-apple-darwin + x86_64-apple-darwin (lipo; swift test)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
# Cargo's target directory (CARGO_TARGET_DIR is honoured) and its layout.
# shellcheck source=../scripts/lib/host-library.sh
source scripts/lib/host-library.sh

CRATE=kazashi-ffi
LIB=libkazashi_ffi.a
OUT="$ROOT/ios/KazashiFFI.xcframework"
WORK="$ROOT/target/ios-xcframework"
HEADERS="$WORK/Headers"
SWIFT_OUT="$WORK/Sources"

IOS_TARGETS=(aarch64-apple-ios)
SIM_TARGETS=(aarch64-apple-ios-sim x86_64-apple-ios)
MAC_TARGETS=(aarch64-apple-darwin x86_64-apple-darwin)

# Match the platforms of ios/Package.swift, so the linker does not warn about objects built for
# newer OS versions than the app.
export IPHONEOS_DEPLOYMENT_TARGET=15.0
export MACOSX_DEPLOYMENT_TARGET=12.0
# Optional override of the release profile's opt-level without editing Cargo.toml.
if [ -n "${KAZASHI_OPT_LEVEL:-}" ]; then
    export CARGO_PROFILE_RELEASE_OPT_LEVEL="$KAZASHI_OPT_LEVEL"
fi

for tool in cargo rustup xcodebuild lipo; do
    command -v "$tool" >/dev/null || { echo "build-xcframework: $tool not found (macOS with Xcode and rustup needed)" >&2; exit 1; }
done

echo "==> Rust targets"
rustup target add "${IOS_TARGETS[@]}" "${SIM_TARGETS[@]}" "${MAC_TARGETS[@]}"

# What the app's library carries (bindings/ffi/Cargo.toml): `default`, the card flows only (the
# shipping library); KAZASHI_FFI_FEATURES=documents adds CMS signing, testing the virtual card and
# the verifier. The Swift bindings are generated from this very library, so they match its
# features.
KAZASHI_FFI_FEATURES="${KAZASHI_FFI_FEATURES:-default}"
echo "==> Building $CRATE (release, static library, features: $KAZASHI_FFI_FEATURES) for each target"
for target in "${IOS_TARGETS[@]}" "${SIM_TARGETS[@]}" "${MAC_TARGETS[@]}"; do
    echo "    $target"
    # Only the staticlib: the cdylib would be linked (with LTO) for nothing.
    cargo rustc -p "$CRATE" --lib --release --target "$target" --crate-type staticlib \
        --features "$KAZASHI_FFI_FEATURES"
done

rm -rf "$WORK" "$OUT"
mkdir -p "$WORK/ios" "$WORK/ios-simulator" "$WORK/macos" "$HEADERS" "$SWIFT_OUT"

echo "==> Combining slices"
cp "$(kazashi_target_library "${IOS_TARGETS[0]}" release "$LIB")" "$WORK/ios/$LIB"
# (Plain loops: macOS ships bash 3.2, without mapfile.)
SIM_LIBS=()
for target in "${SIM_TARGETS[@]}"; do SIM_LIBS+=("$(kazashi_target_library "$target" release "$LIB")"); done
MAC_LIBS=()
for target in "${MAC_TARGETS[@]}"; do MAC_LIBS+=("$(kazashi_target_library "$target" release "$LIB")"); done
lipo -create "${SIM_LIBS[@]}" -output "$WORK/ios-simulator/$LIB"
lipo -create "${MAC_LIBS[@]}" -output "$WORK/macos/$LIB"

echo "==> Generating the Swift API, the C header and the module map"
# The metadata in the library is the same on every architecture; any single-architecture slice
# will do. Run inside the workspace so bindings/ffi/uniffi.toml (module Kazashi, FFI module
# KazashiFFI) is found.
META_LIB="$(kazashi_target_library "${MAC_TARGETS[0]}" release "$LIB")"
BINDGEN=(cargo run -q -p uniffi-bindgen --bin uniffi-bindgen-swift --)
"${BINDGEN[@]}" "$META_LIB" "$SWIFT_OUT" --swift-sources
"${BINDGEN[@]}" "$META_LIB" "$HEADERS" --headers
# A plain `module KazashiFFI` in Headers/module.modulemap: the layout of
# `xcodebuild -create-xcframework -library ... -headers ...`. Without --module-name the module
# would be named after the library and the Swift file's `import KazashiFFI` would fail silently.
"${BINDGEN[@]}" "$META_LIB" "$HEADERS" --modulemap --module-name KazashiFFI --modulemap-filename module.modulemap
test -f "$HEADERS/KazashiFFI.h" && test -f "$HEADERS/module.modulemap" && test -f "$SWIFT_OUT/Kazashi.swift"

echo "==> Creating $OUT"
xcodebuild -create-xcframework \
    -library "$WORK/ios/$LIB" -headers "$HEADERS" \
    -library "$WORK/ios-simulator/$LIB" -headers "$HEADERS" \
    -library "$WORK/macos/$LIB" -headers "$HEADERS" \
    -output "$OUT"

mkdir -p ios/Sources/Kazashi
cp "$SWIFT_OUT/Kazashi.swift" ios/Sources/Kazashi/Kazashi.swift

echo "==> Done"
du -sh "$OUT"/* | sed 's/^/    /'
echo "    ios/Sources/Kazashi/Kazashi.swift"
