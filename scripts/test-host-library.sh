#!/usr/bin/env bash
# Tests scripts/lib/host-library.sh, the one place that knows where cargo puts the host
# kazashi-ffi library: its name on Linux (.so) and macOS (Darwin: .dylib), whatever this
# machine is, and the target directory with CARGO_TARGET_DIR set, unset, relative and
# absolute. Offline, no cargo, well under a second. Ends with "N passed, N failed"; exits
# non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/host-library.sh
source scripts/lib/host-library.sh

passed=0
failed=0

# check LABEL EXPECTED ENV-ASSIGNMENTS... -- COMMAND ARGS...: runs COMMAND in a subshell with
# CARGO_TARGET_DIR and CARGO_BUILD_TARGET_DIR cleared, then the given assignments applied.
check() {
    local label=$1 expected=$2
    shift 2
    local assignments=()
    while [ "$1" != "--" ]; do
        assignments+=("$1")
        shift
    done
    shift
    local actual status=0
    actual=$(
        unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
        for a in ${assignments[@]+"${assignments[@]}"}; do export "${a?}"; done
        "$@"
    ) || status=$?
    if [ "$status" -eq 0 ] && [ "$actual" = "$expected" ]; then
        passed=$((passed + 1))
        echo "ok    $label"
    else
        failed=$((failed + 1))
        echo "FAIL  $label: expected '$expected', got '$actual' (exit $status)"
    fi
}

# The library's name per OS.
check "Linux names the library .so" libkazashi_ffi.so -- kazashi_host_library_name Linux
check "macOS (Darwin) names the library .dylib" libkazashi_ffi.dylib -- kazashi_host_library_name Darwin
check "FreeBSD names the library .so" libkazashi_ffi.so -- kazashi_host_library_name FreeBSD
check "Windows (MSYS) names the library .dll" kazashi_ffi.dll -- kazashi_host_library_name MINGW64_NT-10.0
case "$(uname -s)" in
    Darwin) here=libkazashi_ffi.dylib ;;
    *) here=libkazashi_ffi.so ;;
esac
check "no OS given: this machine's ($(uname -s))" "$here" -- kazashi_host_library_name

# Profiles to directories.
check "dev profile builds into debug/" debug -- kazashi_profile_dir dev
check "release profile builds into release/" release -- kazashi_profile_dir release
check "release-bindgen builds into release-bindgen/" release-bindgen -- kazashi_profile_dir release-bindgen

# The whole path, per OS and CARGO_TARGET_DIR.
check "Linux, debug, CARGO_TARGET_DIR unset" target/debug/libkazashi_ffi.so \
    -- kazashi_host_library dev Linux
check "macOS, debug, CARGO_TARGET_DIR unset" target/debug/libkazashi_ffi.dylib \
    -- kazashi_host_library dev Darwin
check "Linux, release-bindgen, CARGO_TARGET_DIR unset" target/release-bindgen/libkazashi_ffi.so \
    -- kazashi_host_library release-bindgen Linux
check "macOS, release-bindgen, CARGO_TARGET_DIR unset" target/release-bindgen/libkazashi_ffi.dylib \
    -- kazashi_host_library release-bindgen Darwin
check "Linux, debug, CARGO_TARGET_DIR absolute" /var/cache/kz/debug/libkazashi_ffi.so \
    CARGO_TARGET_DIR=/var/cache/kz -- kazashi_host_library dev Linux
check "macOS, debug, CARGO_TARGET_DIR absolute" /Users/dev/build/debug/libkazashi_ffi.dylib \
    CARGO_TARGET_DIR=/Users/dev/build -- kazashi_host_library dev Darwin
check "macOS, release-bindgen, CARGO_TARGET_DIR with trailing slash" \
    /Users/dev/build/release-bindgen/libkazashi_ffi.dylib \
    CARGO_TARGET_DIR=/Users/dev/build/ -- kazashi_host_library release-bindgen Darwin
check "Linux, debug, CARGO_TARGET_DIR relative" ../shared-target/debug/libkazashi_ffi.so \
    CARGO_TARGET_DIR=../shared-target -- kazashi_host_library dev Linux
check "CARGO_TARGET_DIR set but empty: target/" target/debug/libkazashi_ffi.so \
    CARGO_TARGET_DIR= -- kazashi_host_library dev Linux
check "CARGO_BUILD_TARGET_DIR when CARGO_TARGET_DIR is unset" /tmp/b/debug/libkazashi_ffi.so \
    CARGO_BUILD_TARGET_DIR=/tmp/b -- kazashi_host_library dev Linux
check "CARGO_TARGET_DIR wins over CARGO_BUILD_TARGET_DIR" /tmp/a/debug/libkazashi_ffi.so \
    CARGO_TARGET_DIR=/tmp/a CARGO_BUILD_TARGET_DIR=/tmp/b -- kazashi_host_library dev Linux
check "the JNA directory follows CARGO_TARGET_DIR" /tmp/a/debug \
    CARGO_TARGET_DIR=/tmp/a -- kazashi_host_library_dir dev
check "the JNA directory, CARGO_TARGET_DIR unset" target/debug -- kazashi_host_library_dir dev
check "uniffi-bindgen's directory follows CARGO_TARGET_DIR" /tmp/a \
    CARGO_TARGET_DIR=/tmp/a -- kazashi_target_dir

# Cross targets (ios/build-xcframework.sh's static libraries).
check "iOS static library, CARGO_TARGET_DIR unset" target/aarch64-apple-ios/release/libkazashi_ffi.a \
    -- kazashi_target_library aarch64-apple-ios release libkazashi_ffi.a
check "iOS static library, CARGO_TARGET_DIR set" /Users/dev/build/aarch64-apple-darwin/release/libkazashi_ffi.a \
    CARGO_TARGET_DIR=/Users/dev/build -- kazashi_target_library aarch64-apple-darwin release libkazashi_ffi.a

# A missing argument is an error, not a path like target//libkazashi_ffi.so.
for call in "kazashi_host_library '' Linux" "kazashi_host_library_dir ''" "kazashi_profile_dir ''" \
    "kazashi_target_library aarch64-apple-ios '' libkazashi_ffi.a"; do
    if out=$(eval "$call" 2>/dev/null); then
        failed=$((failed + 1))
        echo "FAIL  $call is refused: it printed '$out'"
    else
        passed=$((passed + 1))
        echo "ok    $call is refused"
    fi
done

# No script may name the host library or cargo's target directory by hand again: the names
# below must only appear in scripts/lib/host-library.sh (and in comments).
offenders=$(grep -nE '^[^#]*(target/(debug|release|\$)|libkazashi_ffi\.(so|dylib)|\.so"|jna\.library\.path=target)' \
    scripts/generate-bindings.sh scripts/test-kotlin.sh scripts/test-android.sh \
    ios/build-xcframework.sh android/build-native.sh 2>/dev/null |
    grep -vE 'find "\$JNI_LIBS" -name .libkazashi_ffi\.so.' || true)
if [ -z "$offenders" ]; then
    passed=$((passed + 1))
    echo "ok    no script hard-codes the host library or target/<profile>"
else
    failed=$((failed + 1))
    echo "FAIL  hard-coded library paths (use scripts/lib/host-library.sh):"
    echo "$offenders" | sed 's/^/      /'
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
