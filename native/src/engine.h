// Shared types of the native engine: the resolved model spec, the recipe, zero-copy views of the JS data, and the
// error kinds that the TypeScript face turns into typed EnoughErrors. No N-API here: models.cc and trainer.cc
// stay pure libtorch so they can be compiled (and reasoned about) without node headers.
#pragma once

#include <torch/nn.h>
#include <torch/optim.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

namespace enough {

// Error kinds map 1:1 to src/errors.ts classes (see src/engine/native.ts).
enum class ErrorKind { Input, Spec, Training, Cancelled, Environment };

struct EngineError : std::runtime_error {
  ErrorKind kind;
  EngineError(ErrorKind k, const std::string& msg) : std::runtime_error(msg), kind(k) {}
};

enum class XKind { Dense, Image, Tokens };
enum class Family { Mlp, Cnn, Resnet, Text, TorchScript };

// What a model needs to know about its input; fixed at train time and saved with the model.
struct InputMeta {
  XKind xKind = XKind::Dense;
  std::vector<int64_t> xShape;  // per-row shape: [d] | [c,h,w] | [seqLen]
  bool classification = true;
  int64_t numClasses = 0;  // 0 for regression
  int64_t vocabSize = 0;
  std::vector<int64_t> catCardinalities;
};

// A fully resolved spec: the TypeScript side fills every default, so C++ never guesses.
struct Spec {
  Family family = Family::Mlp;
  std::vector<int64_t> hidden;    // mlp hidden sizes; text bag hidden sizes
  std::vector<int64_t> channels;  // cnn block channels; resnet stage channels; text conv channels
  int64_t fc = 0;                 // cnn: hidden fc size before the head (0 = none)
  int64_t blocks = 1;             // resnet: residual blocks per stage
  bool batchNorm = false;
  double dropout = 0.0;
  bool textConv = false;  // text: variant "conv" (else "bag")
  int64_t embedDim = 64;  // text
  int64_t kernel = 5;     // text conv kernel
  std::vector<int64_t> catEmbedDims;  // mlp: one per categorical column
  double labelSmoothing = 0.0;
  std::vector<double> classWeights;  // empty = none
  bool channelsLast = false;         // cnn/resnet memory format (a speed knob, not a model change)
  std::string scriptPath;            // torchscript: a TorchScript module mapping the input batch to features
};

// Per-batch data augmentation, resolved by src/engine/train.ts against the data kind (every field explicit; the
// ops that do not apply to the data kind are 0). Applied to training batches only, in the batch gather.
struct Augment {
  bool on = false;
  // images
  int64_t crop = 0;    // random shift of up to this many pixels, the uncovered border padded (pad + random crop)
  bool flip = false;   // horizontal flip with probability 1/2
  double rotate = 0;   // rotation uniform in [-rotate, rotate] degrees
  double scale = 0;    // zoom uniform in [1 - scale, 1 + scale]
  double cutout = 0;   // one square of this fraction of the shorter side, set to the padding value
  double cutmix = 0;   // Beta(a, a) alpha; 0 = off
  // images and dense
  double mixup = 0;  // Beta(a, a) alpha; 0 = off
  // dense
  double noise = 0;  // Gaussian noise with this many standard deviations of each feature (over the training rows)
  double smote = 0;  // probability per row of moving it toward a same-class neighbour (SMOTE-style interpolation)
  // tokens
  double tokenDropout = 0;  // probability per token of being dropped (set to padding, id 0)
  double tokenSwap = 0;     // probability per position of swapping a token with the next one
};

enum class Finetune { Full, Head, HeadThenFull };

// DP-SGD (privacy.cc): each step's per-sample gradients are clipped to L2 norm maxGradNorm, summed, noised with
// N(0, (noiseMultiplier * maxGradNorm)^2) per coordinate and divided by the expected batch size. Poisson sampling
// takes each training row into each step with probability batchSize / n; otherwise the epoch's shuffled batches.
struct Privacy {
  bool on = false;
  double noiseMultiplier = 0;
  double maxGradNorm = 1;
  bool poisson = true;
};

// Semi-supervised training, FixMatch-style (semi.cc): each step also takes `ratio` x the batch of unlabelled rows,
// a weak and a strong augmented view of each; where the weak view's max probability reaches `threshold`, its argmax
// is the pseudo-label of the strong view (cross-entropy, weighted by `weight`). The unlabelled rows come without
// labels (their DataView has no y).
struct Semi {
  bool on = false;
  double threshold = 0.95;
  int64_t ratio = 7;  // mu
  double weight = 1;  // lambda_u
  Augment weak, strong;
};

// Self-supervised pretraining (pretext.cc): the same network's features trained on unlabelled rows by a pretext task.
enum class PretextMethod { Contrastive, Reconstruct, MaskedTokens };
struct Pretext {
  PretextMethod method = PretextMethod::Contrastive;
  double temperature = 0.5;  // contrastive: NT-Xent temperature
  double maskRate = 0.5;     // reconstruct: share of features (dense) or 4x4 patches (images) masked; tokens: of tokens
  int64_t projDim = 64;      // contrastive: projection head width
  Augment view;              // contrastive: the augmentation of each view
};

enum class Optim { Sgd, Adam, AdamW };
enum class Schedule { Constant, Cosine, OneCycle };

struct Recipe {
  Optim optimizer = Optim::Adam;
  double lr = 1e-3;
  double momentum = 0.9;
  bool nesterov = false;
  double weightDecay = 0.0;
  Schedule schedule = Schedule::Constant;
  int64_t epochs = 10;
  int64_t steps = 0;  // > 0: step budget instead of epochs
  int64_t batchSize = 128;
  bool earlyStopping = false;
  int64_t patience = 5;
  double minDelta = 0.0;
  uint64_t seed = 0;
  int threads = 0;  // 0 = keep the process setting
  bool cuda = false;
  Augment augment;
  // Transfer: start from saved weights of the same spec (a weights.pt written by saveWeights); skipHead keeps the
  // fresh head (the source may have another number of classes).
  std::string initWeights;
  bool initSkipHead = false;
  // Which parameters train: all, the head only (features frozen, in eval mode), or the head for the first
  // headFraction of the step budget, then all.
  Finetune finetune = Finetune::Full;
  double headFraction = 0;
  Privacy privacy;
  Semi semi;
};

// Zero-copy view of a JS `Tensors` object. Pointers stay valid while the JS side holds references to the buffers
// (the N-API layer keeps them referenced for the duration of each async call).
struct DataView {
  XKind xKind = XKind::Dense;
  int64_t n = 0;
  std::vector<int64_t> xShape;
  int64_t rowSize = 0;  // prod(xShape)
  const float* xf = nullptr;
  const uint8_t* xu8 = nullptr;
  const int32_t* xi = nullptr;
  std::vector<float> imageScale, imageShift;  // uint8 image: x * scale[c] + shift[c]
  const int32_t* cat = nullptr;
  std::vector<int64_t> catCardinalities;
  bool classification = true;
  int64_t numClasses = 0;
  int64_t vocabSize = 0;
  const int32_t* yi = nullptr;
  const float* yf = nullptr;
};

// Row indices: either an explicit list or all rows 0..n-1.
struct Rows {
  const int32_t* idx = nullptr;
  int64_t count = 0;
  int64_t at(int64_t i) const { return idx ? idx[i] : i; }
};

struct EpochReport {
  int64_t epoch = 0;
  double trainLoss = 0;
  bool hasValid = false;
  double validLoss = 0;
  double validMetric = 0;
  double lr = 0;
  double seconds = 0;
  double samplesPerSecond = 0;
};

struct TrainResult {
  std::vector<EpochReport> history;
  int64_t bestEpoch = 0;
  int64_t epochs = 0;
  int64_t steps = 0;
  double seconds = 0;
  double samplesPerSecond = 0;
  bool stoppedEarly = false;
  int64_t paramCount = 0;
  double semiConfident = -1;  // FixMatch: share of unlabelled rows whose weak view reached the threshold (-1: off)
};

// Rows without labels (semi-supervised training): their DataView has no y.
struct Unlabeled {
  DataView data;
  Rows rows;
};

struct EvalResult {
  double loss = 0;
  double accuracy = 0;
  double mse = 0;
  double r2 = 0;
  int64_t n = 0;
  // Filled only when asked (evaluateModel's keepPredictions): the same pass's class probabilities (n x classes,
  // row-major) or predicted values (n), so that metrics such as F1 or AUC are computed once from them in TS.
  std::vector<float> predictions;
};

// DP-SGD per-sample gradients by the per-layer trick: while a NetImpl's `taps` is set, the layers that go through
// NetImpl::linear / NetImpl::embed (with trainable weights) record their input and output. The gradient of the
// summed per-sample losses with respect to each output row is that sample's output gradient g_i, and the sample's
// weight gradient is g_i a_i^T (linear) or g_i scattered to its row (embedding), so per-sample norms and clipped
// sums need one backward pass and never materialise a per-sample gradient (privacy.cc).
struct Taps {
  struct Lin {
    torch::nn::LinearImpl* m;
    torch::Tensor in, out;
  };
  struct Emb {
    torch::nn::EmbeddingImpl* m;
    torch::Tensor idx, out;
  };
  std::vector<Lin> lin;
  std::vector<Emb> emb;
};

// The network: family-specific feature extractor + a linear head. `features` is the penultimate layer (embed).
struct NetImpl : torch::nn::Module {
  virtual torch::Tensor features(const torch::Tensor& x, const torch::Tensor& cat) = 0;
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cat) { return linear(head, features(x, cat)); }
  // Layer calls that record into `taps` when it is set (DP-SGD); plain forwards otherwise.
  Taps* taps = nullptr;
  torch::Tensor linear(torch::nn::Linear& l, const torch::Tensor& x);
  torch::Tensor embed(torch::nn::Embedding& e, const torch::Tensor& idx);
  torch::nn::Linear head{nullptr};
  int64_t featureDim = 0;
  // Frozen features (fine-tuning the head only) run in eval mode: batch-norm statistics and dropout inside the
  // feature extractor stay as loaded. The head and the dropout before it keep the net's mode.
  virtual void setFeaturesTraining(bool on);
  bool featuresTraining = true;
  // Dropout draws from this generator (not the global one) so concurrent trainings stay reproducible.
  at::Generator* gen = nullptr;
  // MC dropout (acquire.cc, BALD): dropout stays on in eval mode, so batch norm keeps its running statistics.
  bool mcDropout = false;
  torch::Tensor dropout(const torch::Tensor& x, double p);
};

