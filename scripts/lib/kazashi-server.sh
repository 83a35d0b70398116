# shellcheck shell=bash
# Starts a kazashi-server for an end-to-end suite and stops it when the script exits. Sourced by
# scripts/test-portal.sh and scripts/test-server-e2e.sh (never run). Needs node (for a free
# port and the health check, so no curl is needed on a fresh machine).
#
#   kazashi_server_start BINARY LOG [SERVER ARGUMENTS…]
#
# picks a free port on 127.0.0.1, starts BINARY --listen 127.0.0.1:PORT ARGUMENTS… with its
# output in LOG, waits until GET /healthz answers 200 (30 s at most, failing loudly with the
# log), and sets KAZASHI_SERVER_URL and KAZASHI_SERVER_PID. Every server started this way is
# killed, by its pid only, when the script exits.

KAZASHI_SERVER_PIDS=()

kazashi_server_start() {
    local binary=$1 log=$2
    shift 2
    if [ ! -x "$binary" ]; then
        echo "kazashi-server: $binary is missing; cargo build -p kazashi-server" >&2
        return 1
    fi
    local port
    port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
    "$binary" --listen "127.0.0.1:$port" "$@" >"$log" 2>&1 &
    KAZASHI_SERVER_PID=$!
    KAZASHI_SERVER_PIDS+=("$KAZASHI_SERVER_PID")
    KAZASHI_SERVER_URL="http://127.0.0.1:$port"
    export KAZASHI_SERVER_URL KAZASHI_SERVER_PID
    trap 'kazashi_server_stop' EXIT
    if ! node -e "
        const url = process.argv[1] + '/healthz';
        const deadline = Date.now() + 30000;
        (async () => {
          while (Date.now() < deadline) {
            try { if ((await fetch(url)).status === 200) process.exit(0); } catch {}
            await new Promise((r) => setTimeout(r, 200));
          }
          process.exit(1);
        })();" "$KAZASHI_SERVER_URL"; then
        echo "kazashi-server did not become healthy at $KAZASHI_SERVER_URL; its log:" >&2
        cat "$log" >&2
        return 1
    fi
}

kazashi_server_stop() {
    local pid
    for pid in "${KAZASHI_SERVER_PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    done
    KAZASHI_SERVER_PIDS=()
}
