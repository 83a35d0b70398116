import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
    `maven-publish`
}

// What the native library and the bindings carry (bindings/ffi/Cargo.toml features): `default`,
// the card flows only, for the shipping AAR; `documents` adds CMS signing
// (`-Pkazashi.ffiFeatures=documents`); `testing` is the testing artifact with the virtual card and
// the verifier. The artifact's name says which: kazashi-android, kazashi-android-documents or
// kazashi-android-testing.
val ffiFeatures: String = providers.gradleProperty("kazashi.ffiFeatures").getOrElse("default")
val ffiFeatureList: List<String> = ffiFeatures.split(',').map { it.trim() }
val testingArtifact: Boolean = ffiFeatureList.any { it == "testing" || it == "virtual-card" }
val documentsArtifact: Boolean = !testingArtifact && ffiFeatureList.any { it == "documents" || it == "pdf" }
// The release workflow passes the tag's version (-Pkazashi.version=1.2.3).
val kazashiVersion: String = providers.gradleProperty("kazashi.version").getOrElse("0.0.0-SNAPSHOT")
val githubRepository: String = System.getenv("GITHUB_REPOSITORY") ?: "kazashi/kazashi"
val repositoryUrl = "https://github.com/$githubRepository"

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

    publishing {
        // The release variant, with a sources jar (the shell and the generated bindings).
        singleVariant("release") {
            withSourcesJar()
        }
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
    environment("KAZASHI_FFI_FEATURES", ffiFeatures)
    inputs.property("ffiFeatures", ffiFeatures)
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

// `gradle :kazashi:publishReleasePublicationToGitHubPackagesRepository -Pkazashi.version=…` (the
// release workflow) or `publishToMavenLocal` (try it in an app with mavenLocal()). The AAR holds
// classes.jar (the shell and the generated bindings), jni/<abi>/libkazashi_ffi.so for arm64-v8a,
// armeabi-v7a and x86_64, and proguard.txt (consumer-rules.pro); the POM names JNA and
// kotlinx-coroutines-android as compile dependencies (`api`).
publishing {
    publications {
        register<MavenPublication>("release") {
            groupId = "jp.kazashi"
            artifactId = when {
                testingArtifact -> "kazashi-android-testing"
                documentsArtifact -> "kazashi-android-documents"
                else -> "kazashi-android"
            }
            version = kazashiVersion
            afterEvaluate { from(components["release"]) }
            pom {
                name.set(
                    when {
                        testingArtifact -> "Kazashi for Android (testing: virtual card, verifier)"
                        documentsArtifact -> "Kazashi for Android (with CMS signing)"
                        else -> "Kazashi for Android"
                    },
                )
                description.set("My Number Card (JPKI) log-in, signing and card reading over Android NFC, with the Rust core.")
                url.set(repositoryUrl)
                // Dual-licensed, SPDX `MIT OR Apache-2.0`: either licence, at the user's option.
                licenses {
                    license {
                        name.set("MIT")
                        url.set("https://opensource.org/licenses/MIT")
                        comments.set("MIT OR Apache-2.0, at your option")
                    }
                    license {
                        name.set("Apache-2.0")
                        url.set("https://www.apache.org/licenses/LICENSE-2.0.txt")
                        comments.set("MIT OR Apache-2.0, at your option")
                    }
                }
                scm {
                    url.set(repositoryUrl)
                }
            }
        }
    }
    repositories {
        // GitHub Packages of the repository that runs the release workflow (GITHUB_REPOSITORY,
        // GITHUB_ACTOR and GITHUB_TOKEN are set there).
        maven {
            name = "GitHubPackages"
            url = uri("https://maven.pkg.github.com/$githubRepository")
            credentials {
                username = System.getenv("GITHUB_ACTOR")
                password = System.getenv("GITHUB_TOKEN")
            }
        }
    }
}
