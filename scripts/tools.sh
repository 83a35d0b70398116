#!/usr/bin/env bash
# Installs the JVM-side tools the binding tests need into target/tools (idempotent), from the
# project's registries only: the Kotlin compiler from npm, JNA and the Android framework
# classes (org.robolectric:android-all) from Maven Central, the tree-sitter Swift grammar from
# PyPI. Then writes target/tools/env.sh, which the other scripts source.
set -euo pipefail
cd "$(dirname "$0")/.."

KOTLIN_VERSION=2.4.20
JNA_VERSION=5.19.1
ANDROID_ALL_VERSION=14-robolectric-10818077
TREE_SITTER_VERSION=0.25.2
TREE_SITTER_SWIFT_VERSION=0.7.4

TOOLS="$PWD/target/tools"
mkdir -p "$TOOLS/jars"

if [ ! -x "$TOOLS/node_modules/kotlin-compiler/bin/kotlinc" ]; then
    echo "tools: installing kotlin-compiler $KOTLIN_VERSION from npm"
    (cd "$TOOLS" && npm install --silent --no-audit --no-fund "kotlin-compiler@$KOTLIN_VERSION" >/dev/null)
fi

maven_jar() { # group artifact version
    local dest="$TOOLS/jars/$2-$3.jar"
    if [ ! -s "$dest" ]; then
        echo "tools: fetching $1:$2:$3 from Maven Central"
        mvn -q -B dependency:copy -Dartifact="$1:$2:$3:jar" -DoutputDirectory="$TOOLS/jars" >/dev/null
    fi
}
maven_jar net.java.dev.jna jna "$JNA_VERSION"
maven_jar org.robolectric android-all "$ANDROID_ALL_VERSION"

if [ ! -x "$TOOLS/venv/bin/python" ]; then
    echo "tools: creating a Python venv with the tree-sitter Swift grammar"
    python3 -m venv "$TOOLS/venv"
    "$TOOLS/venv/bin/pip" install -q "tree-sitter==$TREE_SITTER_VERSION" "tree-sitter-swift==$TREE_SITTER_SWIFT_VERSION"
fi

K="$TOOLS/node_modules/kotlin-compiler"
cat > "$TOOLS/env.sh" <<ENV
export KOTLIN_HOME="$K"
export KOTLINC="$K/bin/kotlinc"
export KOTLIN_STDLIB="$K/lib/kotlin-stdlib.jar"
export COROUTINES_JAR="$K/lib/kotlinx-coroutines-core-jvm.jar"
export JNA_JAR="$TOOLS/jars/jna-$JNA_VERSION.jar"
export ANDROID_ALL_JAR="$TOOLS/jars/android-all-$ANDROID_ALL_VERSION.jar"
export TOOLS_PYTHON="$TOOLS/venv/bin/python"
ENV
