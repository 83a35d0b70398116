#!/usr/bin/env bash
# The Kotlin bindings against a running kazashi-server, end to end on the JVM: the test
# (bindings/kotlin/tests/server/ServerE2eTest.kt) obtains a challenge over HTTP
# (java.net.http), signs it through the bindings' CardSession with the virtual card, posts the
# message and gets "logged_in"; the replay and a message for another relying party are
# rejected. This script builds and starts `kazashi-server --rp-id localhost
# --trust-virtual-card` on a free loopback port and passes its URL in KAZASHI_SERVER_URL; the
# test fails (never skips) without it.
#
# A Kotlin entry of its own (ServerE2eTestKt), not part of scripts/test-kotlin.sh's run: it
# needs a server and a JSON parser (org.json from Maven Central) the other binding tests do
# not. Installs what it needs: scripts/tools.sh (Kotlin, JNA) when its output is missing, and
# scripts/generate-bindings.sh when the bindings are missing or older than the library. Prints "server-e2e: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/host-library.sh
source scripts/lib/host-library.sh
# shellcheck source=lib/kazashi-server.sh
source scripts/lib/kazashi-server.sh

ORG_JSON_VERSION=20250517

[ -f target/tools/env.sh ] || scripts/tools.sh
source target/tools/env.sh
GENERATED=target/bindings/kotlin-jvm/jp/kazashi/kazashi_ffi.kt
# Generated from the library: regenerate when either is missing or the library is newer (a
# rebuilt library with old bindings fails with "undefined symbol").
if [ ! -f "$(kazashi_host_library dev)" ] || [ ! -f "$GENERATED" ] \
    || [ "$(kazashi_host_library dev)" -nt "$GENERATED" ]; then
    scripts/generate-bindings.sh
fi
ORG_JSON_JAR="$PWD/target/tools/jars/json-$ORG_JSON_VERSION.jar"
if [ ! -s "$ORG_JSON_JAR" ]; then
    echo "test-server-e2e: fetching org.json:json:$ORG_JSON_VERSION from Maven Central"
    mvn -q -B dependency:copy -Dartifact="org.json:json:$ORG_JSON_VERSION:jar" \
        -DoutputDirectory="$PWD/target/tools/jars" >/dev/null
fi

OUT=target/kotlin-tests
mkdir -p "$OUT"
CP="$JNA_JAR:$COROUTINES_JAR"
# The bindings jar as scripts/test-kotlin.sh builds it (shared, rebuilt when the source changed).
if [ ! -s "$OUT/bindings.jar" ] || ! cmp -s "$GENERATED" "$OUT/bindings.kt"; then
    "$KOTLINC" -Werror -nowarn -d "$OUT/bindings.jar" -classpath "$CP" "$GENERATED" 2>&1 | grep -v '^warning: unable to find kotlin-stdlib' || true
    cp "$GENERATED" "$OUT/bindings.kt"
fi
"$KOTLINC" -Werror -d "$OUT/server-e2e.jar" -classpath "$CP:$OUT/bindings.jar:$ORG_JSON_JAR" \
    bindings/kotlin/tests/TestRunner.kt bindings/kotlin/tests/server/ServerE2eTest.kt

# The workspace build every suite shares (scripts/lib/cargo.sh).
# shellcheck source=lib/cargo.sh
source scripts/lib/cargo.sh
kazashi_cargo test --quiet --no-run
LOG_DIR=target/artifacts/server-e2e
mkdir -p "$LOG_DIR"
kazashi_server_start "$(kazashi_target_dir)/debug/kazashi-server" "$LOG_DIR/server.log" \
    --rp-id localhost --trust-virtual-card

RUN_CP="$CP:$KOTLIN_STDLIB:$OUT/bindings.jar:$ORG_JSON_JAR:$OUT/server-e2e.jar"
status=0
java -Djna.library.path="$(kazashi_host_library_dir dev)" -cp "$RUN_CP" jp.kazashi.tests.ServerE2eTestKt \
    | tee "$LOG_DIR/kotlin.txt" || status=$?
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$LOG_DIR/kotlin.txt" | tail -1 || true)
echo "server-e2e: ${summary:-0 passed, 1 failed}"
[ -n "$summary" ] || status=1
exit "$status"
