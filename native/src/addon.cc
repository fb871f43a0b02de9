// N-API surface of the engine. Reads JS objects into the plain structs of engine.h, keeps the JS buffers referenced
// while a worker thread reads them, and turns C++ failures into JS errors carrying a `kind` that
// src/engine/native.ts maps onto the EnoughError classes. Nothing here runs per batch.
#include <napi.h>
#include <torch/cuda.h>
#include <torch/version.h>
#include <ATen/Config.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>

#include "engine.h"

namespace enough {
namespace {

const char* kindName(ErrorKind k) {
  switch (k) {
    case ErrorKind::Input: return "input";
    case ErrorKind::Spec: return "spec";
    case ErrorKind::Training: return "training";
    case ErrorKind::Cancelled: return "cancelled";
    case ErrorKind::Environment: return "environment";
  }
  return "training";
}

Napi::Error makeError(Napi::Env env, ErrorKind k, const std::string& msg) {
  auto e = Napi::Error::New(env, msg);
  e.Value().Set("kind", kindName(k));
  return e;
}

[[noreturn]] void jsFail(Napi::Env env, ErrorKind k, const std::string& msg) { throw makeError(env, k, msg); }

// Runs `f`, mapping every C++ failure to (kind, message). libtorch reports user-level problems (bad shapes, OOM)
// as c10::Error; those become TrainingErrors instead of aborting the process.
template <class F>
bool guarded(F&& f, ErrorKind& kind, std::string& msg) {
  try {
    f();
    return true;
  } catch (const EngineError& e) {
    kind = e.kind, msg = e.what();
  } catch (const c10::Error& e) {
    kind = ErrorKind::Training, msg = std::string("libtorch: ") + e.what_without_backtrace();
  } catch (const std::bad_alloc&) {
    kind = ErrorKind::Training, msg = "out of memory; use a smaller batch size or model";
  } catch (const std::exception& e) {
    kind = ErrorKind::Training, msg = e.what();
  } catch (...) {
    kind = ErrorKind::Training, msg = "unknown native failure";
  }
  return false;
}

// ---- reading JS values -------------------------------------------------------------------------------------------

double num(const Napi::Object& o, const char* k, double dflt) {
  auto v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
}
bool flag(const Napi::Object& o, const char* k, bool dflt) {
  auto v = o.Get(k);
  return v.IsBoolean() ? v.As<Napi::Boolean>().Value() : dflt;
}
std::string str(const Napi::Object& o, const char* k, const std::string& dflt) {
  auto v = o.Get(k);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : dflt;
}
std::vector<int64_t> ints(const Napi::Object& o, const char* k) {
  std::vector<int64_t> r;
  auto v = o.Get(k);
  if (v.IsArray()) {
    auto a = v.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) r.push_back((int64_t)a.Get(i).As<Napi::Number>().Int64Value());
  }
  return r;
}
std::vector<double> doubles(const Napi::Object& o, const char* k) {
  std::vector<double> r;
  auto v = o.Get(k);
  if (v.IsArray()) {
    auto a = v.As<Napi::Array>();
    for (uint32_t i = 0; i < a.Length(); i++) r.push_back(a.Get(i).As<Napi::Number>().DoubleValue());
  }
  return r;
}

Spec readSpec(Napi::Env env, const Napi::Object& o) {
  Spec s;
  auto f = str(o, "family", "");
  if (f == "mlp") s.family = Family::Mlp;
  else if (f == "cnn") s.family = Family::Cnn;
  else if (f == "resnet") s.family = Family::Resnet;
  else if (f == "text") s.family = Family::Text;
  else jsFail(env, ErrorKind::Spec, "unknown model family \"" + f + "\"");
  s.hidden = ints(o, "hidden");
  s.channels = ints(o, "channels");
  s.fc = (int64_t)num(o, "fc", 0);
  s.blocks = (int64_t)num(o, "blocks", 1);
  s.batchNorm = flag(o, "batchNorm", false);
  s.dropout = num(o, "dropout", 0);
  s.textConv = str(o, "variant", "bag") == "conv";
  s.embedDim = (int64_t)num(o, "embedDim", 64);
  s.kernel = (int64_t)num(o, "kernel", 5);
  s.catEmbedDims = ints(o, "catEmbedDims");
  s.labelSmoothing = num(o, "labelSmoothing", 0);
  s.classWeights = doubles(o, "classWeights");
  s.channelsLast = flag(o, "channelsLast", false);
  return s;
}

Recipe readRecipe(Napi::Env env, const Napi::Object& o) {
  Recipe r;
  auto opt = str(o, "optimizer", "adam");
  r.optimizer = opt == "sgd" ? Optim::Sgd : opt == "adamw" ? Optim::AdamW : Optim::Adam;
  r.lr = num(o, "lr", 1e-3);
  r.momentum = num(o, "momentum", 0.9);
  r.nesterov = flag(o, "nesterov", false);
  r.weightDecay = num(o, "weightDecay", 0);
  auto sch = str(o, "schedule", "constant");
  r.schedule = sch == "cosine" ? Schedule::Cosine : sch == "onecycle" ? Schedule::OneCycle : Schedule::Constant;
  r.epochs = (int64_t)num(o, "epochs", 10);
  r.steps = (int64_t)num(o, "steps", 0);
  r.batchSize = (int64_t)num(o, "batchSize", 128);
  r.earlyStopping = flag(o, "earlyStopping", false);
  r.patience = (int64_t)num(o, "patience", 5);
  r.minDelta = num(o, "minDelta", 0);
  r.seed = (uint64_t)num(o, "seed", 0);
  r.threads = (int)num(o, "threads", 0);
  r.cuda = str(o, "device", "cpu") == "cuda";
  return r;
}

// Holds JS values alive for the duration of an async call (their backing stores are what the worker reads).
struct Keep {
  std::vector<Napi::Reference<Napi::Value>> refs;
  void add(const Napi::Value& v) {
    if (!v.IsUndefined() && !v.IsNull()) refs.push_back(Napi::Persistent(v));
  }
};

// The first element of a typed array (byte offset applied). Works for SharedArrayBuffer-backed arrays too, which
// TypedArray::ArrayBuffer() does not.
void* elements(const Napi::TypedArray& a) {
  napi_typedarray_type t;
  size_t len, off;
  void* data = nullptr;
  napi_value ab;
  napi_status st = napi_get_typedarray_info(a.Env(), a, &t, &len, &data, &ab, &off);
  if (st != napi_ok) NAPI_THROW(Napi::Error::New(a.Env(), "cannot read a typed array"), nullptr);
  return data;
}

template <class T>
const T* typedData(Napi::Env env, const Napi::Value& v, napi_typedarray_type want, const char* name, const char* wantName,
                   size_t wantLen) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != want)
    jsFail(env, ErrorKind::Input, std::string("data.") + name + " must be a " + wantName);
  auto a = v.As<Napi::TypedArray>();
  if (a.ElementLength() != wantLen)
    jsFail(env, ErrorKind::Input, std::string("data.") + name + " has " + std::to_string(a.ElementLength()) +
                                      " elements, expected " + std::to_string(wantLen) + " (from n and the shape)");
  return static_cast<const T*>(elements(a));
}

