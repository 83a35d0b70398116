#!/usr/bin/env bash
# The FFI round-trip benchmark (bindings/kotlin/tests/FfiBench.kt): µs per APDU from Kotlin into
# Rust and back through a Kotlin transceiver, against the debug host library (JNA). A report,
# not a test. Runs what scripts/test-kotlin.sh compiled; test.sh calls it once its parallel
# suites are done, so the figure is not shared with their load.
set -euo pipefail
cd "$(dirname "$0")/.."
source target/tools/env.sh
# shellcheck source=lib/host-library.sh
source scripts/lib/host-library.sh
OUT=target/kotlin-tests
if [ ! -s "$OUT/tests.jar" ]; then
    echo "bench-ffi: $OUT/tests.jar is missing; run scripts/test-kotlin.sh first" >&2
    exit 1
fi
RUN_CP="$JNA_JAR:$COROUTINES_JAR:$KOTLIN_STDLIB:$OUT/bindings.jar:$OUT/tests.jar"
java -Djna.library.path="$(kazashi_host_library_dir dev)" -cp "$RUN_CP" jp.kazashi.tests.FfiBenchKt