// A trained model: the network plus everything needed to feed it and to undo target scaling.
struct ModelState {
  Spec spec;
  InputMeta meta;
  std::shared_ptr<NetImpl> net;
  double yMean = 0, yStd = 1;  // regression targets are standardised for training
  bool cuda = false;
  std::mutex mu;  // one call at a time uses the network (train/eval mode is module state)
  int64_t paramCount() const;
};

// models.cc
std::shared_ptr<NetImpl> buildNet(const Spec& spec, const InputMeta& meta);
// Whether the channels-last layout is safe for this network on every CPU (see models.cc); else NCHW is used.
bool channelsLastSafe(NetImpl& net);

// privacy.cc: DP-SGD's private gradient of one step, accumulated over chunks of the step's rows.
class PrivateGrad {
 public:
  using LossFn = std::function<torch::Tensor(const torch::Tensor& out, const torch::Tensor& y)>;  // per-sample [b]
  PrivateGrad(NetImpl& net, const Privacy& p, double expectedBatch, at::Generator gen, LossFn loss);
  // The trainable parameters changed (fine-tuning unfroze the features): new sums, method decided again.
  void reset();
  // Adds the clipped per-sample gradients of a chunk of rows to the sums; returns the sum of their losses.
  double accumulate(const torch::Tensor& x, const torch::Tensor& c, const torch::Tensor& y);
  // Noise, division by the expected batch size, written to each trainable parameter's .grad; the sums restart.
  void finish();
  // The per-sample method in use: 1 per-layer (linear/embedding taps), 0 micro-batches of one row, -1 undecided.
  int perLayer() const { return mode_; }