DataView readData(Napi::Env env, const Napi::Object& o, Keep& keep) {
  DataView d;
  auto kind = str(o, "xKind", "");
  if (kind == "dense") d.xKind = XKind::Dense;
  else if (kind == "image") d.xKind = XKind::Image;
  else if (kind == "tokens") d.xKind = XKind::Tokens;
  else jsFail(env, ErrorKind::Input, "data.xKind must be \"dense\", \"image\" or \"tokens\", got \"" + kind + "\"");
  d.n = (int64_t)num(o, "n", -1);
  if (d.n < 0) jsFail(env, ErrorKind::Input, "data.n must be a non-negative number");
  d.xShape = ints(o, "xShape");
  size_t want = d.xKind == XKind::Image ? 3 : 1;
  if (d.xShape.size() != want)
    jsFail(env, ErrorKind::Input, "data.xShape must have " + std::to_string(want) + " dimension(s) for xKind \"" + kind +
                                      "\" (" + (want == 3 ? "[c, h, w]" : (kind == "dense" ? "[d]" : "[seqLen]")) + ")");
  d.rowSize = 1;
  for (auto s : d.xShape) {
    if (s < 1) jsFail(env, ErrorKind::Input, "data.xShape has a non-positive dimension");
    d.rowSize *= s;
  }
  size_t xl = (size_t)(d.n * d.rowSize);
  auto x = o.Get("x");
  keep.add(x);
  if (d.xKind == XKind::Dense) {
    d.xf = typedData<float>(env, x, napi_float32_array, "x", "Float32Array for dense data", xl);
  } else if (d.xKind == XKind::Tokens) {
    d.xi = typedData<int32_t>(env, x, napi_int32_array, "x", "Int32Array of token ids", xl);
    d.vocabSize = (int64_t)num(o, "vocabSize", 0);
    if (d.vocabSize < 2) jsFail(env, ErrorKind::Input, "token data needs data.vocabSize >= 2");
  } else if (x.IsTypedArray() && x.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array) {
    d.xf = typedData<float>(env, x, napi_float32_array, "x", "Uint8Array or Float32Array image", xl);
  } else {
    d.xu8 = typedData<uint8_t>(env, x, napi_uint8_array, "x", "Uint8Array or Float32Array image", xl);
    auto mean = doubles(o, "imageMean"), sd = doubles(o, "imageStd");
    int64_t C = d.xShape[0];
    for (int64_t c = 0; c < C; c++) {
      double m = mean.empty() ? 0.0 : mean[(size_t)c % mean.size()];
      double s = sd.empty() ? 1.0 : sd[(size_t)c % sd.size()];
      if (!(s > 0)) jsFail(env, ErrorKind::Input, "data.imageStd must be positive");
      d.imageScale.push_back((float)(1.0 / (255.0 * s)));
      d.imageShift.push_back((float)(-m / s));
    }
  }
  auto task = str(o, "task", "");
  if (task != "classification" && task != "regression")
    jsFail(env, ErrorKind::Input, "data.task must be \"classification\" or \"regression\"");
  d.classification = task == "classification";
  auto y = o.Get("y");
  keep.add(y);
  if (d.classification) {
    d.numClasses = (int64_t)num(o, "numClasses", 0);
    if (d.numClasses < 2) jsFail(env, ErrorKind::Input, "classification data needs data.numClasses >= 2");
    d.yi = typedData<int32_t>(env, y, napi_int32_array, "y", "Int32Array of class ids for classification", (size_t)d.n);
  } else {
    d.yf = typedData<float>(env, y, napi_float32_array, "y", "Float32Array of targets for regression", (size_t)d.n);
  }
  auto cat = o.Get("cat");
  if (!cat.IsUndefined() && !cat.IsNull()) {
    d.catCardinalities = ints(o, "catCardinalities");
    if (d.catCardinalities.empty())
      jsFail(env, ErrorKind::Input, "data.cat is given but data.catCardinalities is missing");
    keep.add(cat);
    d.cat = typedData<int32_t>(env, cat, napi_int32_array, "cat", "Int32Array of categorical ids",
                               (size_t)(d.n * (int64_t)d.catCardinalities.size()));
  }
  return d;
}

