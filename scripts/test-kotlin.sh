#!/usr/bin/env bash
# Compiles the generated desktop-JVM Kotlin bindings and runs the binding tests and the FFI
# round-trip benchmark (scripts/bench-ffi.sh; KAZASHI_FFI_BENCH=0 skips it) against the host
# library (JNA). Expects scripts/tools.sh and
# scripts/generate-bindings.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
source target/tools/env.sh
# shellcheck source=lib/host-library.sh
source scripts/lib/host-library.sh
# The debug host library generate-bindings.sh built (honours CARGO_TARGET_DIR; .so or .dylib).
HOST_LIB_DIR=$(kazashi_host_library_dir dev)
if [ ! -f "$(kazashi_host_library dev)" ]; then
    echo "test-kotlin: $(kazashi_host_library dev) is missing; run scripts/generate-bindings.sh first" >&2
    exit 1
fi

OUT=target/kotlin-tests
mkdir -p "$OUT"
CP="$JNA_JAR:$COROUTINES_JAR"
GENERATED=target/bindings/kotlin-jvm/jp/kazashi/kazashi_ffi.kt

# The bindings jar is rebuilt only when the generated source changed.
if [ ! -s "$OUT/bindings.jar" ] || ! cmp -s "$GENERATED" "$OUT/bindings.kt"; then
    "$KOTLINC" -Werror -nowarn -d "$OUT/bindings.jar" -classpath "$CP" "$GENERATED" 2>&1 | grep -v '^warning: unable to find kotlin-stdlib' || true
    cp "$GENERATED" "$OUT/bindings.kt"
fi
"$KOTLINC" -Werror -d "$OUT/tests.jar" -classpath "$CP:$OUT/bindings.jar" bindings/kotlin/tests/*.kt

RUN_CP="$CP:$KOTLIN_STDLIB:$OUT/bindings.jar:$OUT/tests.jar"
java -Djna.library.path="$HOST_LIB_DIR" -cp "$RUN_CP" jp.kazashi.tests.BindingsTestKt
# The FFI benchmark, unless the caller runs it later on a quiet machine (test.sh does:
# scripts/bench-ffi.sh after its parallel suites, whose load would swamp the figure).
if [ "${KAZASHI_FFI_BENCH:-1}" != 0 ]; then
    ./scripts/bench-ffi.sh
fi
