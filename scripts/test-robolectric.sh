#!/usr/bin/env bash
# Runs the Android shell (android/kazashi) against Android's own NFC classes on the JVM, with
# Robolectric and without Gradle or an Android SDK:
#
#   - the shell's production sources, the desktop-JVM bindings and the Robolectric tests
#     (android/kazashi/src/testRobolectric) are compiled with kotlinc;
#   - JUnit 4 runs them (`@RunWith(RobolectricTestRunner::class)`, SDK 35) against the host
#     libkazashi_ffi: reader mode through NfcAdapter, real IsoDep objects whose transceive answers
#     come from the virtual card, and the documented repeatOnLifecycle pattern;
#   - the sample app (android/sample: src/main and src/virtualCard, against the same jars) is
#     compiled too, and SampleActivityTest starts its activity with Robolectric's
#     ActivityController and drives status, log-in and sign through its views on the virtual card;
#   - JaCoCo's agent records which lines of the shell's production sources ran, and the report
#     gives per-file line coverage (target/robolectric/coverage/).
#
# Robolectric, JUnit, kotlinx-coroutines-android, androidx.lifecycle and their transitive runtime
# dependencies are resolved by Maven from Maven Central once (android/robolectric/pom.xml pins
# them), and so are JaCoCo and the android-all-instrumented jar Robolectric would otherwise
# download at run time: Robolectric runs with robolectric.offline=true against the fetched jar.
# Later runs need no network.
#
# Expects scripts/tools.sh and scripts/generate-bindings.sh to have run (this script builds no
# Rust), like scripts/test-android.sh.
#
# Options: --with-unit-tests also runs the shell's desktop unit tests (what test-android.sh runs)
# under the same JaCoCo agent, so the coverage figures are those of both suites together.
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_UNIT_TESTS=false
SUITES="Robolectric"
for arg in "$@"; do
    case "$arg" in
        --with-unit-tests) WITH_UNIT_TESTS=true SUITES="Robolectric + unit" ;;
        *) echo "usage: $0 [--with-unit-tests]" >&2; exit 2 ;;
    esac
done

if [ ! -f target/tools/env.sh ]; then
    echo "test-robolectric: target/tools/env.sh is missing; run scripts/tools.sh first" >&2
    exit 1
fi
# shellcheck source=/dev/null
source target/tools/env.sh
# shellcheck source=lib/host-library.sh
source scripts/lib/host-library.sh

# What generate-bindings.sh wrote and built. KAZASHI_JVM_BINDINGS / KAZASHI_HOST_LIB_DIR point
# elsewhere (a library and bindings generated from it, kept out of the shared target/ while other
# builds replace it).
JVM_BINDINGS=${KAZASHI_JVM_BINDINGS:-target/bindings/kotlin-jvm/jp/kazashi/kazashi_ffi.kt}
HOST_LIB_DIR=${KAZASHI_HOST_LIB_DIR:-$(kazashi_host_library_dir dev)}
for f in "$JVM_BINDINGS" "$HOST_LIB_DIR/$(kazashi_host_library_name)" "$ANDROID_ALL_JAR"; do
    if [ ! -f "$f" ]; then
        echo "test-robolectric: $f is missing; run scripts/tools.sh and scripts/generate-bindings.sh first" >&2
        exit 1
    fi
done

# Pinned here: the SDK level is the one the tests' @Config names (Support.kt's SDK: 35, the module's
# compileSdk; Robolectric 4.14.1 runs it on Java 17) and the jar is the one Robolectric asks for
# at that level (its DefaultSdkProvider: 15-robolectric-12650502, instrumentation version 7).
# Robolectric also loads the framework resources from the highest SDK it supports, which is this
# one too, so one jar serves both.
ANDROID_ALL_INSTRUMENTED=15-robolectric-12650502-i7
JACOCO_VERSION=0.8.13

OUT=target/robolectric
JARS="$OUT/jars"
SDK_JARS="$OUT/android-all"
JACOCO="$OUT/jacoco"
POM=android/robolectric/pom.xml
mkdir -p "$JARS" "$SDK_JARS" "$JACOCO"

