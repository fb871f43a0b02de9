// N-API entry point of the engine: registers the functions of js_values.cc (reading JS values),
// model_handle.cc (the model handle) and train_call.cc (train), plus the small environment queries below.
#include <torch/cuda.h>
#include <torch/version.h>
#include <ATen/Config.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <time.h>

#include "js.h"

namespace enough {

// generative_call.cc (the synthetic-data lever): declared here rather than in js.h, which every N-API file includes.
Napi::Value TrainCvae(const Napi::CallbackInfo& info);

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

// gemmRate(m, k, n, seconds): GFLOP/s of float32 (m x k) * (k x n) products over about `seconds` of this thread's
// CPU time, after one warm-up. engine/machine.ts runs it in short child processes to compare OpenBLAS kernel families
// (synchronous: the child does nothing else). CPU time, not wall time: other processes on the machine then cost
// the measurement time but do not decide it (BLAS runs on this one thread).
Napi::Value GemmRate(const Napi::CallbackInfo& info) {
  auto arg = [&](int i, double d) { return info[i].IsNumber() ? info[i].As<Napi::Number>().DoubleValue() : d; };
  const int64_t m = (int64_t)arg(0, 128), k = (int64_t)arg(1, 784), n = (int64_t)arg(2, 256);
  const double seconds = arg(3, 0.15);
  torch::manual_seed(0);
  auto a = torch::randn({m, k}), b = torch::randn({k, n});
  auto c = torch::mm(a, b);
  auto cpu = [] {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
  };
  const double t0 = cpu();
  int64_t reps = 0;
  double elapsed = 0;
  do {
    c = torch::mm(a, b);
    reps++;
    elapsed = cpu() - t0;
  } while (elapsed < seconds);
  return Napi::Number::New(info.Env(), 2.0 * m * k * n * reps / elapsed / 1e9);
}

}  // namespace

Napi::Value Nearest(const Napi::CallbackInfo& info);  // neighbours.cc

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto data = new AddonData();
  auto ctor = ModelWrap::Define(env);
  data->modelCtor = Napi::Persistent(ctor);
  env.SetInstanceData(data);
  exports.Set("NativeModel", ctor);
  exports.Set("train", Napi::Function::New(env, Train));
  exports.Set("pretext", Napi::Function::New(env, PretextTrain));
  exports.Set("createModel", Napi::Function::New(env, CreateModel));
  exports.Set("acquire", Napi::Function::New(env, Acquire));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreadsJs));
  exports.Set("setBlasThreads", Napi::Function::New(env, SetBlasThreads));
  exports.Set("trainCvae", Napi::Function::New(env, TrainCvae));
  exports.Set("nearest", Napi::Function::New(env, Nearest));
  exports.Set("gemmRate", Napi::Function::New(env, GemmRate));
  return exports;
}

}  // namespace enough

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return enough::Init(env, exports); }
NODE_API_MODULE(enough_native, InitModule)
