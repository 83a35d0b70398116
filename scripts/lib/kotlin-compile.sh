# shellcheck shell=bash
# Compiling Kotlin with kotlinc, shared by the JVM suites (test-android.sh,
# test-android-sample.sh, test-robolectric.sh). Sourced after target/tools/env.sh (KOTLINC,
# KOTLIN_HOME). Set KAZASHI_SUITE to the calling script's name for its messages.

# kazashi_kotlin_compile LABEL MODULE DEST CLASSPATH SOURCE... compiles into a fresh DEST with
# warnings as errors, and says how long it took.
kazashi_kotlin_compile() {
    local label=$1 module=$2 dest=$3 cp=$4
    shift 4
    local start=$SECONDS
    rm -rf "$dest"
    if ! "$KOTLINC" -Werror -jvm-target 17 -module-name "$module" -cp "$cp" -d "$dest" "$@"; then
        echo "${KAZASHI_SUITE:-kotlinc}: $label failed to compile" >&2
        return 1
    fi
    echo "${KAZASHI_SUITE:-kotlinc}: $label compiled in $((SECONDS - start)) s"
}

# kazashi_compiled_bindings FLAVOUR BINDINGS_FILE CLASSPATH -> prints the directory of the
# generated bindings' classes. They are large and change only with the FFI, so they are compiled
# once per text, classpath and compiler, in target/kotlin-bindings/, which every suite shares: the
# first suite to need a flavour compiles it, the next ones reuse it.
kazashi_compiled_bindings() {
    local flavour=$1 file=$2 cp=$3 cp_key text_key dest
    cp_key=$(cat <(echo "$cp") "$KOTLIN_HOME/build.txt" 2>/dev/null | sha256sum | cut -c1-12)
    text_key=$(sha256sum <"$file" | cut -c1-12)
    dest="target/kotlin-bindings/$flavour-$cp_key-$text_key"
    if [ ! -f "$dest/.complete" ]; then
        # An older text of the same flavour and classpath is stale: drop it.
        rm -rf "target/kotlin-bindings/$flavour-$cp_key-"*
        kazashi_kotlin_compile "$flavour bindings" kazashi-ffi "$dest" "$cp" "$file" >&2 || return 1
        touch "$dest/.complete"
    fi
    echo "$dest"
}
