// N-API face of generative.h: trainCvae(x, y, numClasses, d, sampleY, options) and nearest(a, b, d, excludeSelf),
// each read on the main thread and run on a worker thread (the typed arrays are held until it finishes).
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

// Runs `work` on a libuv thread and settles a promise with `done`'s value (or the failure's kind and message).
class Job : public Napi::AsyncWorker {
 public:
  Job(Napi::Env env, std::function<void()> work, std::function<Napi::Value(Napi::Env)> done)
      : Napi::AsyncWorker(env, "enough.generative"), deferred(Napi::Promise::Deferred::New(env)), work(std::move(work)), done(std::move(done)) {}
  Napi::Promise::Deferred deferred;
  Keep keep;
  std::function<void()> work;
  std::function<Napi::Value(Napi::Env)> done;
  ErrorKind kind = ErrorKind::Training;
  std::string msg;
  void Execute() override {
    if (!guarded(work, kind, msg)) SetError(msg);
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    deferred.Resolve(done(Env()));
  }
  void OnError(const Napi::Error&) override {
    Napi::HandleScope scope(Env());
    deferred.Reject(makeError(Env(), kind, msg).Value());
  }
};

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
  auto w = new Job(
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
  auto p = w->deferred.Promise();
  w->Queue();
  return p;
}

// nearest(a: Float32Array, b: Float32Array, d, excludeSelf) -> Promise<Float64Array> (one distance per row of a)
Napi::Value Nearest(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto a = needF32(env, info[0], "a");
  auto b = needF32(env, info[1], "b");
  int64_t d = info[2].As<Napi::Number>().Int64Value();
  bool self = info[3].ToBoolean().Value();
  if (d < 1 || a.ElementLength() % d || b.ElementLength() % d) jsFail(env, ErrorKind::Input, "nearest: the arrays are not whole rows of " + std::to_string(d));
  int64_t na = (int64_t)a.ElementLength() / d, nb = (int64_t)b.ElementLength() / d;
  auto res = std::make_shared<std::vector<double>>();
  const float* ap = a.Data();
  const float* bp = b.Data();
  auto w = new Job(
      env, [=] { *res = nearestDistances(ap, na, bp, nb, d, self); },
      [res](Napi::Env e) {
        auto out = Napi::Float64Array::New(e, res->size());
        std::copy(res->begin(), res->end(), out.Data());
        return (Napi::Value)out;
      });
  w->keep.add(a), w->keep.add(b);
  auto p = w->deferred.Promise();
  w->Queue();
  return p;
}

}  // namespace enough
