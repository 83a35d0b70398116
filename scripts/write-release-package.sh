#!/usr/bin/env bash
# Writes the Package.swift of a release to stdout: the manifest a consumer's SwiftPM reads when it
# adds this repository by URL. Run by .github/workflows/release.yml, which commits it at the
# repository root together with the generated ios/Sources/Kazashi/Kazashi.swift on the release
# commit (never on main), tags that commit and publishes the XCFramework zip as the release
# asset this manifest names. scripts/check-workflows.sh writes one with dummy values and parses it.
#
# Usage: scripts/write-release-package.sh VERSION ZIP_URL CHECKSUM
set -euo pipefail

if [ $# -ne 3 ]; then
    echo "usage: $0 VERSION ZIP_URL CHECKSUM" >&2
    exit 2
fi
version=$1 url=$2 checksum=$3
if ! [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]]; then
    echo "write-release-package: '$version' is not a semantic version (1.2.3)" >&2
    exit 2
fi
if ! [[ $checksum =~ ^[0-9a-f]{64}$ ]]; then
    echo "write-release-package: '$checksum' is not a SwiftPM checksum (64 hex digits, swift package compute-checksum)" >&2
    exit 2
fi
if ! [[ $url =~ ^https://[^\"[:space:]]+\.zip$ ]]; then
    echo "write-release-package: '$url' is not an https URL of a .zip" >&2
    exit 2
fi

cat <<SWIFT
// swift-tools-version:5.10
//
// Kazashi $version for iOS and macOS, as a consumer adds it by URL:
//     .package(url: "<this repository>", from: "$version")
// Written by scripts/write-release-package.sh for the release commit of $version. The Rust core is
// the prebuilt XCFramework of this release (default features: the card flows; no virtual card); the Swift API
// (ios/Sources/Kazashi/Kazashi.swift) was generated from that very library and is committed here.
// The generated Swift needs Swift 5.10 (Xcode 15.3) or newer.

import PackageDescription

let package = Package(
    name: "Kazashi",
    platforms: [
        .iOS(.v15),
        .macOS(.v12),
    ],
    products: [
        .library(name: "Kazashi", targets: ["Kazashi"]),
        .library(name: "KazashiNFC", targets: ["KazashiNFC"]),
    ],
    targets: [
        .binaryTarget(
            name: "KazashiFFI",
            url: "$url",
            checksum: "$checksum"
        ),
        .target(
            name: "Kazashi",
            dependencies: ["KazashiFFI"],
            path: "ios/Sources/Kazashi",
            linkerSettings: [.linkedFramework("Security")]
        ),
        .target(
            name: "KazashiNFC",
            dependencies: ["Kazashi"],
            path: "ios/Sources/KazashiNFC"
        ),
    ]
)
SWIFT
