import org.jetbrains.kotlin.gradle.dsl.JvmTarget

// The Kazashi sample app: one activity (status, log in, sign a text) with a virtual-card switch.
//
// The virtual card exists only in the testing build of the library (`kazashi.ffiFeatures=testing`,
// i.e. the bindings and libkazashi_ffi.so built with the `testing` feature, or the
// `jp.kazashi:kazashi-android-testing` artifact). Build the sample with it:
//   gradle -Pkazashi.ffiFeatures=testing :sample:assembleDebug
// Without it (the default, what the shipping AAR `jp.kazashi:kazashi-android` carries) the sample
// reads real cards only and hides the switch: src/noVirtualCard replaces src/virtualCard.
// scripts/test-android-sample.sh compiles both halves against android-all and runs the controller's
// tests on the JVM; the APK itself is built by CI only (no Android SDK here).
plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

val ffiFeatures: String = providers.gradleProperty("kazashi.ffiFeatures").getOrElse("default")
val withVirtualCard: Boolean = ffiFeatures.split(',').map { it.trim() }.any { it == "testing" || it == "virtual-card" }

android {
    namespace = "jp.kazashi.sample"
    compileSdk = 35

    defaultConfig {
        applicationId = "jp.kazashi.sample"
        minSdk = 24
        targetSdk = 35
        versionCode = 1
        versionName = "1.0"
    }

    buildTypes {
        getByName("release") {
            // Minified like a shipping app, so the library's consumer R8 rules are exercised.
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
            // Unsigned; sign with your own key to install a release build.
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets {
        getByName("main") {
            kotlin.srcDir(if (withVirtualCard) "src/virtualCard/kotlin" else "src/noVirtualCard/kotlin")
        }
        getByName("test") {
            // src/jvmTest runs on the desktop JVM against the host library (test-android-sample.sh).
            java.setSrcDirs(emptyList<String>())
            kotlin.setSrcDirs(emptyList<String>())
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    // The library as a project; an app outside this repository uses
    // implementation("jp.kazashi:kazashi-android:<version>") (see android/README.md).
    implementation(project(":kazashi"))
    // repeatOnLifecycle / lifecycleScope (Maven Central since androidx.lifecycle 2.8).
    implementation("androidx.lifecycle:lifecycle-runtime-ktx:2.8.7")
}
