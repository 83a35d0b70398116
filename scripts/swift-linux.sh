#!/usr/bin/env bash
# Builds and tests the Swift package (ios/) on Linux with a Swift toolchain (5.10 or 6.x), against
# the host build of the Rust library: the generated bindings, the coordinator (ReaderCoordinator
# with a fake tag and sheet), the messages and their XCTests. Core NFC and the Security framework
# are absent there: the Core NFC adapter is `#if canImport(CoreNFC)`, and the tests check
# signatures with swift-crypto / swift-certificates (ios/Package.swift, `#if os(Linux)`).
#
# CI runs it in a `swift:5.10` and a `swift:6.0` container (.github/workflows/ios.yml). It cannot
# run on the machine this repository is developed on (no Swift toolchain); scripts/check-swift.sh
# is what runs there.
#
# Needs: swift, cargo (Rust), and network access for SwiftPM to fetch swift-crypto and
# swift-certificates. Builds the host library with the `testing` feature (the virtual card) via
# scripts/generate-bindings.sh, which also writes ios/Sources/Kazashi/Kazashi.swift and
# target/bindings/swift/KazashiFFI.h (the header ios/Linux/KazashiFFI/module.modulemap names).
#
# Usage: scripts/swift-linux.sh [extra `swift test` arguments, e.g. --filter ReaderCoordinatorTests]
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/host-library.sh
source scripts/lib/host-library.sh

if [ "$(uname -s)" != Linux ]; then
    echo "swift-linux: this script is for Linux; on macOS run ios/build-xcframework.sh and swift test in ios/" >&2
    exit 2
fi
if ! command -v swift >/dev/null 2>&1; then
    echo "swift-linux: no swift on PATH (install a toolchain from swift.org or use the swift:6.0 image)" >&2
    exit 2
fi
swift --version

KAZASHI_FFI_FEATURES=testing scripts/generate-bindings.sh
LIB_DIR="$(cd "$(kazashi_host_library_dir dev)" && pwd)"
test -f "$LIB_DIR/$(kazashi_host_library_name)" || { echo "swift-linux: no host library in $LIB_DIR" >&2; exit 1; }
test -f target/bindings/swift/KazashiFFI.h || { echo "swift-linux: no generated header" >&2; exit 1; }

LINK=(-Xlinker -L"$LIB_DIR" -Xlinker -rpath -Xlinker "$LIB_DIR")
cd ios
swift build --build-tests "${LINK[@]}"
# The tests find the library through the rpath; LD_LIBRARY_PATH as well, for the test runner.
LD_LIBRARY_PATH="$LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" swift test "${LINK[@]}" "$@" 2>&1 | tee ../target/swift-linux-test.log
# XCTest's summary line, e.g. "Executed 97 tests, with 0 failures (0 unexpected)".
summary=$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' ../target/swift-linux-test.log | tail -1)
echo "swift-linux: $summary"
failures=$(sed -E 's/.*with ([0-9]+) failure.*/\1/' <<<"$summary")
[ "$failures" = 0 ]

# The sample app's flows (its SwiftUI half is `#if canImport(SwiftUI)` and compiles to nothing here).
cd Examples/KazashiSample
KAZASHI_SAMPLE_VIRTUAL_CARD=1 LD_LIBRARY_PATH="$LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
    swift test "${LINK[@]}" 2>&1 | tee ../../../target/swift-linux-sample-test.log
summary=$(grep -E 'Executed [0-9]+ tests?, with [0-9]+ failures?' ../../../target/swift-linux-sample-test.log | tail -1)
echo "swift-linux: sample: $summary"
[ "$(sed -E 's/.*with ([0-9]+) failure.*/\1/' <<<"$summary")" = 0 ]
