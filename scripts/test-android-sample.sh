#!/usr/bin/env bash
# Tests the Android sample app (android/sample) on this machine, without an Android SDK or device:
#
#   1. compiles the sample's sources (activity, controller, the virtual-card half of the switch)
#      together with the shell's sources and the Android-flavoured bindings against the real
#      Android framework classes (org.robolectric:android-all) and androidx.lifecycle from Maven
#      Central, warnings as errors: what Gradle's :sample:compileDebugKotlin compiles, minus Gradle;
#   2. compiles the controller with the desktop-JVM bindings and runs its tests against the host
#      libkazashi_ffi with the virtual-card switch on: status, log in, sign a text (signatures
#      checked with java.security), a wrong PIN showing the catalogue's sentence, NFC off.
#
# The sample cannot be installed here (no Android SDK, emulator or device); Gradle builds its APK
# on CI (.github/workflows/android.yml).
#
# Expects scripts/tools.sh and scripts/generate-bindings.sh (default features: `testing`, so the
# bindings have VirtualCard) to have run. Prints "N passed, N failed" last; exits non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f target/tools/env.sh ]; then
    echo "test-android-sample: target/tools/env.sh is missing; run scripts/tools.sh first" >&2
    exit 1
fi
# shellcheck source=/dev/null
source target/tools/env.sh
# shellcheck source=lib/host-library.sh
source scripts/lib/host-library.sh

ANDROID_BINDINGS=android/kazashi/src/main/kotlin/jp/kazashi/kazashi_ffi.kt
JVM_BINDINGS=target/bindings/kotlin-jvm/jp/kazashi/kazashi_ffi.kt
HOST_LIB_DIR=$(kazashi_host_library_dir dev)
for f in "$ANDROID_BINDINGS" "$JVM_BINDINGS" "$(kazashi_host_library dev)"; do
    if [ ! -f "$f" ]; then
        echo "test-android-sample: $f is missing; run scripts/generate-bindings.sh first" >&2
        exit 1
    fi
done
if ! grep -q '^open class VirtualCard\b' "$ANDROID_BINDINGS"; then
    echo "test-android-sample: the bindings have no VirtualCard; run scripts/generate-bindings.sh with KAZASHI_FFI_FEATURES=testing (the default)" >&2
    exit 1
fi

# Maven Central artifacts the sample compiles against (versions as in android/sample/build.gradle.kts).
JARS=target/tools/jars
ANNOTATION_VERSION=1.9.1
LIFECYCLE_VERSION=2.8.7
fetch() { # groupId:artifactId:version:packaging -> the file in $JARS
    local coordinates=$1 file=$2
    if [ ! -s "$JARS/$file" ]; then
        echo "test-android-sample: fetching $coordinates from Maven Central"
        mvn -q -B dependency:copy -Dartifact="$coordinates" -DoutputDirectory="$JARS" >/dev/null
    fi
}
fetch "androidx.annotation:annotation-jvm:$ANNOTATION_VERSION:jar" "annotation-jvm-$ANNOTATION_VERSION.jar"
fetch "androidx.lifecycle:lifecycle-common-jvm:$LIFECYCLE_VERSION:jar" "lifecycle-common-jvm-$LIFECYCLE_VERSION.jar"
fetch "androidx.lifecycle:lifecycle-runtime-android:$LIFECYCLE_VERSION:aar" "lifecycle-runtime-android-$LIFECYCLE_VERSION.aar"
# kotlinc reads jars, not AARs: the AAR's classes.jar.
RUNTIME_JAR="$JARS/lifecycle-runtime-android-$LIFECYCLE_VERSION-classes.jar"
if [ ! -s "$RUNTIME_JAR" ]; then
    unzip -p "$JARS/lifecycle-runtime-android-$LIFECYCLE_VERSION.aar" classes.jar >"$RUNTIME_JAR"
fi
LIFECYCLE_CP="$JARS/lifecycle-common-jvm-$LIFECYCLE_VERSION.jar:$RUNTIME_JAR"

