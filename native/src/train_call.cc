// train(): reads the spec, data, rows and recipe on the main thread, trains on a worker thread, and reports each
// epoch to JS through the progress queue (a throwing callback cancels the training and becomes its error).
#include "js.h"

namespace enough {
namespace {

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
  Unlabeled unlabeled;       // FixMatch's rows (recipe.semi)
  bool hasUnlabeled = false;
  bool pretextOnly = false;  // pretext(): self-supervised pretraining on `train` (pretext.cc)
  Pretext pretext;
  int32_t* cancel = nullptr;  // JS Int32Array(1); JS writes 1 to cancel
  Napi::FunctionReference onEpoch;
  Napi::Reference<Napi::Value> callbackError;

  std::shared_ptr<ModelState> model;
  TrainResult result;
  ErrorKind kind = ErrorKind::Training;
  std::string msg;

  // Queues the worker with its progress callback (a function, or none); the promise settles when it ends.
  Napi::Value start(const Napi::Value& onEpochFn) {
    if (onEpochFn.IsFunction()) onEpoch = Napi::Persistent(onEpochFn.As<Napi::Function>());
    auto p = deferred.Promise();
    Queue();
    return p;
  }

  void Execute(const ExecutionProgress& progress) override {
    bool ok = guarded(
        [&] {
          auto send = [&](const EpochReport& e) { progress.Send(&e, 1); };
          model = pretextOnly ? pretrainModel(spec, data, train, recipe, pretext, cancel, send, result)
                              : trainModel(spec, data, train, hasValid ? &valid : nullptr, recipe, cancel, send, result,
                                           hasUnlabeled ? &unlabeled : nullptr);
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
    if (result.semiConfident >= 0) r.Set("semiConfident", result.semiConfident);
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

// The cancel flag: a JS Int32Array(1) the worker polls (JS writes 1), or none.
int32_t* cancelFlag(const Napi::Value& v, Keep& keep) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) return nullptr;
  keep.add(v);
  return static_cast<int32_t*>(elements(v.As<Napi::TypedArray>()));
}

}  // namespace

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
  // FixMatch's unlabelled rows: read without labels (the JS side passes none).
  Unlabeled unlabeled;
  bool hasUnlabeled = info.Length() > 7 && info[7].IsObject();
  if (hasUnlabeled) {
    unlabeled.data = readData(env, info[7].As<Napi::Object>(), keep, false);
    unlabeled.rows = readRows(env, info[8], unlabeled.data.n, keep, "rows.unlabeled");
  }
  auto w = new TrainWorker(env);
  w->cancel = cancelFlag(info[6], keep);
  w->keep = std::move(keep);
  w->spec = spec;
  w->data = data;
  w->train = train;
  w->valid = valid;
  w->hasValid = hasValid;
  w->recipe = recipe;
  w->unlabeled = unlabeled;
  w->hasUnlabeled = hasUnlabeled;
  return w->start(info[5]);
}

// pretext(spec, data, rows|null, recipe, pretext, onEpoch|null, cancel) -> Promise: self-supervised pretraining;
// the data's labels are not read (y may be absent).
Napi::Value PretextTrain(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  Keep keep;
  Spec spec = readSpec(env, info[0].As<Napi::Object>());
  DataView data = readData(env, info[1].As<Napi::Object>(), keep, false);
  Rows rows = readRows(env, info[2], data.n, keep, "rows");
  Recipe recipe = readRecipe(env, info[3].As<Napi::Object>());
  Pretext pretext = readPretext(env, info[4].As<Napi::Object>());
  auto w = new TrainWorker(env);
  w->cancel = cancelFlag(info[6], keep);
  w->keep = std::move(keep);
  w->spec = spec;
  w->data = data;
  w->train = rows;
  w->recipe = recipe;
  w->pretextOnly = true;
  w->pretext = pretext;
  return w->start(info[5]);
}

}  // namespace enough
