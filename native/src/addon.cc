// N-API entry point of the engine: registers the functions of js_values.cc (reading JS values),
// model_handle.cc (the model handle) and train_call.cc (train), plus the small environment queries below.
#include <torch/cuda.h>
#include <torch/version.h>
#include <ATen/Config.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>

#include "js.h"

namespace enough {
namespace {

Napi::Value Info(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto o = Napi::Object::New(env);
  o.Set("torchVersion", TORCH_VERSION);
  bool cuda = false;
  try {
    cuda = torch::cuda::is_available();
  } catch (...) {
  }
  o.Set("cuda", cuda);
  o.Set("threads", at::get_num_threads());
  o.Set("blas", blasName());
  o.Set("blasThreads", blasThreads());
  o.Set("parallel", at::get_parallel_info());
  o.Set("mkldnn", (bool)AT_MKLDNN_ENABLED());
  return o;
}

Napi::Value SetThreadsJs(const Napi::CallbackInfo& info) {
  int t = info[0].As<Napi::Number>().Int32Value();
  if (t > 0) setThreads(t);
  return info.Env().Undefined();
}

Napi::Value SetBlasThreads(const Napi::CallbackInfo& info) {
  using Fn = void (*)(int);
  auto fn = (Fn)dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  int t = info[0].As<Napi::Number>().Int32Value();
  if (fn && t > 0) fn(t);
  return Napi::Boolean::New(info.Env(), fn != nullptr);
}

}  // namespace

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto data = new AddonData();
  auto ctor = ModelWrap::Define(env);
  data->modelCtor = Napi::Persistent(ctor);
  env.SetInstanceData(data);
  exports.Set("NativeModel", ctor);
  exports.Set("train", Napi::Function::New(env, Train));
  exports.Set("createModel", Napi::Function::New(env, CreateModel));
  exports.Set("acquire", Napi::Function::New(env, Acquire));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreadsJs));
  exports.Set("setBlasThreads", Napi::Function::New(env, SetBlasThreads));
  return exports;
}

}  // namespace enough

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return enough::Init(env, exports); }
NODE_API_MODULE(enough_native, InitModule)
