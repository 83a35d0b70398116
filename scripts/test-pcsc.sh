#!/usr/bin/env bash
# Tests on the real PC/SC stack: pcscd + vsmartcard-vpcd, `kazashi virtual-card serve` as the
# card, our CLI and OpenSC (pkcs15-tool, pkcs11-tool) as clients, openssl as the verifier.
# Installs the Debian packages when missing (scripts/pcsc-rig.sh) and prints the duration.
#
# The tests are #[ignore]d in a plain `cargo test` (shown as "ignored"); here they run with
# --ignored, and the script fails unless every one of them ran and passed.
set -euo pipefail
cd "$(dirname "$0")/.."

EXPECTED=4   # the number of tests in cli/tests/pcsc_rig.rs

./scripts/pcsc-rig.sh --install
# shellcheck source=lib/cargo.sh
source scripts/lib/cargo.sh
kazashi_cargo test --no-run --quiet

log=$(mktemp)
start=$(date +%s%N)
set +e
./scripts/pcsc-rig.sh cargo test -q --workspace --features "$KAZASHI_TEST_FEATURES" --test pcsc_rig -- --ignored --test-threads=1 2>&1 \
    | tee "$log"
status=$?
set -e
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
seconds=$(printf '%d.%02d' $((ms / 1000)) $(((ms % 1000) / 10)))

if [ "$status" -ne 0 ]; then
    echo "PC/SC tests FAILED after ${seconds} s" >&2
    exit "$status"
fi
if ! grep -q "test result: ok. $EXPECTED passed" "$log"; then
    echo "PC/SC tests: expected $EXPECTED passed tests, got: $(grep 'test result' "$log")" >&2
    exit 1
fi
rm -f "$log"
echo "PC/SC tests: $EXPECTED passed in $seconds s (pcscd start, card insertions, CLI and OpenSC checks)"
