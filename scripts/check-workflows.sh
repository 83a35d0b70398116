#!/usr/bin/env bash
# Checks the GitHub workflow files without running them:
#   1. every .github/workflows/*.yml parses as YAML (PyYAML) and has `on` and `jobs`;
#   2. actionlint (rhysd/actionlint, installed into target/tools/bin with `go install` on first
#      use) checks each against GitHub's workflow schema, expressions, job needs, runner labels
#      and, where shellcheck is on PATH, the `run:` scripts;
#   3. the release manifest scripts/write-release-package.sh writes (dummy values) parses as Swift
#      with tree-sitter, and the script refuses a bad version, checksum or URL.
# Needs Python with PyYAML (target/tools/venv, installed there if missing) and Go.
# Prints one line per check and "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

ACTIONLINT_VERSION=v1.7.12
TOOLS=target/tools
PY="$TOOLS/venv/bin/python"
if [ ! -x "$PY" ]; then
    python3 -m venv "$TOOLS/venv"
fi
if ! "$PY" -c 'import yaml' 2>/dev/null; then
    "$PY" -m pip install -q pyyaml
fi
# actionlint checks the `run:` scripts with shellcheck when it is on PATH (a Debian package).
if ! command -v shellcheck >/dev/null 2>&1; then
    apt-get install -y -qq shellcheck >/dev/null 2>&1 || echo "check-workflows: warning: no shellcheck; run: scripts are not linted" >&2
fi
ACTIONLINT="$TOOLS/bin/actionlint"
if [ ! -x "$ACTIONLINT" ] || ! "$ACTIONLINT" -version 2>/dev/null | grep -q "${ACTIONLINT_VERSION#v}"; then
    echo "check-workflows: installing actionlint $ACTIONLINT_VERSION into $TOOLS/bin"
    mkdir -p "$TOOLS/bin"
    GOBIN="$PWD/$TOOLS/bin" go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
fi

passed=0
failed=0
ok() { echo "ok    $1"; passed=$((passed + 1)); }
bad() { echo "FAIL  $1"; failed=$((failed + 1)); }

for wf in .github/workflows/*.yml; do
    if "$PY" - "$wf" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
# YAML 1.1 reads the key `on` as True.
assert isinstance(doc, dict), "not a mapping"
assert "jobs" in doc and (True in doc or "on" in doc), "no on/jobs"
PY
    then ok "$wf parses as YAML"; else bad "$wf does not parse as YAML"; fi
    if "$ACTIONLINT" -no-color "$wf"; then ok "$wf passes actionlint"; else bad "$wf: actionlint (above)"; fi
done

manifest=$(mktemp -d)/Package.swift
checksum=$(printf '0%.0s' $(seq 64))
if scripts/write-release-package.sh 1.2.3 "https://github.com/o/r/releases/download/v1.2.3/KazashiFFI.xcframework.zip" "$checksum" >"$manifest" &&
    grep -q 'binaryTarget' "$manifest" && grep -q "checksum: \"$checksum\"" "$manifest" &&
    "$PY" scripts/check_swift_syntax.py --no-api "$manifest" >/dev/null; then
    ok "write-release-package.sh writes a manifest that parses as Swift"
else
    bad "write-release-package.sh: the release manifest"
fi
if ! scripts/write-release-package.sh v1.2 "https://x/y.zip" "$checksum" >/dev/null 2>&1 &&
    ! scripts/write-release-package.sh 1.2.3 "https://x/y.zip" "abc" >/dev/null 2>&1 &&
    ! scripts/write-release-package.sh 1.2.3 "http://x/y.zip" "$checksum" >/dev/null 2>&1; then
    ok "write-release-package.sh refuses a bad version, checksum and URL"
else
    bad "write-release-package.sh accepted a bad argument"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