Rows readRows(Napi::Env env, const Napi::Value& v, int64_t n, Keep& keep, const char* name) {
  Rows r;
  if (v.IsUndefined() || v.IsNull()) {
    r.count = n;
    return r;
  }
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    jsFail(env, ErrorKind::Input, std::string(name) + " must be an Int32Array of row indices");
  keep.add(v);
  auto a = v.As<Napi::TypedArray>();
  r.count = (int64_t)a.ElementLength();
  r.idx = static_cast<const int32_t*>(elements(a));
  return r;
}

Napi::Object epochObject(Napi::Env env, const EpochReport& e) {
  auto o = Napi::Object::New(env);
  o.Set("epoch", (double)e.epoch);
  o.Set("trainLoss", e.trainLoss);
  if (e.hasValid) {
    o.Set("validLoss", e.validLoss);
    o.Set("validMetric", e.validMetric);
  }
  o.Set("lr", e.lr);
  o.Set("seconds", e.seconds);
  o.Set("samplesPerSecond", e.samplesPerSecond);
  return o;
}

// ---- model handle ------------------------------------------------------------------------------------------------

struct AddonData {
  Napi::FunctionReference modelCtor;
};

class ModelWrap : public Napi::ObjectWrap<ModelWrap> {
 public:
  std::shared_ptr<ModelState> state;
  static Napi::Function Define(Napi::Env env);
  explicit ModelWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ModelWrap>(info) {}
  static Napi::Object Wrap(Napi::Env env, std::shared_ptr<ModelState> s) {
    auto obj = env.GetInstanceData<AddonData>()->modelCtor.New({});
    Unwrap(obj)->state = std::move(s);
    return obj;
  }
  std::shared_ptr<ModelState> need(Napi::Env env) {
    if (!state) jsFail(env, ErrorKind::Input, "this model was disposed");
    return state;
  }
  Napi::Value Predict(const Napi::CallbackInfo& info) { return Infer(info, 0); }
  Napi::Value Embed(const Napi::CallbackInfo& info) { return Infer(info, 1); }
  Napi::Value Infer(const Napi::CallbackInfo& info, int mode);
  Napi::Value Evaluate(const Napi::CallbackInfo& info);
  Napi::Value SaveWeights(const Napi::CallbackInfo& info);
  Napi::Value LoadWeights(const Napi::CallbackInfo& info);
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    state.reset();  // in-flight calls hold their own reference and finish first
    return info.Env().Undefined();
  }
};

