#!/usr/bin/env bash
# Builds the Rust half of the Android library:
#   1. scripts/generate-bindings.sh: a host build of kazashi-ffi, from which uniffi generates
#      android/kazashi/src/main/kotlin/jp/kazashi/kazashi_ffi.kt (Android flavour);
#   2. cargo-ndk: libkazashi_ffi.so (release) for each ABI into android/kazashi/src/main/jniLibs/.
#
# Gradle's preBuild runs it (task :kazashi:buildRustAndroid); it also runs on its own.
#
# Needs: Rust with the Android targets
#   rustup target add aarch64-linux-android armv7-linux-androideabi x86_64-linux-android
# cargo-ndk (`cargo install cargo-ndk`), and an Android NDK r23 or later, found through
# ANDROID_NDK_HOME (or ANDROID_HOME/ndk/<version>).
set -euo pipefail
cd "$(dirname "$0")/.."

# What the app's library carries (bindings/ffi/Cargo.toml): `default`, the card flows only (the
# shipping library, 1.38 MB on the host with release-small: scripts/library-size.sh). Set
# KAZASHI_FFI_FEATURES=documents for CMS signing on the phone too (+0.25 MB), or testing for the
# virtual card and the verifier. The Kotlin bindings are generated with the same features, so
# they never name a missing symbol.
export KAZASHI_FFI_FEATURES="${KAZASHI_FFI_FEATURES:-default}"

ABIS=(arm64-v8a armeabi-v7a x86_64)
MIN_SDK=24 # android/kazashi/build.gradle.kts minSdk
JNI_LIBS=android/kazashi/src/main/jniLibs

if ! cargo ndk --version >/dev/null 2>&1; then
    echo "build-native: cargo-ndk is missing; install it with: cargo install cargo-ndk" >&2
    exit 1
fi

scripts/generate-bindings.sh

# 16 KB page alignment of the LOAD segments (required for apps on Google Play targeting
# Android 15+ on 16 KB-page devices). Passed through RUSTFLAGS on this command only: cargo-ndk
# always builds with --target, so the flags reach the Android libraries and not the host build
# scripts, and the host build above does not see them.
PAGE_SIZE_FLAGS="-C link-arg=-Wl,-z,max-page-size=16384"

TARGET_ARGS=()
for abi in "${ABIS[@]}"; do
    TARGET_ARGS+=(-t "$abi")
done

RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$PAGE_SIZE_FLAGS" \
    cargo ndk "${TARGET_ARGS[@]}" --platform "$MIN_SDK" -o "$JNI_LIBS" \
    build --release -p kazashi-ffi --features "$KAZASHI_FFI_FEATURES"

echo "build-native: $(find "$JNI_LIBS" -name 'libkazashi_ffi.so' | sort | tr '\n' ' ')"
