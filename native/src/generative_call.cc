// N-API face of generative.h: trainCvae(x, y, numClasses, d, sampleY, options), read on the main thread and run on a
// worker thread (the typed arrays are held until it finishes).
#include "generative.h"

#include "js.h"

namespace enough {
namespace {

Napi::Float32Array needF32(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) jsFail(env, ErrorKind::Input, std::string(what) + " must be a Float32Array");
  return v.As<Napi::Float32Array>();
}
Napi::Int32Array needI32(Napi::Env env, const Napi::Value& v, const char* what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) jsFail(env, ErrorKind::Input, std::string(what) + " must be an Int32Array");
  return v.As<Napi::Int32Array>();
}

}  // namespace

// trainCvae(x: Float32Array n*d, y: Int32Array n, numClasses, d, sampleY: Int32Array m, options) -> Promise<{
//   samples: Float32Array m*d, epochs, steps, loss, reconstruction, kl, seconds }>
Napi::Value TrainCvae(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto x = needF32(env, info[0], "x");
  auto y = needI32(env, info[1], "y");
  int64_t numClasses = info[2].As<Napi::Number>().Int64Value();
  int64_t d = info[3].As<Napi::Number>().Int64Value();
  auto sy = needI32(env, info[4], "sampleY");
  auto o = info[5].As<Napi::Object>();
  if (d < 1 || (int64_t)x.ElementLength() != (int64_t)y.ElementLength() * d)
    jsFail(env, ErrorKind::Input, "x has " + std::to_string(x.ElementLength()) + " values, not rows x " + std::to_string(d));
  CvaeOptions opt;
  opt.latent = (int64_t)num(o, "latent", 16);
  opt.hidden = (int64_t)num(o, "hidden", 256);
  opt.steps = (int64_t)num(o, "steps", 3000);
  opt.batchSize = (int64_t)num(o, "batchSize", 64);
  opt.lr = num(o, "lr", 1e-3);
  opt.warmup = num(o, "warmup", 0.2);
  opt.seed = (uint64_t)num(o, "seed", 0);
  opt.bernoulli = str(o, "likelihood", "bernoulli") == "bernoulli";
  auto res = std::make_shared<CvaeResult>();
  const float* xp = x.Data();
  const int32_t* yp = y.Data();
  const int32_t* sp = sy.Data();
  int64_t n = (int64_t)y.ElementLength(), m = (int64_t)sy.ElementLength();
  auto w = new PromiseWorker(
      env, [=] { *res = trainCvaeAndSample(xp, yp, n, d, numClasses, sp, m, opt); },
      [res](Napi::Env e) {
        auto out = Napi::Object::New(e);
        auto s = Napi::Float32Array::New(e, res->samples.size());
        std::copy(res->samples.begin(), res->samples.end(), s.Data());
        out.Set("samples", s);
        out.Set("epochs", (double)res->epochs);
        out.Set("steps", (double)res->steps);
        out.Set("loss", res->loss);
        out.Set("reconstruction", res->reconstruction);
        out.Set("kl", res->kl);
        out.Set("seconds", res->seconds);
        return (Napi::Value)out;
      });
  w->keep.add(x), w->keep.add(y), w->keep.add(sy);
  auto p = w->Promise();
  w->Queue();
  return p;
}

}  // namespace enough
