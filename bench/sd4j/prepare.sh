#!/usr/bin/env bash
# Builds oracle/sd4j in a scratch folder for the side-by-side benchmark (bench/sd4j-vs-atelier.sh):
# sd4j's jar and runtime dependencies, libortextensions.so (its CLIP tokenizer graph's custom op,
# taken from com.microsoft.onnxruntime:onnxruntime-extensions on Maven Central) and bench/sd4j/Sd4jRun.java
# compiled against them. sd4j's code and build stay in that folder; nothing is written into this repository.
#
# usage: bench/sd4j/prepare.sh SD4J_DIR [ORT_VERSION]
#   SD4J_DIR     a checkout of https://github.com/oracle/sd4j (tested at c73ef0a)
#   ORT_VERSION  the ONNX Runtime sd4j is built with; default: the one Atelier's pom.xml uses, so both
#                sides run the same ONNX Runtime (sd4j's own pom says 1.20.0)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ $# -lt 1 ] || [ ! -f "$1/pom.xml" ] || [ ! -f "$1/text_tokenizer/custom_op_cliptok.onnx" ]; then
  echo "prepare.sh: expected an oracle/sd4j checkout (pom.xml and text_tokenizer/custom_op_cliptok.onnx), found '${1:-}'" >&2
  echo "usage: bench/sd4j/prepare.sh SD4J_DIR [ORT_VERSION]" >&2
  exit 2
fi
sd4j="$(cd "$1" && pwd)"
ort="${2:-$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' "$here/pom.xml" | head -1)}"
ext=0.13.0
mvn=("$here/mvnw" -B -q -f "$sd4j/pom.xml")
echo "building sd4j in $sd4j with ONNX Runtime $ort" >&2
rm -rf "$sd4j/target/dependency"
"${mvn[@]}" -Donnxruntime.version="$ort" -Dmaven.test.skip=true package dependency:copy-dependencies \
  -DincludeScope=runtime
"${mvn[@]}" dependency:copy -Dartifact="com.microsoft.onnxruntime:onnxruntime-extensions:$ext" \
  -DoutputDirectory="$sd4j/target/ext"
# The extensions jar carries one native library that is both its JNI library and a custom-op
# library (it exports RegisterCustomOps); sd4j loads it as ./libortextensions.so.
unzip -o -q -j "$sd4j/target/ext/onnxruntime-extensions-$ext.jar" \
  ai/onnxruntime/extensions/native/linux-x64/libonnxruntime_extensions4j_jni.so -d "$sd4j/target/ext"
cp "$sd4j/target/ext/libonnxruntime_extensions4j_jni.so" "$sd4j/libortextensions.so"
jar=("$sd4j"/target/sd4j-*.jar)
cp="${jar[0]}:$sd4j/target/dependency/*"
mkdir -p "$sd4j/target/sd4j-run"
javac -d "$sd4j/target/sd4j-run" -cp "$cp" "$here/bench/sd4j/Sd4jRun.java"
echo "$cp:$sd4j/target/sd4j-run" > "$sd4j/target/sd4j-run.classpath"
echo "sd4j ready: $sd4j (classpath in target/sd4j-run.classpath)" >&2