# 1. The jars, from Maven Central once. The resolved set is recorded with the pom's hash, so an
#    edited pom fetches again and an unchanged one never touches the network.
pom_key=$(sha256sum "$POM" | cut -c1-16)
if [ ! -f "$JARS/.complete-$pom_key" ]; then
    echo "test-robolectric: resolving $POM from Maven Central"
    rm -rf "$JARS" && mkdir -p "$JARS"
    mvn -q -B -Dstyle.color=never -f "$POM" dependency:copy-dependencies -DoutputDirectory="$PWD/$JARS" >/dev/null
    # Android libraries come as AARs: their classes are the classes.jar inside.
    for aar in "$JARS"/*.aar; do
        [ -e "$aar" ] || continue
        python3 -c 'import sys, zipfile; open(sys.argv[2], "wb").write(zipfile.ZipFile(sys.argv[1]).read("classes.jar"))' \
            "$aar" "${aar%.aar}.jar"
        rm "$aar"
    done
    touch "$JARS/.complete-$pom_key"
fi
maven_fetch() { # destination-dir file-name artifact-coordinates
    if [ ! -s "$1/$2" ]; then
        echo "test-robolectric: fetching $3 from Maven Central"
        mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$3" -DoutputDirectory="$PWD/$1" >/dev/null
    fi
}
# Robolectric's LocalDependencyResolver looks for <artifactId>-<version>.jar in
# robolectric.dependency.dir, which is exactly the name Maven gives it.
maven_fetch "$SDK_JARS" "android-all-instrumented-$ANDROID_ALL_INSTRUMENTED.jar" \
    "org.robolectric:android-all-instrumented:$ANDROID_ALL_INSTRUMENTED:jar"
maven_fetch "$JACOCO" "org.jacoco.agent-$JACOCO_VERSION-runtime.jar" "org.jacoco:org.jacoco.agent:$JACOCO_VERSION:jar:runtime"
maven_fetch "$JACOCO" "org.jacoco.cli-$JACOCO_VERSION-nodeps.jar" "org.jacoco:org.jacoco.cli:$JACOCO_VERSION:jar:nodeps"

LIB_CP=$(find "$JARS" -name '*.jar' | sort | tr '\n' ':')
LIB_CP=${LIB_CP%:}

# shellcheck source=lib/kotlin-compile.sh
source scripts/lib/kotlin-compile.sh
# shellcheck disable=SC2034 # read by kotlin-compile.sh
KAZASHI_SUITE=test-robolectric
compile() { kazashi_kotlin_compile "$@"; }

# 2. The generated bindings change only with the FFI: compiled once per hash of their text, the
#    classpath and the compiler.
COMPILE_CP="$JNA_JAR:$LIB_CP:$ANDROID_ALL_JAR"
BINDINGS_CLASSES=$(kazashi_compiled_bindings jvm "$JVM_BINDINGS" "$COMPILE_CP")

# 3. The shell's production sources on their own (the classes the coverage report reads), then
#    the tests against them (the unit tests only with --with-unit-tests); -Xfriend-paths lets the
#    tests see the shell's `internal` declarations, as Gradle's test source sets do.
SHELL_SOURCES=(android/kazashi/src/main/kotlin/jp/kazashi/android/*.kt)
TEST_SOURCES=(android/kazashi/src/testRobolectric/kotlin/jp/kazashi/android/robolectric/*.kt)
if $WITH_UNIT_TESTS; then TEST_SOURCES+=(android/kazashi/src/test/kotlin/jp/kazashi/android/*.kt); fi
compile "shell" kazashi-android "$OUT/shell-classes" "$BINDINGS_CLASSES:$COMPILE_CP" "${SHELL_SOURCES[@]}"
# The sample app with the virtual-card half of its switch (what Gradle builds with
# -Pkazashi.ffiFeatures=testing); androidx.lifecycle comes from the pom's jars.
SAMPLE_SOURCES=(android/sample/src/main/kotlin/jp/kazashi/sample/*.kt android/sample/src/virtualCard/kotlin/jp/kazashi/sample/*.kt)
compile "sample (virtual card)" kazashi-sample "$OUT/sample-classes" \
    "$OUT/shell-classes:$BINDINGS_CLASSES:$COMPILE_CP" "${SAMPLE_SOURCES[@]}"
compile "tests ($SUITES)" kazashi-android "$OUT/test-classes" \
    "$OUT/shell-classes:$OUT/sample-classes:$BINDINGS_CLASSES:$COMPILE_CP" -Xfriend-paths="$OUT/shell-classes" "${TEST_SOURCES[@]}"

# 4. Run, under JaCoCo's agent. Robolectric loads the framework from the instrumented jar,
#    offline, into its sandbox; the plain android-all at the end of the class path plays the part
#    of Gradle's android.jar (JUnit reads @Config, whose defaults name android.app classes, outside
#    the sandbox).
EXEC="$OUT/coverage/jacoco.exec"
rm -rf "$OUT/coverage" && mkdir -p "$OUT/coverage"
AGENT="-javaagent:$JACOCO/org.jacoco.agent-$JACOCO_VERSION-runtime.jar=destfile=$EXEC,append=true,inclnolocationclasses=true,includes=jp.kazashi.android.*,excludes=jp.kazashi.android.robolectric.*"
RUN_CP="$OUT/shell-classes:$OUT/sample-classes:$OUT/test-classes:$BINDINGS_CLASSES:$KOTLIN_STDLIB:$JNA_JAR:$LIB_CP:$ANDROID_ALL_JAR"
status=0
if $WITH_UNIT_TESTS; then
    echo "test-robolectric: the desktop unit tests (as test-android.sh), for coverage"
    java "$AGENT" -Djna.library.path="$HOST_LIB_DIR" -cp "$RUN_CP" jp.kazashi.android.TestMainKt \
        >"$OUT/coverage/unit-tests.log" 2>&1 || { cat "$OUT/coverage/unit-tests.log"; status=1; }
    tail -n1 "$OUT/coverage/unit-tests.log"
fi
java "$AGENT" -Xmx1g \
    -Djna.library.path="$HOST_LIB_DIR" \
    -Drobolectric.offline=true \
    -Drobolectric.dependency.dir="$SDK_JARS" \
    -cp "$RUN_CP" jp.kazashi.android.robolectric.RobolectricMainKt 2>"$OUT/coverage/robolectric.stderr" |
    tee "$OUT/coverage/robolectric.log" || status=1
if [ "$status" -ne 0 ]; then
    echo "test-robolectric: the JVM's standard error:" >&2
    tail -n 40 "$OUT/coverage/robolectric.stderr" >&2
fi

# 5. Line coverage of the shell's production sources, per file, from JaCoCo's XML report.
java -jar "$JACOCO/org.jacoco.cli-$JACOCO_VERSION-nodeps.jar" report "$EXEC" \
    --classfiles "$OUT/shell-classes" --sourcefiles android/kazashi/src/main/kotlin \
    --xml "$OUT/coverage/coverage.xml" --html "$OUT/coverage/html" --quiet >/dev/null
echo "test-robolectric: line coverage of android/kazashi/src/main/kotlin/jp/kazashi/android by the $SUITES tests"
python3 - "$OUT/coverage/coverage.xml" <<'PY'
import sys
import xml.etree.ElementTree as ET

total = [0, 0]
for source in sorted(ET.parse(sys.argv[1]).iter("sourcefile"), key=lambda s: s.get("name")):
    lines = next((c for c in source.findall("counter") if c.get("type") == "LINE"), None)
    missed, covered = (int(lines.get("missed")), int(lines.get("covered"))) if lines is not None else (0, 0)
    total[0] += missed
    total[1] += covered
    n = missed + covered
    print(f"  {source.get('name'):28} {covered:4d}/{n:<4d} lines {100 * covered / n if n else 100:6.1f}%")
n = sum(total)
print(f"  {'all':28} {total[1]:4d}/{n:<4d} lines {100 * total[1] / n if n else 100:6.1f}%")
PY
# The runners' summary again, as the last line (CI reads it): the Robolectric tests, plus the unit
# tests when they ran here too.
summaries=("$OUT/coverage/robolectric.log")
if $WITH_UNIT_TESTS; then summaries+=("$OUT/coverage/unit-tests.log"); fi
passed=0
failed=0
for log in "${summaries[@]}"; do
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 || true)
    if [ -z "$line" ]; then
        echo "test-robolectric: no summary in $log" >&2
        failed=$((failed + 1))
        status=1
        continue
    fi
    read -r p _ f _ <<<"${line//,/}"
    passed=$((passed + p))
    failed=$((failed + f))
done
echo "$passed passed, $failed failed"
exit $status
