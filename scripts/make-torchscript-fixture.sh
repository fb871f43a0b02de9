#!/bin/sh
# Builds native/tools/make-torchscript-fixture.cc against libtorch (the system's, or $LIBTORCH) and writes the
# TorchScript test fixtures into test/fixtures/torchscript/. Python torch is not needed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/test/fixtures/torchscript"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -n "${LIBTORCH:-}" ]; then
  inc="-I$LIBTORCH/include -I$LIBTORCH/include/torch/csrc/api/include"
  lib="-L$LIBTORCH/lib -Wl,-rpath,$LIBTORCH/lib"
else
  inc="-I/usr/include/torch/csrc/api/include"
  lib=""
fi
# shellcheck disable=SC2086
${CXX:-g++} -std=c++17 -O1 $inc "$root/native/tools/make-torchscript-fixture.cc" -o "$tmp/make-fixture" \
  $lib -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10
mkdir -p "$out"
"$tmp/make-fixture" "$out"
