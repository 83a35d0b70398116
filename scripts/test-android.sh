#!/usr/bin/env bash
# Tests the Android shell (android/kazashi) on this machine, without an Android SDK or device:
#
#   1. compiles the shell's sources with the Android-flavoured bindings against the real Android
#      framework classes (org.robolectric:android-all), coroutines and JNA, warnings as errors:
#      what the Gradle build compiles, minus Gradle;
#   2. compiles the same sources with the desktop-JVM bindings and the unit tests, and runs them
#      against the host libkazashi_ffi (fake IsoDep links, the virtual card, JDK signature checks).
#
# Expects scripts/tools.sh and scripts/generate-bindings.sh to have run (this script builds no Rust).
# Fetches androidx.annotation (for the generated code's @RequiresApi) from Maven Central once.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f target/tools/env.sh ]; then
    echo "test-android: target/tools/env.sh is missing; run scripts/tools.sh first" >&2
    exit 1
fi
# shellcheck source=/dev/null
source target/tools/env.sh
# shellcheck source=lib/host-library.sh
source scripts/lib/host-library.sh

ANDROID_BINDINGS=android/kazashi/src/main/kotlin/jp/kazashi/kazashi_ffi.kt
JVM_BINDINGS=target/bindings/kotlin-jvm/jp/kazashi/kazashi_ffi.kt
# The debug host library generate-bindings.sh built (honours CARGO_TARGET_DIR; .so or .dylib).
HOST_LIB_DIR=$(kazashi_host_library_dir dev)
for f in "$ANDROID_BINDINGS" "$JVM_BINDINGS" "$(kazashi_host_library dev)"; do
    if [ ! -f "$f" ]; then
        echo "test-android: $f is missing; run scripts/generate-bindings.sh first" >&2
        exit 1
    fi
done

# The consumer R8 rules must keep the annotations JNA reads at run time (@Structure.FieldOrder in
# the generated bindings): R8 full mode strips them otherwise, and every call into the library
# fails in a minified app. No R8 here, so the rule file itself is checked.
check_consumer_rules() {
    local rules=android/kazashi/consumer-rules.pro
    if grep -q '@Structure.FieldOrder' "$ANDROID_BINDINGS" &&
        ! grep -Eq '^[[:space:]]*-keepattributes[[:space:]]+([^#]*[,[:space:]])?RuntimeVisibleAnnotations([,[:space:]]|$)' "$rules"; then
        echo "test-android: $rules lacks '-keepattributes RuntimeVisibleAnnotations'; the generated bindings use @Structure.FieldOrder, which R8 full mode would strip" >&2
        return 1
    fi
    if ! grep -Eq 'consumerProguardFiles\("consumer-rules.pro"\)' android/kazashi/build.gradle.kts; then
        echo "test-android: android/kazashi/build.gradle.kts does not publish consumer-rules.pro (consumerProguardFiles)" >&2
        return 1
    fi
    echo "test-android: consumer R8 rules keep RuntimeVisibleAnnotations (JNA's @Structure.FieldOrder)"
}
check_consumer_rules

ANNOTATION_VERSION=1.9.1
ANNOTATION_JAR="target/tools/jars/annotation-jvm-$ANNOTATION_VERSION.jar"
if [ ! -s "$ANNOTATION_JAR" ]; then
    echo "test-android: fetching androidx.annotation:annotation-jvm:$ANNOTATION_VERSION from Maven Central"
    mvn -q -B dependency:copy -Dartifact="androidx.annotation:annotation-jvm:$ANNOTATION_VERSION:jar" \
        -DoutputDirectory=target/tools/jars >/dev/null
fi

SHELL_SOURCES=(android/kazashi/src/main/kotlin/jp/kazashi/android/*.kt)
TEST_SOURCES=(android/kazashi/src/test/kotlin/jp/kazashi/android/*.kt)
OUT=target/android-shell
mkdir -p "$OUT"

# shellcheck source=lib/kotlin-compile.sh
source scripts/lib/kotlin-compile.sh
# shellcheck disable=SC2034 # read by kotlin-compile.sh
KAZASHI_SUITE=test-android
compile() { kazashi_kotlin_compile "$@"; }
compiled_bindings() { kazashi_compiled_bindings "$@"; }

# 1. What the Gradle build compiles: the shell with the Android-flavoured bindings, against the
#    Android framework classes.
ANDROID_CP="$COROUTINES_JAR:$JNA_JAR:$ANDROID_ALL_JAR:$ANNOTATION_JAR"
ANDROID_BINDINGS_CLASSES=$(compiled_bindings android "$ANDROID_BINDINGS" "$ANDROID_CP")
compile "shell against android-all + Android bindings" kazashi-android "$OUT/android" \
    "$ANDROID_BINDINGS_CLASSES:$ANDROID_CP" "${SHELL_SOURCES[@]}"

# 2. The shell and its unit tests with the desktop-JVM bindings, run against the host library.
JVM_CP="$COROUTINES_JAR:$JNA_JAR:$ANDROID_ALL_JAR"
JVM_BINDINGS_CLASSES=$(compiled_bindings jvm "$JVM_BINDINGS" "$JVM_CP")
compile "shell + unit tests against JVM bindings" kazashi-android-tests "$OUT/jvm" \
    "$JVM_BINDINGS_CLASSES:$JVM_CP" "${SHELL_SOURCES[@]}" "${TEST_SOURCES[@]}"

java -Djna.library.path="$HOST_LIB_DIR" \
    -cp "$OUT/jvm:$JVM_BINDINGS_CLASSES:$KOTLIN_STDLIB:$COROUTINES_JAR:$JNA_JAR:$ANDROID_ALL_JAR" \
    jp.kazashi.android.TestMainKt