// A promise-returning worker: `work` runs on the thread pool, `done` builds the result on the main thread.
class PromiseWorker : public Napi::AsyncWorker {
 public:
  PromiseWorker(Napi::Env env, std::function<void()> work, std::function<Napi::Value(Napi::Env)> done)
      : Napi::AsyncWorker(env, "enough"), deferred_(Napi::Promise::Deferred::New(env)), work_(std::move(work)),
        done_(std::move(done)) {}
  Keep keep;
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    if (!guarded(work_, kind_, msg_)) SetError(msg_);
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    try {
      deferred_.Resolve(done_(Env()));
    } catch (const Napi::Error& e) {
      deferred_.Reject(e.Value());
    }
  }
  void OnError(const Napi::Error&) override {
    Napi::HandleScope scope(Env());
    deferred_.Reject(makeError(Env(), kind_, msg_).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  std::function<void()> work_;
  std::function<Napi::Value(Napi::Env)> done_;
  ErrorKind kind_ = ErrorKind::Training;
  std::string msg_;
};

Napi::Value ModelWrap::Infer(const Napi::CallbackInfo& info, int mode) {
  auto env = info.Env();
  auto st = need(env);
  auto res = std::make_shared<std::vector<float>>();
  auto dim = std::make_shared<int64_t>(0);
  Keep keep;
  auto data = std::make_shared<DataView>(readData(env, info[0].As<Napi::Object>(), keep));
  auto rows = readRows(env, info[1], data->n, keep, "rows");
  int threads = info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 0;
  auto w = new PromiseWorker(
      env,
      [st, data, rows, res, dim, mode, threads] {
        setThreads(threads);
        *res = infer(*st, *data, rows, mode, *dim);
      },
      [res, dim, mode](Napi::Env env) -> Napi::Value {
        auto arr = Napi::Float32Array::New(env, res->size());
        std::memcpy(arr.Data(), res->data(), res->size() * sizeof(float));
        if (mode == 0) return arr;
        auto o = Napi::Object::New(env);
        o.Set("dim", (double)*dim);
        o.Set("values", arr);
        return o;
      });
  w->keep = std::move(keep);
  w->Queue();
  return w->Promise();
}

Napi::Value ModelWrap::Evaluate(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto st = need(env);
  auto res = std::make_shared<EvalResult>();
  Keep keep;
  auto data = std::make_shared<DataView>(readData(env, info[0].As<Napi::Object>(), keep));
  auto rows = readRows(env, info[1], data->n, keep, "rows");
  bool cls = st->meta.classification;
  int threads = info[2].IsNumber() ? info[2].As<Napi::Number>().Int32Value() : 0;
  auto w = new PromiseWorker(
      env,
      [st, data, rows, res, threads] {
        setThreads(threads);
        *res = evaluateModel(*st, *data, rows);
      },
      [res, cls](Napi::Env env) -> Napi::Value {
        auto o = Napi::Object::New(env);
        o.Set("loss", res->loss);
        if (cls) {
          o.Set("accuracy", res->accuracy);
        } else {
          o.Set("mse", res->mse);
          o.Set("r2", res->r2);
        }
        o.Set("n", (double)res->n);
        return o;
      });
  w->keep = std::move(keep);
  w->Queue();
  return w->Promise();
}

Napi::Value ModelWrap::SaveWeights(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto st = need(env);
  auto path = info[0].As<Napi::String>().Utf8Value();
  auto w = new PromiseWorker(env, [st, path] { saveWeights(*st, path); },
                             [](Napi::Env env) -> Napi::Value { return env.Undefined(); });
  w->Queue();
  return w->Promise();
}

Napi::Value ModelWrap::LoadWeights(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto st = need(env);
  auto path = info[0].As<Napi::String>().Utf8Value();
  auto w = new PromiseWorker(env, [st, path] { loadWeights(*st, path); },
                             [](Napi::Env env) -> Napi::Value { return env.Undefined(); });
  w->Queue();
  return w->Promise();
}

// What save() needs besides the weights: input metadata and target scaling.
Napi::Value ModelWrap::Info(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto st = need(env);
  auto o = Napi::Object::New(env);
  o.Set("paramCount", (double)st->paramCount());
  o.Set("featureDim", (double)st->net->featureDim);
  o.Set("yMean", st->yMean);
  o.Set("yStd", st->yStd);
  o.Set("channelsLast", st->spec.channelsLast);
  return o;
}

Napi::Function ModelWrap::Define(Napi::Env env) {
  return DefineClass(env, "NativeModel",
                     {InstanceMethod<&ModelWrap::Predict>("predict"), InstanceMethod<&ModelWrap::Embed>("embed"),
                      InstanceMethod<&ModelWrap::Evaluate>("evaluate"),
                      InstanceMethod<&ModelWrap::SaveWeights>("saveWeights"),
                      InstanceMethod<&ModelWrap::LoadWeights>("loadWeights"), InstanceMethod<&ModelWrap::Info>("info"),
                      InstanceMethod<&ModelWrap::Dispose>("dispose")});
}

// ---- train -------------------------------------------------------------------------------------------------------

class TrainWorker : public Napi::AsyncProgressQueueWorker<EpochReport> {
 public:
  TrainWorker(Napi::Env env) : Napi::AsyncProgressQueueWorker<EpochReport>(env, "enough.train"),
                               deferred(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise::Deferred deferred;
  Keep keep;
  Spec spec;
  Recipe recipe;
  DataView data;
  Rows train, valid;
  bool hasValid = false;
  int32_t* cancel = nullptr;  // JS Int32Array(1); JS writes 1 to cancel
  Napi::FunctionReference onEpoch;
  Napi::Reference<Napi::Value> callbackError;

  std::shared_ptr<ModelState> model;
  TrainResult result;
  ErrorKind kind = ErrorKind::Training;
  std::string msg;

  void Execute(const ExecutionProgress& progress) override {
    bool ok = guarded(
        [&] {
          model = trainModel(spec, data, train, hasValid ? &valid : nullptr, recipe, cancel,
                             [&](const EpochReport& e) { progress.Send(&e, 1); }, result);
        },
        kind, msg);
    if (!ok) SetError(msg);
  }
  void OnProgress(const EpochReport* e, size_t count) override {
    if (onEpoch.IsEmpty() || !callbackError.IsEmpty()) return;
    Napi::HandleScope scope(Env());
    for (size_t i = 0; i < count; i++) {
      try {
        onEpoch.Call({epochObject(Env(), e[i])});
      } catch (const Napi::Error& err) {
        // A throwing progress callback stops the training and becomes its error.
        callbackError = Napi::Reference<Napi::Value>::New(err.Value(), 1);
        if (cancel) *cancel = 1;
        return;
      }
    }
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    if (!callbackError.IsEmpty()) return (void)deferred.Reject(callbackError.Value());
    auto o = Napi::Object::New(Env());
    auto r = Napi::Object::New(Env());
    auto hist = Napi::Array::New(Env(), result.history.size());
    for (size_t i = 0; i < result.history.size(); i++) hist.Set((uint32_t)i, epochObject(Env(), result.history[i]));
    r.Set("history", hist);
    r.Set("bestEpoch", (double)result.bestEpoch);
    r.Set("epochs", (double)result.epochs);
    r.Set("steps", (double)result.steps);
    r.Set("seconds", result.seconds);
    r.Set("samplesPerSecond", result.samplesPerSecond);
    r.Set("stoppedEarly", result.stoppedEarly);
    r.Set("paramCount", (double)result.paramCount);
    o.Set("result", r);
    o.Set("model", ModelWrap::Wrap(Env(), model));
    deferred.Resolve(o);
  }
  void OnError(const Napi::Error&) override {
    Napi::HandleScope scope(Env());
    if (!callbackError.IsEmpty()) return (void)deferred.Reject(callbackError.Value());
    deferred.Reject(makeError(Env(), kind, msg).Value());
  }
};

// train(spec, data, trainRows|null, validRows|null, recipe, onEpoch|null, cancel: Int32Array(1)) -> Promise
Napi::Value Train(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  // Read and check everything before creating the worker: a worker that is never queued must not be leaked.
  Keep keep;
  Spec spec = readSpec(env, info[0].As<Napi::Object>());
  DataView data = readData(env, info[1].As<Napi::Object>(), keep);
  Rows train = readRows(env, info[2], data.n, keep, "rows.train");
  Rows valid;
  bool hasValid = !info[3].IsUndefined() && !info[3].IsNull();
  if (hasValid) valid = readRows(env, info[3], data.n, keep, "rows.valid");
  Recipe recipe = readRecipe(env, info[4].As<Napi::Object>());
  int32_t* cancel = nullptr;
  if (info[6].IsTypedArray() && info[6].As<Napi::TypedArray>().TypedArrayType() == napi_int32_array) {
    auto a = info[6].As<Napi::Int32Array>();
    keep.add(a);
    cancel = static_cast<int32_t*>(elements(a));
  }
  auto w = new TrainWorker(env);
  w->keep = std::move(keep);
  w->spec = spec;
  w->data = data;
  w->train = train;
  w->valid = valid;
  w->hasValid = hasValid;
  w->recipe = recipe;
  w->cancel = cancel;
  if (info[5].IsFunction()) w->onEpoch = Napi::Persistent(info[5].As<Napi::Function>());
  auto p = w->deferred.Promise();
  w->Queue();
  return p;
}

// createModel(spec, meta, seed) -> NativeModel with fresh weights (load() then reads weights into it).
Napi::Value CreateModel(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  auto st = std::make_shared<ModelState>();
  st->spec = readSpec(env, info[0].As<Napi::Object>());
  auto m = info[1].As<Napi::Object>();
  auto kind = str(m, "xKind", "dense");
  st->meta.xKind = kind == "image" ? XKind::Image : kind == "tokens" ? XKind::Tokens : XKind::Dense;
  st->meta.xShape = ints(m, "xShape");
  st->meta.classification = str(m, "task", "classification") == "classification";
  st->meta.numClasses = (int64_t)num(m, "numClasses", 0);
  st->meta.vocabSize = (int64_t)num(m, "vocabSize", 0);
  st->meta.catCardinalities = ints(m, "catCardinalities");
  st->yMean = num(m, "yMean", 0);
  st->yStd = num(m, "yStd", 1);
  ErrorKind k;
  std::string msg;
  bool ok = guarded(
      [&] {
        st->net = buildNet(st->spec, st->meta);
        st->spec.channelsLast = st->spec.channelsLast && channelsLastSafe(*st->net);
        st->net->eval();
      },
      k, msg);
  if (!ok) jsFail(env, k, msg);
  return ModelWrap::Wrap(env, st);
}

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
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreadsJs));
  exports.Set("setBlasThreads", Napi::Function::New(env, SetBlasThreads));
  return exports;
}

}  // namespace enough

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return enough::Init(env, exports); }
NODE_API_MODULE(enough_native, InitModule)
