// The model handle (NativeModel): predict, embed, evaluate, save and load weights on a worker thread each, and
// createModel for Model.load(). Nothing here runs per batch.
#include <cstring>

#include "js.h"

namespace enough {

Napi::Value ModelWrap::Infer(const Napi::CallbackInfo& info, int mode) {
  auto env = info.Env();
  auto st = need(env);
  auto res = std::make_shared<std::vector<float>>();
  auto dim = std::make_shared<int64_t>(0);
  Keep keep;
  auto data = std::make_shared<DataView>(readData(env, info[0].As<Napi::Object>(), keep, false));
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
  // Optional 4th argument: also return the pass's predictions (metrics beyond loss/accuracy/mse/r2 come from them).
  bool keepPredictions = info.Length() > 3 && info[3].IsBoolean() && info[3].As<Napi::Boolean>().Value();
  auto w = new PromiseWorker(
      env,
      [st, data, rows, res, threads, keepPredictions] {
        setThreads(threads);
        *res = evaluateModel(*st, *data, rows, keepPredictions);
      },
      [res, cls, keepPredictions](Napi::Env env) -> Napi::Value {
        auto o = Napi::Object::New(env);
        o.Set("loss", res->loss);
        if (cls) {
          o.Set("accuracy", res->accuracy);
        } else {
          o.Set("mse", res->mse);
          o.Set("r2", res->r2);
        }
        o.Set("n", (double)res->n);
        if (keepPredictions) {
          auto arr = Napi::Float32Array::New(env, res->predictions.size());
          std::memcpy(arr.Data(), res->predictions.data(), res->predictions.size() * sizeof(float));
          o.Set("predictions", arr);
        }
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

}  // namespace enough
