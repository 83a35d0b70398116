#!/usr/bin/env bash
# The PC/SC test rig (docs: ../shared/docs/pcsc-rig.md): pcscd with vsmartcard's vpcd driver,
# whose reader "Virtual PCD 00 00" takes a card from whoever connects to 127.0.0.1:35963.
#
#   scripts/pcsc-rig.sh --install     install the Debian packages when missing, then exit
#   scripts/pcsc-rig.sh CMD [ARGS…]   install, start pcscd, run CMD with KAZASHI_PCSC_RIG=1,
#                                     stop pcscd; exits with CMD's status
#
# pcscd runs in the foreground with --apdu --info; its log (every APDU and status word) is
# written to $PCSCD_LOG (default target/pcscd.log) and printed when CMD fails.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS="pcscd libpcsclite-dev pkg-config vsmartcard-vpcd opensc opensc-pkcs11"
install_packages() {
    # dpkg -s succeeds for a removed package whose config files remain: check the status line.
    local missing=
    for p in $PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    [ -z "$missing" ] && return 0
    echo "pcsc-rig: installing$missing" >&2
    local sudo=
    [ "$(id -u)" -ne 0 ] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
}

install_packages
[ "${1:-}" = "--install" ] && exit 0
[ $# -gt 0 ] || { echo "usage: $0 --install | CMD [ARGS…]" >&2; exit 2; }

if [ "$(id -u)" -ne 0 ]; then
    echo "pcsc-rig: pcscd must run as root (/run/pcscd is hard-coded)" >&2
    exit 1
fi
if pgrep -x pcscd >/dev/null; then
    echo "pcsc-rig: a pcscd is already running (pid $(pgrep -x pcscd | tr '\n' ' ')); stop it first" >&2
    exit 1
fi

mkdir -p target
PCSCD_LOG=${PCSCD_LOG:-target/pcscd.log}
rm -f /run/pcscd/pcscd.comm /run/pcscd/pcscd.pid
pcscd --foreground --apdu --info >"$PCSCD_LOG" 2>&1 &
PCSCD_PID=$!

stop_pcscd() {
    kill -TERM "$PCSCD_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$PCSCD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PCSCD_PID" 2>/dev/null || true
    wait "$PCSCD_PID" 2>/dev/null || true
}
trap stop_pcscd EXIT

for _ in $(seq 100); do
    [ -S /run/pcscd/pcscd.comm ] && ss -ltn | grep -q ':35963 ' && break
    sleep 0.05
done
if ! { [ -S /run/pcscd/pcscd.comm ] && ss -ltn | grep -q ':35963 '; }; then
    echo "pcsc-rig: pcscd did not come up with vpcd on port 35963; its log:" >&2
    cat "$PCSCD_LOG" >&2
    exit 1
fi
echo "pcsc-rig: pcscd up (pid $PCSCD_PID), vpcd listening on 35963; log in $PCSCD_LOG" >&2

status=0
KAZASHI_PCSC_RIG=1 "$@" || status=$?
if [ "$status" -ne 0 ]; then
    echo "pcsc-rig: the command failed ($status); the end of $PCSCD_LOG (APDUs cut at 160 chars):" >&2
    tail -n 40 "$PCSCD_LOG" | cut -c1-160 >&2
fi
exit "$status"
