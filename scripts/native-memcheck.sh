#!/usr/bin/env bash
# Memory checks of the native engine (issue: a heap overwrite on AVX2-only CPUs; see native/src/models.cc).
#   scripts/native-memcheck.sh asan       build the addon with AddressSanitizer into native/asan/ and run the engine
#                                         tests with it, on this CPU's own paths and with the AVX2 paths forced
#   scripts/native-memcheck.sh valgrind   run scripts/memcheck/engine.mjs (every family: train, predict, embed,
#                                         evaluate, save/load) under valgrind memcheck with the AVX2 paths forced
#   scripts/native-memcheck.sh            both
# Why both: ASan checks the addon's own code (instrumented) and every malloc/free; valgrind also sees the writes that
# libtorch's and oneDNN's JIT-generated kernels make, which ASan cannot instrument. valgrind cannot run AVX-512 code,
# so it always runs the AVX2 paths (the ones that broke). Exit status is non-zero on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
avx2=(DNNL_MAX_CPU_ISA=AVX2 ATEN_CPU_CAPABILITY=avx2 OPENBLAS_CORETYPE=Haswell)

run_asan() {
  mkdir -p native/asan
  cp native/binding.gyp native/asan/
  rm -rf native/asan/src && cp -r native/src native/asan/src
  echo "memcheck: building the addon with AddressSanitizer (native/asan/)"
  ENOUGH_ASAN=1 npx node-gyp rebuild --directory native/asan -j 2 --silent
  npx tsc -p tsconfig.build.json
  local lib
  lib=$(g++ -print-file-name=libasan.so)
  # detect_leaks=0: Node and libtorch keep process-lifetime allocations on purpose (thread pools, op registries);
  # leak checks of the addon's own objects are in the valgrind run ("definitely lost" must be 0).
  # Node is not built with ASan, so ASan's runtime comes first through LD_PRELOAD.
  local opts="detect_leaks=0:halt_on_error=1:abort_on_error=1:detect_odr_violation=0:allocator_may_return_null=1"
  for env in native avx2; do
    echo "memcheck: engine tests under AddressSanitizer ($env paths)"
    local extra=()
    [ "$env" = avx2 ] && extra=("${avx2[@]}")
    env "${extra[@]}" ENOUGH_MEMCHECK=asan ENOUGH_NATIVE="$PWD/native/asan/build/Release/enough_native.node" LD_PRELOAD="$lib" \
      ASAN_OPTIONS="$opts" npx vitest run test/engine
    # the levers' native code (acquire, semi, pretext, generative, neighbours) is exercised by the valgrind script
    env "${extra[@]}" ENOUGH_MEMCHECK=asan ENOUGH_NATIVE="$PWD/native/asan/build/Release/enough_native.node" LD_PRELOAD="$lib" \
      ASAN_OPTIONS="$opts" node scripts/memcheck/engine.mjs
  done
}

run_valgrind() {
  command -v valgrind >/dev/null || { echo "memcheck: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
  npx tsc -p tsconfig.build.json
  echo "memcheck: scripts/memcheck/engine.mjs under valgrind (AVX2 paths)"
  # Suppressions: see scripts/memcheck/valgrind.supp for each entry and why it is not the project's.
  env "${avx2[@]}" valgrind --quiet --error-exitcode=99 --errors-for-leak-kinds=definite --leak-check=full \
    --show-leak-kinds=definite --num-callers=30 --suppressions=scripts/memcheck/valgrind.supp \
    node scripts/memcheck/engine.mjs
}

case "$mode" in
  asan) run_asan ;;
  valgrind) run_valgrind ;;
  all) run_asan; run_valgrind ;;
  *) echo "usage: $0 [asan|valgrind]" >&2; exit 2 ;;
esac
echo "memcheck: clean"
