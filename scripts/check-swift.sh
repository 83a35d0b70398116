#!/usr/bin/env bash
# Checks the iOS Swift sources on a machine without a Swift toolchain: every .swift file of
# ios/Sources, ios/Tests, ios/Examples (the SwiftUI sample and its Package.swift) and
# ios/Package.swift, the generated target/bindings/swift/Kazashi.swift and the ```swift blocks of ios/README.md are parsed with tree-sitter-swift (syntax errors are
# reported as file:line), and the Kazashi API they use is cross-checked against the generated
# Swift (see scripts/check_swift_syntax.py); every manifest's swift-tools-version must cover the
# language features the code uses (the generated Swift's `nonisolated(unsafe)` needs 5.10). The
# checker first checks itself on built-in cases (--self-test). Compilation and XCTest need macOS: see
# .github/workflows/ios.yml.
#
# Needs scripts/tools.sh (the tree-sitter venv) and scripts/generate-bindings.sh (the generated
# Swift) to have run. Prints one line per file and ends with "N passed, N failed"; exits
# non-zero on any failure.
#
# Usage: scripts/check-swift.sh [extra .swift files...]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f target/tools/env.sh ]; then
    echo "check-swift: target/tools/env.sh is missing; run scripts/tools.sh first" >&2
    exit 2
fi
# shellcheck source=/dev/null
source target/tools/env.sh
if [ -z "${TOOLS_PYTHON:-}" ] || [ ! -x "$TOOLS_PYTHON" ]; then
    echo "check-swift: no tree-sitter Python in target/tools; run scripts/tools.sh" >&2
    exit 2
fi

GENERATED=target/bindings/swift/Kazashi.swift
if [ ! -f "$GENERATED" ]; then
    echo "check-swift: $GENERATED is missing; run scripts/generate-bindings.sh" >&2
    exit 2
fi

# The copy SwiftPM compiles (ios/Sources/Kazashi) should be the generated file the API is checked
# against. An identical copy is parsed once, as the API source; a different one is only parsed.
COPY=ios/Sources/Kazashi/Kazashi.swift
EXTRA=()
if [ -f "$COPY" ] && ! cmp -s "$COPY" "$GENERATED"; then
    echo "check-swift: warning: $COPY differs from $GENERATED (stale copy? rerun scripts/generate-bindings.sh)" >&2
    EXTRA=(--syntax-only "$COPY")
fi

FILES=(ios/Package.swift)
while IFS= read -r file; do
    [ "$file" = "$COPY" ] && continue
    FILES+=("$file")
done < <(find ios/Sources ios/Tests ios/Examples -name '*.swift' -type f 2>/dev/null | LC_ALL=C sort)
[ -f ios/README.md ] && FILES+=(ios/README.md)

# Linux builds KazashiFFI from ios/Linux/KazashiFFI/module.modulemap, whose header path is relative
# to it: it must name the header generate-bindings.sh writes.
MODULEMAP=ios/Linux/KazashiFFI/module.modulemap
if [ -f "$MODULEMAP" ]; then
    header=$(sed -nE 's/^[[:space:]]*header[[:space:]]+"([^"]+)".*/\1/p' "$MODULEMAP")
    if [ -z "$header" ] || [ ! -f "$(dirname "$MODULEMAP")/$header" ] ||
        ! cmp -s "$(dirname "$MODULEMAP")/$header" target/bindings/swift/KazashiFFI.h; then
        echo "check-swift: $MODULEMAP names '$header', not the generated target/bindings/swift/KazashiFFI.h" >&2
        exit 1
    fi
    echo "ok   $MODULEMAP names the generated KazashiFFI.h"
fi

exec "$TOOLS_PYTHON" scripts/check_swift_syntax.py --self-test --api-source "$GENERATED" ${EXTRA[@]+"${EXTRA[@]}"} "${FILES[@]}" "$@"