 private:
  bool covered(const Taps& t) const;
  double perLayerChunk(const torch::Tensor& x, const torch::Tensor& c, const torch::Tensor& y, Taps& t,
                       const torch::Tensor& out);
  double microChunk(const torch::Tensor& x, const torch::Tensor& c, const torch::Tensor& y);
  int64_t slot(const torch::Tensor& p) const;
  NetImpl& net_;
  Privacy p_;
  double expectedBatch_;
  at::Generator gen_;
  LossFn loss_;
  std::vector<torch::Tensor> params_, sums_;
  int mode_ = -1;
};

// trainer.cc
void validateData(const DataView& d, const Rows& rows, const InputMeta* meta, const char* what, bool labels);
std::shared_ptr<ModelState> trainModel(const Spec& spec, const DataView& data, const Rows& train, const Rows* valid,
                                       const Recipe& recipe, const int32_t* cancel,
                                       const std::function<void(const EpochReport&)>& onEpoch, TrainResult& out,
                                       const Unlabeled* unlabeled = nullptr);
// A fresh model for `d` (its meta, the network built under the global seed lock, the layout chosen, transfer
// weights loaded): what trainModel and pretrainModel start from.
std::shared_ptr<ModelState> newModel(const Spec& spec, const DataView& d, const Recipe& r);
void toChannelsLast(NetImpl& net);
// The device of a run (cuda: checked available; cuDNN made deterministic).
torch::Device deviceFor(bool cuda);
// pretext.cc: self-supervised pretraining on `rows` of `d` (labels never read).
std::shared_ptr<ModelState> pretrainModel(const Spec& spec, const DataView& d, const Rows& rows, const Recipe& r,
                                          const Pretext& p, const int32_t* cancel,
                                          const std::function<void(const EpochReport&)>& onEpoch, TrainResult& out);
// Runs inference in chunks; `mode` 0 = predict (probs / values), 1 = embed (features).
std::vector<float> infer(ModelState& m, const DataView& data, const Rows& rows, int mode, int64_t& dimOut);
EvalResult evaluateModel(ModelState& m, const DataView& data, const Rows& rows, bool keepPredictions = false);
void saveWeights(ModelState& m, const std::string& path);
void loadWeights(ModelState& m, const std::string& path);
// Copies every parameter and buffer of `net` from a saveWeights archive; skipHead leaves `head.*` as it is.
void copyWeights(NetImpl& net, const std::string& path, bool skipHead);
void setThreads(int threads);
int blasThreads();
std::string blasName();

}  // namespace enough
