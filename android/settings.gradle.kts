// The Android library of Kazashi. Open this folder (android/) in Android Studio, or build with
// `gradle :kazashi:assembleRelease` (Gradle 8.10 or later; no wrapper is committed).
// See README.md for the Rust toolchain the build needs.

pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "kazashi-android"
include(":kazashi")
// The sample app (android/sample; see "Sample app" in README.md).
include(":sample")
