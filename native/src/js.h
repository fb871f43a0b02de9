// Shared by the N-API files (js_values.cc, model_handle.cc, train_call.cc, addon.cc): errors carried to JS, JS
// values kept alive for async calls, the readers that turn JS objects into engine.h structs, and the model handle
// class. Only these files include napi.h; models.cc, trainer.cc and batcher.cc stay pure libtorch.
#pragma once

#include <napi.h>

#include <functional>
#include <string>
#include <vector>

#include "engine.h"

namespace enough {

const char* kindName(ErrorKind k);
Napi::Error makeError(Napi::Env env, ErrorKind k, const std::string& msg);
[[noreturn]] void jsFail(Napi::Env env, ErrorKind k, const std::string& msg);

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

// Holds JS values alive for the duration of an async call (their backing stores are what the worker reads).
struct Keep {
  std::vector<Napi::Reference<Napi::Value>> refs;
  void add(const Napi::Value& v) {
    if (!v.IsUndefined() && !v.IsNull()) refs.push_back(Napi::Persistent(v));
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

// ---- js_values.cc: reading JS values ----
// Optional values (data fields whose absence has a meaning, e.g. no categorical columns).
double num(const Napi::Object& o, const char* k, double dflt);
std::string str(const Napi::Object& o, const char* k, const std::string& dflt);
std::vector<int64_t> ints(const Napi::Object& o, const char* k);
std::vector<double> doubles(const Napi::Object& o, const char* k);
void* elements(const Napi::TypedArray& a);
// Spec and recipe: the TypeScript side (spec.ts resolveSpec, train.ts) fills every field, so a missing one is a
// bug in the caller and is rejected, never replaced by a default of C++'s own.
Spec readSpec(Napi::Env env, const Napi::Object& o);
Recipe readRecipe(Napi::Env env, const Napi::Object& o);
Pretext readPretext(Napi::Env env, const Napi::Object& o);
// labels false: y may be absent (rows without labels); the DataView then has no y.
DataView readData(Napi::Env env, const Napi::Object& o, Keep& keep, bool labels = true);
Rows readRows(Napi::Env env, const Napi::Value& v, int64_t n, Keep& keep, const char* name);
Napi::Object epochObject(Napi::Env env, const EpochReport& e);

// ---- model_handle.cc ----
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

// createModel(spec, meta) -> NativeModel with fresh weights (load() then reads weights into it).
Napi::Value CreateModel(const Napi::CallbackInfo& info);

// ---- train_call.cc ----
// train(spec, data, trainRows|null, validRows|null, recipe, onEpoch|null, cancel: Int32Array(1)) -> Promise
//   ..., unlabeledData|null, unlabeledRows|null): FixMatch's rows without labels (recipe.semi)
Napi::Value Train(const Napi::CallbackInfo& info);
// pretext(spec, data (y optional), rows|null, recipe, pretext, onEpoch|null, cancel) -> Promise (pretext.cc)
Napi::Value PretextTrain(const Napi::CallbackInfo& info);

// ---- acquire.cc ----
// acquire(model, data, pool, labelled|null, {strategy, k, seed, mcSamples, threads}) -> Promise<{rows, scores}>
Napi::Value Acquire(const Napi::CallbackInfo& info);

}  // namespace enough
