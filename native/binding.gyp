# Builds enough_native.node over libtorch.
# ENOUGH_ASAN=1 builds it with AddressSanitizer (scripts/native-memcheck.sh does, into native/asan/).
# libtorch is found through $LIBTORCH (a libtorch >= 1.13 tree: include/, include/torch/csrc/api/include, lib/;
# an rpath is added so no LD_LIBRARY_PATH is needed), else the system install (Debian/Ubuntu libtorch-dev).
{
  "variables": {
    "libtorch%": "<!(node -p \"process.env.LIBTORCH || ''\")",
    "asan%": "<!(node -p \"process.env.ENOUGH_ASAN ? 1 : 0\")",
    "torch_cuda%": "<!(node -p \"const l=process.env.LIBTORCH; l && require('fs').existsSync(l + '/lib/libtorch_cuda.so') ? '-ltorch_cuda' : ''\")"
  },
  "targets": [
    {
      "target_name": "enough_native",
      "sources": [
        "src/addon.cc",
        "src/js_values.cc",
        "src/model_handle.cc",
        "src/train_call.cc",
        "src/batcher.cc",
        "src/augment.cc",
        "src/models.cc",
        "src/trainer.cc",
        "src/privacy.cc",
        "src/generative.cc",
        "src/generative_call.cc",
        "src/neighbours.cc",
        "src/semi.cc",
        "src/pretext.cc",
        "src/acquire.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-fno-rtti", "-O2", "-O3"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=c++17", "-std=gnu++1y", "-O2"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O3", "-Wno-unused-parameter", "-Wno-deprecated-declarations", "-Wno-unused-variable"],
      "ldflags": ["-Wl,--no-as-needed"],
      "conditions": [
        ["asan==1", {
          "cflags_cc": ["-fsanitize=address", "-fno-omit-frame-pointer", "-g", "-O1"],
          "ldflags": ["-fsanitize=address"]
        }],
        ["libtorch!=''", {
          "include_dirs": ["<(libtorch)/include", "<(libtorch)/include/torch/csrc/api/include"],
          "libraries": ["-L<(libtorch)/lib", "-Wl,-rpath,<(libtorch)/lib", "-ltorch", "-ltorch_cpu", "-lc10", "<(torch_cuda)", "-ldl"]
        }, {
          "include_dirs": ["/usr/include/torch/csrc/api/include"],
          "libraries": ["-ltorch", "-ltorch_cpu", "-lc10", "-ldl"]
        }]
      ]
    }
  ]
}
