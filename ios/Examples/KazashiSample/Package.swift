// swift-tools-version:5.10
//
// The Kazashi sample app for iOS (SwiftUI): status, log in, sign a text, with a virtual-card
// switch. See "Sample app" in ios/README.md.
//
// - KazashiSampleCore: the flows (no SwiftUI, no Core NFC; compiles on Linux too).
// - KazashiSampleUI: the SwiftUI screens and their model (`#if canImport(SwiftUI)`).
// - KazashiSample: the app (`@main`). `swift run KazashiSample` opens it on a Mac (virtual card
//   only); for a phone, add KazashiSampleUI to an iOS app target in Xcode with
//   ../Info-NFC.plist and ../KazashiExample.entitlements (ios/README.md gives the steps).
//
// The virtual card exists only in the testing build of the library: build the XCFramework with
// `KAZASHI_FFI_FEATURES=testing ios/build-xcframework.sh` and set KAZASHI_SAMPLE_VIRTUAL_CARD=1
// when building the sample; without it the switch is hidden and only Core NFC is used.

import Foundation
import PackageDescription

let virtualCard = ProcessInfo.processInfo.environment["KAZASHI_SAMPLE_VIRTUAL_CARD"] == "1"
let sampleSwiftSettings: [SwiftSetting] = virtualCard ? [.define("KAZASHI_VIRTUAL_CARD")] : []

let package = Package(
    name: "KazashiSample",
    platforms: [
        .iOS(.v15),
        .macOS(.v12),
    ],
    products: [
        .library(name: "KazashiSampleUI", targets: ["KazashiSampleUI"]),
        .executable(name: "KazashiSample", targets: ["KazashiSample"]),
    ],
    dependencies: [
        // The Kazashi package in ios/ (its identity is the folder's name, "ios"); an app outside
        // this repository uses the release URL instead (ios/README.md, "Adding it by URL").
        .package(path: "../.."),
    ],
    targets: [
        .target(
            name: "KazashiSampleCore",
            dependencies: [
                .product(name: "Kazashi", package: "ios"),
                .product(name: "KazashiNFC", package: "ios"),
            ],
            path: "Sources/KazashiSampleCore"
        ),
        .target(
            name: "KazashiSampleUI",
            dependencies: ["KazashiSampleCore"],
            path: "Sources/KazashiSampleUI",
            swiftSettings: sampleSwiftSettings
        ),
        .executableTarget(
            name: "KazashiSample",
            dependencies: ["KazashiSampleUI"],
            path: "Sources/KazashiSample"
        ),
        .testTarget(
            name: "KazashiSampleTests",
            dependencies: ["KazashiSampleCore"],
            path: "Tests/KazashiSampleTests"
        ),
    ]
)