SHELL_SOURCES=(android/kazashi/src/main/kotlin/jp/kazashi/android/*.kt)
SAMPLE_MAIN=(android/sample/src/main/kotlin/jp/kazashi/sample/*.kt)
SAMPLE_VIRTUAL=(android/sample/src/virtualCard/kotlin/jp/kazashi/sample/*.kt)
SAMPLE_NO_VIRTUAL=(android/sample/src/noVirtualCard/kotlin/jp/kazashi/sample/*.kt)
SAMPLE_TESTS=(android/sample/src/jvmTest/kotlin/jp/kazashi/sample/*.kt)
OUT=target/android-sample
mkdir -p "$OUT"

# shellcheck source=lib/kotlin-compile.sh
source scripts/lib/kotlin-compile.sh
# shellcheck disable=SC2034 # read by kotlin-compile.sh
KAZASHI_SUITE=test-android-sample
compile() { kazashi_kotlin_compile "$@"; }
compiled_bindings() { kazashi_compiled_bindings "$@"; }

ANDROID_CP="$COROUTINES_JAR:$JNA_JAR:$ANDROID_ALL_JAR:$JARS/annotation-jvm-$ANNOTATION_VERSION.jar"
ANDROID_BINDINGS_CLASSES=$(compiled_bindings android "$ANDROID_BINDINGS" "$ANDROID_CP")
compile "shell + sample (virtual card) against android-all" kazashi-sample "$OUT/android" \
    "$ANDROID_BINDINGS_CLASSES:$ANDROID_CP:$LIFECYCLE_CP" \
    "${SHELL_SOURCES[@]}" "${SAMPLE_MAIN[@]}" "${SAMPLE_VIRTUAL[@]}"
compile "shell + sample (no virtual card) against android-all" kazashi-sample "$OUT/android-nfc-only" \
    "$ANDROID_BINDINGS_CLASSES:$ANDROID_CP:$LIFECYCLE_CP" \
    "${SHELL_SOURCES[@]}" "${SAMPLE_MAIN[@]}" "${SAMPLE_NO_VIRTUAL[@]}"
# The NFC-only half must not touch the testing API, or it would not compile against the
# shipping AAR (whose bindings have no VirtualCard).
# Code only: comment lines (//, /** and * continuation lines) may name the testing artifact.
if grep -nE '\b(VirtualCard|VirtualCardProfile|injectFault|LoginVerifier|verifySignedFile|verifyCertificate)\b' \
    "${SAMPLE_MAIN[@]}" "${SAMPLE_NO_VIRTUAL[@]}" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(//|/\*|\*)'; then
    echo "test-android-sample: the sample's main or noVirtualCard sources use the testing API (above)" >&2
    exit 1
fi
echo "test-android-sample: src/main and src/noVirtualCard use no testing-only API"

# 2. The controller and its tests with the desktop-JVM bindings, against the host library.
JVM_CP="$COROUTINES_JAR:$JNA_JAR:$ANDROID_ALL_JAR"
JVM_BINDINGS_CLASSES=$(compiled_bindings jvm "$JVM_BINDINGS" "$JVM_CP")
compile "sample controller + tests against JVM bindings" kazashi-sample-tests "$OUT/jvm" \
    "$JVM_BINDINGS_CLASSES:$JVM_CP:$LIFECYCLE_CP" \
    "${SHELL_SOURCES[@]}" "${SAMPLE_MAIN[@]}" "${SAMPLE_VIRTUAL[@]}" "${SAMPLE_TESTS[@]}"

java -Djna.library.path="$HOST_LIB_DIR" \
    -cp "$OUT/jvm:$JVM_BINDINGS_CLASSES:$KOTLIN_STDLIB:$COROUTINES_JAR:$JNA_JAR:$ANDROID_ALL_JAR:$LIFECYCLE_CP" \
    jp.kazashi.sample.SampleControllerTestsKt
