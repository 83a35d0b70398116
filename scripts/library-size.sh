#!/usr/bin/env bash
# The size of the native library an app ships, per feature set: a report, not a test.
#
#   scripts/library-size.sh            # every feature set below
#   scripts/library-size.sh ""         # only the shipping library (no features)
#
# Builds kazashi-ffi with the `release-small` profile (opt-level "z", LTO, one codegen unit,
# stripped: what android/build-native.sh and ios/build-xcframework.sh are meant for) for the host,
# once per feature set, each into a target directory of its own so the builds do not evict each
# other, and prints the stripped cdylib's size. The mobile targets' sizes differ by a few percent
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

base="$(kazashi_target_dir)/size"
printf '%-22s %12s\n' "features" "bytes"
for features in "${feature_sets[@]}"; do
    dir="$base/${features:-none}"
    dir="${dir//,/+}"
    args=(--profile release-small -p kazashi-ffi --lib)
    [ -n "$features" ] && args+=(--features "$features")
    CARGO_TARGET_DIR="$dir" cargo build -q "${args[@]}"
    lib="$dir/release-small/$(kazashi_host_library_name)"
    printf '%-22s %12s\n' "${features:-none (shipping)}" "$(stat -c %s "$lib" 2>/dev/null || stat -f %z "$lib")"
done
