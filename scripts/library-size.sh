#!/usr/bin/env bash
# The size of the native library an app ships, per feature set: a report, not a test.
#
#   scripts/library-size.sh            # every feature set below
#   scripts/library-size.sh ""         # only the shipping library (no features)
#
# Builds kazashi-ffi with the `release-small` profile (opt-level "z", LTO, one codegen unit,
# stripped: what android/build-native.sh and ios/build-xcframework.sh are meant for) for the host,
# once per feature set, in one target directory (target/size: cargo keeps each feature set's
# dependencies apart, so the builds share what they have in common), copies each cdylib out
# before the next build replaces it, and prints the stripped sizes. The mobile targets' sizes differ by a few percent
# from the host's (another instruction set); the ratios between feature sets hold.
#
# Each build takes minutes on two cores (LTO): not part of the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/host-library.sh
source scripts/lib/host-library.sh

if [ $# -gt 0 ]; then
    feature_sets=("$@")
else
    # shipping card flows | + CMS | + PDF and XML | the testing artifact (virtual card, verifier)
    feature_sets=("" "documents" "documents,pdf,xml" "testing")
fi

dir="$(kazashi_target_dir)/size"
printf '%-22s %12s\n' "features" "bytes"
for features in "${feature_sets[@]}"; do
    args=(--profile release-small -p kazashi-ffi --lib)
    [ -n "$features" ] && args+=(--features "$features")
    CARGO_TARGET_DIR="$dir" cargo build -q "${args[@]}"
    name="${features:-none}"
    copy="$dir/libkazashi_ffi-${name//,/+}"
    cp "$dir/release-small/$(kazashi_host_library_name)" "$copy"
    printf '%-22s %12s\n' "${features:-none (shipping)}" "$(stat -c %s "$copy" 2>/dev/null || stat -f %z "$copy")"
done
