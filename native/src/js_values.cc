// Reading JS values into the plain structs of engine.h, and the errors that carry a `kind` back to JS
// (src/engine/native.ts maps it onto the EnoughError classes).
#include "js.h"

namespace enough {

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

// ---- reading JS values -------------------------------------------------------------------------------------------

double num(const Napi::Object& o, const char* k, double dflt) {
  auto v = o.Get(k);
  return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : dflt;
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

namespace {

// Required fields of the spec and recipe objects. `what` names the object ("spec", "recipe") in the message.
Napi::Value need(Napi::Env env, const Napi::Object& o, const char* what, const char* k) {
  auto v = o.Get(k);
  if (v.IsUndefined())
    jsFail(env, ErrorKind::Spec, std::string(what) + " field \"" + k +
                                     "\" is missing: the TypeScript engine fills every field before calling the addon");
  return v;
}
double needNum(Napi::Env env, const Napi::Object& o, const char* what, const char* k) {
  auto v = need(env, o, what, k);
  if (!v.IsNumber()) jsFail(env, ErrorKind::Spec, std::string(what) + " field \"" + k + "\" must be a number");
  return v.As<Napi::Number>().DoubleValue();
}
bool needFlag(Napi::Env env, const Napi::Object& o, const char* what, const char* k) {
  auto v = need(env, o, what, k);
  if (!v.IsBoolean()) jsFail(env, ErrorKind::Spec, std::string(what) + " field \"" + k + "\" must be true or false");
  return v.As<Napi::Boolean>().Value();
}
std::string needStr(Napi::Env env, const Napi::Object& o, const char* what, const char* k) {
  auto v = need(env, o, what, k);
  if (!v.IsString()) jsFail(env, ErrorKind::Spec, std::string(what) + " field \"" + k + "\" must be a string");
  return v.As<Napi::String>().Utf8Value();
}
std::vector<double> needDoubles(Napi::Env env, const Napi::Object& o, const char* what, const char* k) {
  auto v = need(env, o, what, k);
  if (!v.IsArray()) jsFail(env, ErrorKind::Spec, std::string(what) + " field \"" + k + "\" must be a list of numbers");
  std::vector<double> r;
  auto a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    auto e = a.Get(i);
    if (!e.IsNumber()) jsFail(env, ErrorKind::Spec, std::string(what) + " field \"" + k + "\" must be a list of numbers");
    r.push_back(e.As<Napi::Number>().DoubleValue());
  }
  return r;
}
std::vector<int64_t> needInts(Napi::Env env, const Napi::Object& o, const char* what, const char* k) {
  std::vector<int64_t> r;
  for (double d : needDoubles(env, o, what, k)) r.push_back((int64_t)d);
  return r;
}
// One of `names`, mapped to its index.
int needChoice(Napi::Env env, const Napi::Object& o, const char* what, const char* k, std::initializer_list<const char*> names) {
  auto v = needStr(env, o, what, k);
  int i = 0;
  for (auto n : names) {
    if (v == n) return i;
    i++;
  }
  jsFail(env, ErrorKind::Spec, std::string(what) + " field \"" + k + "\" has an unknown value \"" + v + "\"");
}

// A field that is null (off) or an object: false for null, else `out` is the object.
bool nullOrObject(Napi::Env env, const Napi::Value& v, const char* name, Napi::Object& out) {
  if (v.IsNull()) return false;
  if (!v.IsObject()) jsFail(env, ErrorKind::Spec, std::string(name) + " must be null or an object");
  out = v.As<Napi::Object>();
  return true;
}

// A resolved augmentation: null (off) or every op present.
void readAugment(Napi::Env env, const Napi::Value& v, const char* A, Augment& g) {
  Napi::Object a;
  if (!nullOrObject(env, v, A, a)) return;
  g.on = true;
  g.crop = (int64_t)needNum(env, a, A, "crop");
  g.flip = needFlag(env, a, A, "flip");
  g.rotate = needNum(env, a, A, "rotate");
  g.scale = needNum(env, a, A, "scale");
  g.cutout = needNum(env, a, A, "cutout");
  g.cutmix = needNum(env, a, A, "cutmix");
  g.mixup = needNum(env, a, A, "mixup");
  g.noise = needNum(env, a, A, "noise");
  g.smote = needNum(env, a, A, "smote");
  g.tokenDropout = needNum(env, a, A, "tokenDropout");
  g.tokenSwap = needNum(env, a, A, "tokenSwap");
}

}  // namespace

Spec readSpec(Napi::Env env, const Napi::Object& o) {
  const char* W = "spec";
  Spec s;
  s.family = (Family)needChoice(env, o, W, "family", {"mlp", "cnn", "resnet", "text", "torchscript"});
  s.hidden = needInts(env, o, W, "hidden");
  s.channels = needInts(env, o, W, "channels");
  s.fc = (int64_t)needNum(env, o, W, "fc");
  s.blocks = (int64_t)needNum(env, o, W, "blocks");
  s.batchNorm = needFlag(env, o, W, "batchNorm");
  s.dropout = needNum(env, o, W, "dropout");
  s.textConv = needChoice(env, o, W, "variant", {"bag", "conv"}) == 1;
  s.embedDim = (int64_t)needNum(env, o, W, "embedDim");
  s.kernel = (int64_t)needNum(env, o, W, "kernel");
  s.catEmbedDims = needInts(env, o, W, "catEmbedDims");
  s.labelSmoothing = needNum(env, o, W, "labelSmoothing");
  s.classWeights = needDoubles(env, o, W, "classWeights");
  s.channelsLast = needFlag(env, o, W, "channelsLast");
  s.scriptPath = needStr(env, o, W, "scriptPath");
  if (s.family == Family::TorchScript && s.scriptPath.empty())
    jsFail(env, ErrorKind::Spec, "spec field \"scriptPath\" must name a TorchScript file for family torchscript");
  return s;
}

Recipe readRecipe(Napi::Env env, const Napi::Object& o) {
  const char* W = "recipe";
  Recipe r;
  r.optimizer = (Optim)needChoice(env, o, W, "optimizer", {"sgd", "adam", "adamw"});
  r.lr = needNum(env, o, W, "lr");
  r.momentum = needNum(env, o, W, "momentum");
  r.nesterov = needFlag(env, o, W, "nesterov");
  r.weightDecay = needNum(env, o, W, "weightDecay");
  r.schedule = (Schedule)needChoice(env, o, W, "schedule", {"constant", "cosine", "onecycle"});
  r.epochs = (int64_t)needNum(env, o, W, "epochs");
  r.steps = (int64_t)needNum(env, o, W, "steps");
  r.batchSize = (int64_t)needNum(env, o, W, "batchSize");
  r.earlyStopping = needFlag(env, o, W, "earlyStopping");
  r.patience = (int64_t)needNum(env, o, W, "patience");
  r.minDelta = needNum(env, o, W, "minDelta");
  r.seed = (uint64_t)needNum(env, o, W, "seed");
  r.threads = (int)needNum(env, o, W, "threads");
  r.cuda = needChoice(env, o, W, "device", {"cpu", "cuda"}) == 1;
  // augment: null (off) or the resolved ops, every field present.
  readAugment(env, need(env, o, W, "augment"), "recipe.augment", r.augment);
  // init: null or { weights, skipHead }; finetune: { mode, headFraction }.
  auto init = need(env, o, W, "init");
  if (!init.IsNull()) {
    if (!init.IsObject()) jsFail(env, ErrorKind::Spec, "recipe field \"init\" must be null or an object");
    auto i = init.As<Napi::Object>();
    r.initWeights = needStr(env, i, "recipe.init", "weights");
    r.initSkipHead = needFlag(env, i, "recipe.init", "skipHead");
  }
  auto ft = need(env, o, W, "finetune");
  if (!ft.IsObject()) jsFail(env, ErrorKind::Spec, "recipe field \"finetune\" must be an object");
  auto f = ft.As<Napi::Object>();
  r.finetune = (Finetune)needChoice(env, f, "recipe.finetune", "mode", {"full", "head", "head-then-full"});
  r.headFraction = needNum(env, f, "recipe.finetune", "headFraction");
  // privacy: null (off) or { noiseMultiplier, maxGradNorm, sampling }.
  Napi::Object po;
  if (nullOrObject(env, need(env, o, W, "privacy"), "recipe field \"privacy\"", po)) {
    const char* P = "recipe.privacy";
    r.privacy.on = true;
    r.privacy.noiseMultiplier = needNum(env, po, P, "noiseMultiplier");
    r.privacy.maxGradNorm = needNum(env, po, P, "maxGradNorm");
    r.privacy.poisson = needChoice(env, po, P, "sampling", {"poisson", "shuffle"}) == 0;
  }
  // semi: null (off) or { threshold, ratio, weight, weak, strong } (FixMatch; the views are resolved augmentations).
  Napi::Object so;
  if (nullOrObject(env, need(env, o, W, "semi"), "recipe field \"semi\"", so)) {
    const char* S = "recipe.semi";
    r.semi.on = true;
    r.semi.threshold = needNum(env, so, S, "threshold");
    r.semi.ratio = (int64_t)needNum(env, so, S, "ratio");
    r.semi.weight = needNum(env, so, S, "weight");
    readAugment(env, need(env, so, S, "weak"), "recipe.semi.weak", r.semi.weak);
    readAugment(env, need(env, so, S, "strong"), "recipe.semi.strong", r.semi.strong);
  }
  return r;
}

Pretext readPretext(Napi::Env env, const Napi::Object& o) {
  const char* W = "pretext";
  Pretext p;
  p.method = (PretextMethod)needChoice(env, o, W, "method", {"contrastive", "reconstruct", "masked-tokens"});
  p.temperature = needNum(env, o, W, "temperature");
  p.maskRate = needNum(env, o, W, "maskRate");
  p.projDim = (int64_t)needNum(env, o, W, "projDim");
  readAugment(env, need(env, o, W, "view"), "pretext.view", p.view);
  return p;
}

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

DataView readData(Napi::Env env, const Napi::Object& o, Keep& keep, bool labels) {
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
  // Rows without labels (semi-supervised, pretraining, inference): no y at all, so none can be read.
  const bool noY = !labels && (y.IsUndefined() || y.IsNull());
  if (d.classification) {
    d.numClasses = (int64_t)num(o, "numClasses", 0);
    if (d.numClasses < 2) jsFail(env, ErrorKind::Input, "classification data needs data.numClasses >= 2");
    if (!noY) d.yi = typedData<int32_t>(env, y, napi_int32_array, "y", "Int32Array of class ids for classification", (size_t)d.n);
  } else if (!noY) {
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
}  // namespace enough
