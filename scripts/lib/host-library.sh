# shellcheck shell=bash
# Where cargo puts things, in one place. Sourced (never run) by scripts/generate-bindings.sh,
# scripts/test-kotlin.sh, scripts/test-android.sh and ios/build-xcframework.sh; tested by
# scripts/test-host-library.sh. Pure functions of their arguments and the environment: no cargo,
# no file system, so the test runs the macOS answer on Linux and the other way round.
#
# The cargo target directory is CARGO_TARGET_DIR, else CARGO_BUILD_TARGET_DIR (the environment
# form of `build.target-dir`), else `target`. A relative value is relative to the directory
# cargo runs in: every script cds to the repository root before calling cargo and these functions,
# so both see the same directory. (The workspace has no .cargo/config.toml setting target-dir.)

# kazashi_target_dir -> prints the cargo target directory
kazashi_target_dir() {
    local dir="${CARGO_TARGET_DIR:-${CARGO_BUILD_TARGET_DIR:-target}}"
    # Keep "/" as it is; drop one trailing slash otherwise, so paths join cleanly.
    [ "$dir" != "/" ] && dir="${dir%/}"
    printf '%s\n' "$dir"
}

# kazashi_profile_dir PROFILE -> prints the output directory name of a cargo profile: cargo
# writes the `dev` and `test` profiles to debug/, `bench` to release/, every other profile
# (release, release-small, release-bindgen) to a directory of its own name.
kazashi_profile_dir() {
    [ -n "${1:-}" ] || { echo "kazashi_profile_dir: profile missing" >&2; return 1; }
    case "$1" in
        dev | debug | test) printf 'debug\n' ;;
        bench) printf 'release\n' ;;
        *) printf '%s\n' "$1" ;;
    esac
}

# kazashi_host_library_name [OS] -> prints the file name of the kazashi-ffi cdylib on OS (the
# output of `uname -s`; default: this machine's).
kazashi_host_library_name() {
    local os="${1:-$(uname -s)}"
    case "$os" in
        Darwin) printf 'libkazashi_ffi.dylib\n' ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT) printf 'kazashi_ffi.dll\n' ;;
        *) printf 'libkazashi_ffi.so\n' ;; # Linux, FreeBSD and the other ELF systems
    esac
}

# kazashi_host_library_dir PROFILE -> prints the directory holding the host build of PROFILE
# (what JNA's jna.library.path needs).
kazashi_host_library_dir() {
    [ -n "${1:-}" ] || { echo "kazashi_host_library_dir: profile missing" >&2; return 1; }
    printf '%s/%s\n' "$(kazashi_target_dir)" "$(kazashi_profile_dir "$1")"
}

# kazashi_host_library PROFILE [OS] -> prints the path of the host kazashi-ffi cdylib built with
# PROFILE, e.g. `target/debug/libkazashi_ffi.so` on Linux,
# `$CARGO_TARGET_DIR/release-bindgen/libkazashi_ffi.dylib` on macOS.
kazashi_host_library() {
    [ -n "${1:-}" ] || { echo "kazashi_host_library: profile missing" >&2; return 1; }
    local dir name
    dir=$(kazashi_host_library_dir "$1") || return 1
    name=$(kazashi_host_library_name "${2:-}") || return 1
    printf '%s/%s\n' "$dir" "$name"
}

# kazashi_target_library TRIPLE PROFILE FILE -> prints the path of FILE (e.g. libkazashi_ffi.a)
# built for the cross target TRIPLE (cargo's `--target` layout: <target-dir>/<triple>/<profile>/).
kazashi_target_library() {
    if [ -z "${1:-}" ] || [ -z "${2:-}" ] || [ -z "${3:-}" ]; then
        echo "kazashi_target_library: TRIPLE PROFILE FILE expected" >&2
        return 1
    fi
    printf '%s/%s/%s/%s\n' "$(kazashi_target_dir)" "$1" "$(kazashi_profile_dir "$2")" "$3"
}
