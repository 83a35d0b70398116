#!/usr/bin/env bash
# The demo portal in a real browser. Installs what it needs (Debian's chromium and zbar-tools,
# playwright-core from npm into target/tools, pinned, with no browser download: it drives the
# system Chromium), builds and starts `kazashi-server --demo-portal --trust-virtual-card
# --rp-id localhost` on a free loopback port, and runs server/tests/portal/portal.test.mjs:
# headless Chromium opens /demo, reads the QR payload from the page (and ZBar reads the QR code
# off the screen), the kazashi CLI plays the phone with the virtual card, the page shows
# "logged in", a second tab on the same challenge does not, and the replays are rejected.
# Screenshots of each state: target/artifacts/portal/. Prints "portal: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/host-library.sh
source scripts/lib/host-library.sh
# shellcheck source=lib/kazashi-server.sh
source scripts/lib/kazashi-server.sh

PLAYWRIGHT_CORE_VERSION=1.65.1
TOOLS="$PWD/target/tools"
ARTIFACTS="$PWD/target/artifacts/portal"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
if [ ${#missing[@]} -gt 0 ]; then
    echo "test-portal: installing ${missing[*]} from Debian"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
installed=$(node -e "try { console.log(require('$TOOLS/node_modules/playwright-core/package.json').version) } catch {}")
if [ "$installed" != "$PLAYWRIGHT_CORE_VERSION" ]; then
    echo "test-portal: installing playwright-core $PLAYWRIGHT_CORE_VERSION from npm"
    mkdir -p "$TOOLS"
    (cd "$TOOLS" && npm install --silent --no-audit --no-fund --save-exact "playwright-core@$PLAYWRIGHT_CORE_VERSION" >/dev/null)
fi

# The workspace build every suite shares (scripts/lib/cargo.sh): kazashi and kazashi-server.
# shellcheck source=lib/cargo.sh
source scripts/lib/cargo.sh
kazashi_cargo test --quiet --no-run
BIN="$(kazashi_target_dir)/debug"
rm -rf "$ARTIFACTS"
mkdir -p "$ARTIFACTS"
# One whose challenges expire in 2 s, for the page's "expired" state; then the main one.
kazashi_server_start "$BIN/kazashi-server" "$ARTIFACTS/server-short-ttl.log" \
    --rp-id localhost --trust-virtual-card --demo-portal --challenge-ttl 2
SHORT_TTL_SERVER_URL=$KAZASHI_SERVER_URL
kazashi_server_start "$BIN/kazashi-server" "$ARTIFACTS/server.log" \
    --rp-id localhost --trust-virtual-card --demo-portal

status=0
KAZASHI_SHORT_TTL_URL="$SHORT_TTL_SERVER_URL" \
KAZASHI_BIN="$PWD/$BIN/kazashi" \
CHROMIUM_PATH="$(command -v chromium)" \
PLAYWRIGHT_MODULES="$TOOLS/node_modules" \
ARTIFACTS_DIR="$ARTIFACTS" \
    node --test --test-reporter=tap server/tests/portal/portal.test.mjs >"$ARTIFACTS/tap.txt" 2>&1 || status=$?
cat "$ARTIFACTS/tap.txt"
passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$ARTIFACTS/tap.txt")
failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$ARTIFACTS/tap.txt")
if [ -z "$passed" ] || [ "$passed" = 0 ]; then
    status=1
fi
echo "screenshots: $ARTIFACTS"
echo "portal: ${passed:-0} passed, ${failed:-1} failed"
exit "$status"
