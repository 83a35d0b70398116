import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "jp.kazashi.android"
    compileSdk = 35

    defaultConfig {
        minSdk = 24
        // Keeps JNA and the generated bindings (reached by reflection) in apps that minify.
        consumerProguardFiles("consumer-rules.pro")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }

    sourceSets {
        getByName("main") {
            // The shell's sources and the generated jp/kazashi/kazashi_ffi.kt (the default
            // location, stated for readers).
            kotlin.srcDir("src/main/kotlin")
            // libkazashi_ffi.so per ABI, written by build-native.sh.
            jniLibs.srcDir("src/main/jniLibs")
        }
        getByName("test") {
            // src/test holds desktop-JVM tests that need the JVM-flavoured bindings and the host
            // libkazashi_ffi; scripts/test-android.sh compiles and runs them. Gradle's unit-test
            // classpath has neither, so it does not compile them.
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
    // `api`: the generated bindings expose JNA and coroutine types to apps.
    api("net.java.dev.jna:jna:5.19.1@aar")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.9.0")
    // @RequiresApi in the Android-flavoured bindings.
    implementation("androidx.annotation:annotation:1.9.1")
}

// The Rust side: regenerate the Kotlin bindings and build libkazashi_ffi.so for every ABI with
// cargo-ndk (android/build-native.sh documents the toolchain it needs).
// Relative to this module (not to the root project), so it also works when an app includes
// this module into its own build.
val repoRoot: File = layout.projectDirectory.asFile.parentFile.parentFile
val buildRust: Boolean = providers.gradleProperty("kazashi.buildRust").map { it.toBoolean() }.getOrElse(true)

val buildRustAndroid = tasks.register<Exec>("buildRustAndroid") {
    group = "kazashi"
    description = "Generates the Kotlin bindings and builds libkazashi_ffi.so per ABI (android/build-native.sh)."
    workingDir = repoRoot
    commandLine("bash", "android/build-native.sh")
    inputs.files(
        repoRoot.resolve("Cargo.toml"),
        repoRoot.resolve("Cargo.lock"),
        repoRoot.resolve("android/build-native.sh"),
        repoRoot.resolve("scripts/generate-bindings.sh"),
    )
    for (crate in listOf("iso7816", "certificate", "core", "documents", "verify", "virtual-card")) {
        inputs.dir(repoRoot.resolve(crate))
    }
    inputs.dir(repoRoot.resolve("bindings"))
    outputs.dir(layout.projectDirectory.dir("src/main/jniLibs"))
    outputs.file(layout.projectDirectory.file("src/main/kotlin/jp/kazashi/kazashi_ffi.kt"))
}

if (buildRust) {
    tasks.named("preBuild") { dependsOn(buildRustAndroid) }
}
