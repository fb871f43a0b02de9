// A promise-returning AsyncWorker shared by the addon's async calls (model_handle.cc, neighbours.cc).
#pragma once

#include "js.h"

namespace enough {

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

}  // namespace enough
