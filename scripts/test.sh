#!/usr/bin/env bash
# Runs every test of the project, then prints the round-trip benchmark.
# Installs what the tests need (OpenSSL's command line) when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v openssl >/dev/null 2>&1; then
    echo "installing openssl (the independent signature verifier used by the tests)"
    apt-get update -qq && apt-get install -y -qq openssl >/dev/null
fi

cargo test --workspace --all-targets
cargo test --workspace --doc
cargo bench -p kazashi --bench round_trips --profile dev
