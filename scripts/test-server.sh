#!/usr/bin/env bash
# kazashi-server's suite: the HTTP tests (every verdict, the poll route, signed files, the real
# binary), the Redis tests (two real kazashi-server processes on one Redis, 100 concurrent
# verifications, Redis stopped and restarted), the OpenAPI check (openapi-spec-validator, and
# jsonschema over every answer the tests recorded), then the load benchmark's figures.
#
# Installs what it needs: redis-server from Debian, openapi-spec-validator and jsonschema from
# PyPI into target/tools/venv. Starts its own redis-server on a free 127.0.0.1 port with a
# temporary directory and no persistence, and stops it on exit.
#
# SERVER_BENCH=0 skips the benchmark (it builds the release profile).
set -euo pipefail
cd "$(dirname "$0")/.."

OPENAPI_SPEC_VALIDATOR_VERSION=0.9.0
JSONSCHEMA_VERSION=4.26.0

if ! command -v redis-server >/dev/null 2>&1; then
    echo "test-server: installing redis-server from Debian"
    apt-get update -qq
    apt-get install -y -qq redis-server >/dev/null
fi
VENV="$PWD/target/tools/venv"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c "import openapi_spec_validator, jsonschema" 2>/dev/null; then
    echo "test-server: installing openapi-spec-validator and jsonschema from PyPI"
    "$VENV/bin/pip" install -q "openapi-spec-validator==$OPENAPI_SPEC_VALIDATOR_VERSION" \
        "jsonschema==$JSONSCHEMA_VERSION"
fi

REDIS_DIR="$(mktemp -d)"
REDIS_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir "$REDIS_DIR" --daemonize no >"$REDIS_DIR/redis.log" 2>&1 &
REDIS_PID=$!
cleanup() {
    kill "$REDIS_PID" 2>/dev/null || true
    wait "$REDIS_PID" 2>/dev/null || true
    rm -rf "$REDIS_DIR"
}
trap cleanup EXIT
for _ in $(seq 1 100); do
    if redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then break; fi
    sleep 0.1
done
redis-cli -p "$REDIS_PORT" ping >/dev/null
export KAZASHI_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
echo "test-server: $(redis-server --version | cut -d' ' -f1-3) on $KAZASHI_TEST_REDIS_URL"

RESPONSES=target/tmp/kazashi-server-responses
rm -rf "$RESPONSES"
LOG="$(mktemp)"
# The server's test targets, from the workspace build every suite shares (scripts/lib/cargo.sh);
# --include-ignored adds the Redis tests (ignored without this script's Redis).
# shellcheck source=lib/cargo.sh
source scripts/lib/cargo.sh
kazashi_cargo test --test http --test binary --test signatures --test openapi --test redis \
    -- --include-ignored 2>&1 | tee "$LOG"
rust_passed=$(grep -E '^test result: ok\.' "$LOG" | sed -E 's/.* ([0-9]+) passed.*/\1/' | awk '{ s += $1 } END { print s + 0 }')
rm -f "$LOG"

OPENAPI_LOG="$(mktemp)"
# The test command builds the server with its `xml` feature (scripts/lib/cargo.sh), so XML is
# verified and the documented 415 (XML in a build without the feature) cannot occur here.
"$VENV/bin/python" server/tests/openapi_check.py server/openapi.json "$RESPONSES" \
    "POST /v1/signatures/verify -> 415" | tee "$OPENAPI_LOG"
openapi_passed=$(grep -E '^openapi: ' "$OPENAPI_LOG" | sed -E 's/openapi: ([0-9]+) passed.*/\1/')
rm -f "$OPENAPI_LOG"

if [ "${SERVER_BENCH:-1}" != "0" ]; then
    echo "test-server: load benchmark (${KAZASHI_BENCH_PROFILE:-test} profile)"
    kazashi_bench load
fi

echo "$((rust_passed + openapi_passed)) passed, 0 failed"
