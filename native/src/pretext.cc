// Self-supervised pretraining (see Pretext in engine.h): the model's own feature extractor is trained on rows
// without labels by a pretext task, then saved like any model, so that fine-tuning loads it as a transfer source
// (recipe.init with a fresh head). The pretext heads (projection, decoder) are dropped afterwards. Every loss is
// computed here, per batch, from the run's generators (same seed, same weights on one thread).
//  - contrastive (SimCLR, Chen et al. 2020): two augmented views per row from the augmentation module, a projection
//    head, NT-Xent over the 2B views of a batch (each view's positive is the other view of its row).
//  - reconstruct: masked-feature reconstruction: dense features zeroed at random (the standardised mean), or 4x4
//    patches of an image; a linear decoder from the features predicts the inputs, MSE on the masked entries.
//  - masked-tokens: tokens masked at random (set to padding, the vocabulary's only special id). The text families
//    pool over positions, so there is no per-position output to predict from: the head predicts the bag of masked
//    tokens of each row (soft cross-entropy against their distribution).
#include <chrono>
#include <cmath>
#include <random>

#include "augment.h"
#include "batcher.h"
#include "engine.h"
#include "generators.h"

namespace enough {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(ErrorKind k, const std::string& msg) { throw EngineError(k, msg); }

// A linear layer initialised from `gen` (PyTorch's default bounds) instead of the global generator: the pretext
// heads are built after the network, outside the trainer's seed lock.
torch::nn::Linear seededLinear(int64_t in, int64_t out, at::Generator& gen) {
  torch::nn::Linear l(in, out);
  torch::NoGradGuard ng;
  const double bound = 1.0 / std::sqrt((double)in);
  l->weight.uniform_(-bound, bound, gen);
  l->bias.uniform_(-bound, bound, gen);
  return l;
}

}  // namespace

std::shared_ptr<ModelState> pretrainModel(const Spec& spec, const DataView& d, const Rows& rows, const Recipe& r,
                                          const Pretext& p, const int32_t* cancel,
                                          const std::function<void(const EpochReport&)>& onEpoch, TrainResult& out) {
  auto t0 = Clock::now();
  torch::Device dev = deviceFor(r.cuda);
  setThreads(r.threads);
  if (rows.count < 2) fail(ErrorKind::Input, "pretraining needs at least 2 rows");
  if (p.method == PretextMethod::MaskedTokens && d.xKind != XKind::Tokens)
    fail(ErrorKind::Spec, "the masked-tokens pretext needs token data");
  if (p.method == PretextMethod::Reconstruct && d.xKind == XKind::Tokens)
    fail(ErrorKind::Spec, "the reconstruct pretext needs dense or image data (use masked-tokens for text)");
  if (!(p.maskRate > 0 && p.maskRate < 1) || !(p.temperature > 0) || p.projDim < 1)
    fail(ErrorKind::Spec, "pretext needs maskRate in (0, 1), temperature > 0 and projDim >= 1");
  validateData(d, rows, nullptr, "pretrain", false);

  auto m = newModel(spec, d, r);
  auto [gen, devGen] = runGenerators(r, dev);
  m->net->gen = &devGen;
  const int64_t D = m->net->featureDim;
  torch::nn::Sequential aux;
  if (p.method == PretextMethod::Contrastive) {
    aux->push_back(seededLinear(D, D, gen));
    aux->push_back(torch::nn::ReLU());
    aux->push_back(seededLinear(D, p.projDim, gen));
  } else {
    aux->push_back(seededLinear(D, p.method == PretextMethod::Reconstruct ? d.rowSize : d.vocabSize, gen));
  }
  if (r.cuda) {
    m->net->to(dev);
    aux->to(dev);
  }
  auto params = m->net->parameters();
  for (auto& q : aux->parameters()) params.push_back(q);
  torch::optim::Adam opt(params, torch::optim::AdamOptions(r.lr).weight_decay(r.weightDecay));

  // Whole batches only: NT-Xent's negatives are the batch's other rows.
  const int64_t B = std::max<int64_t>(2, std::min(r.batchSize, rows.count));
  const int64_t batchesPerEpoch = std::max<int64_t>(1, rows.count / B);
  const int64_t totalSteps = r.steps > 0 ? r.steps : r.epochs * batchesPerEpoch;
  const int64_t maxEpochs = (totalSteps + batchesPerEpoch - 1) / batchesPerEpoch;
  const bool cl = m->spec.channelsLast;
  Batcher b1(d, B, cl, dev, 0.0, 1.0), b2(d, B, cl, dev, 0.0, 1.0);
  std::unique_ptr<Augmenter> a1, a2;
  if (p.view.on) {
    a1 = std::make_unique<Augmenter>(p.view, d, rows, r.seed ^ 0x5E1F0001ULL, B, cl);
    a2 = std::make_unique<Augmenter>(p.view, d, rows, r.seed ^ 0x5E1F0002ULL, B, cl);
    b1.aug = a1.get();
    b2.aug = a2.get();
  }
  std::vector<int64_t> perm((size_t)rows.count), batchRows((size_t)B);
  for (int64_t i = 0; i < rows.count; i++) perm[(size_t)i] = i;
  std::mt19937_64 rng(r.seed);
  const auto fopt = torch::TensorOptions().dtype(torch::kFloat);

  auto stepLoss = [&](int64_t b) -> torch::Tensor {
    torch::Tensor x, c, y;
    b1.fill(batchRows.data(), b, x, c, y, false);
    if (p.method == PretextMethod::Contrastive) {
      torch::Tensor x2, c2, y2;
      b2.fill(batchRows.data(), b, x2, c2, y2, false);
      auto both = torch::cat({x, x2});
      auto z = torch::nn::functional::normalize(
          aux->forward(m->net->features(cl ? both.contiguous(at::MemoryFormat::ChannelsLast) : both,
                                        c.defined() ? torch::cat({c, c2}) : c)),
          torch::nn::functional::NormalizeFuncOptions().dim(1));
      auto self = torch::eye(2 * b, torch::TensorOptions().dtype(torch::kBool).device(dev));
      auto sim = (z.matmul(z.t()) / p.temperature).masked_fill(self, -1e9);
      auto idx = torch::arange(2 * b, torch::TensorOptions().dtype(torch::kLong).device(dev));
      auto target = (idx + b).remainder(2 * b);
      return torch::nn::functional::cross_entropy(sim, target);
    }
    if (p.method == PretextMethod::Reconstruct) {
      torch::Tensor mask;  // 1 = masked, in the input's logical shape
      if (d.xKind == XKind::Image) {
        const int64_t H = d.xShape[1], W = d.xShape[2];
        auto patches = torch::empty({b, 1, (H + 3) / 4, (W + 3) / 4}, fopt).bernoulli_(p.maskRate, gen);
        mask = patches.repeat_interleave(4, 2).repeat_interleave(4, 3).narrow(2, 0, H).narrow(3, 0, W);
        mask = mask.expand({b, d.xShape[0], H, W}).to(dev);
      } else {
        mask = torch::empty({b, d.rowSize}, fopt).bernoulli_(p.maskRate, gen).to(dev);
      }
      auto target = x.reshape({b, -1});
      auto pred = aux->forward(m->net->features(x * (1 - mask), c));
      auto mflat = mask.reshape({b, -1});
      return ((pred - target).pow(2) * mflat).sum() / mflat.sum().clamp_min(1.0);
    }
    // masked tokens
    auto masked = torch::empty(x.sizes(), fopt).bernoulli_(p.maskRate, gen).to(dev).to(torch::kBool) & (x != 0);
    auto target = torch::zeros({b, d.vocabSize}, fopt.device(dev)).scatter_add_(1, x, masked.to(torch::kFloat));
    auto counts = target.sum(1);
    auto logp = torch::log_softmax(aux->forward(m->net->features(x.masked_fill(masked, 0), c)), 1);
    auto perRow = -(target * logp).sum(1);  // counts x cross-entropy against the masked tokens' distribution
    return perRow.sum() / counts.sum().clamp_min(1.0);
  };

  int64_t step = 0;
  double trainSeconds = 0;
  int64_t samples = 0;
  for (int64_t epoch = 1; epoch <= maxEpochs; epoch++) {
    auto te = Clock::now();
    m->net->train();
    aux->train();
    for (int64_t i = rows.count - 1; i > 0; i--) {
      int64_t j = (int64_t)(rng() % (uint64_t)(i + 1));
      std::swap(perm[(size_t)i], perm[(size_t)j]);
    }
    double lossSum = 0;
    int64_t seen = 0;
    for (int64_t bi = 0; bi < batchesPerEpoch && step < totalSteps; bi++) {
      if (cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED)) fail(ErrorKind::Cancelled, "pretraining cancelled");
      const int64_t b = std::min(B, rows.count - bi * B);
      for (int64_t i = 0; i < b; i++) batchRows[(size_t)i] = rows.at(perm[(size_t)(bi * B + i)]);
      for (auto& q : params) q.mutable_grad().reset();
      auto loss = stepLoss(b);
      double lv = loss.item<double>();
      if (!std::isfinite(lv))
        fail(ErrorKind::Training, "pretext loss diverged at epoch " + std::to_string(epoch) + "; lower the learning rate");
      loss.backward();
      opt.step();
      lossSum += lv * b;
      seen += b;
      step++;
    }
    double sec = std::chrono::duration<double>(Clock::now() - te).count();
    trainSeconds += sec;
    samples += seen;
    EpochReport e;
    e.epoch = epoch;
    e.trainLoss = lossSum / std::max<int64_t>(seen, 1);
    e.lr = r.lr;
    e.seconds = sec;
    e.samplesPerSecond = seen / std::max(sec, 1e-9);
    out.history.push_back(e);
    out.epochs = epoch;
    out.bestEpoch = epoch;
    if (onEpoch) onEpoch(e);
  }
  m->net->gen = nullptr;
  m->net->eval();
  out.steps = step;
  out.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  out.samplesPerSecond = samples / std::max(trainSeconds, 1e-9);
  out.paramCount = m->paramCount();
  return m;
}

}  // namespace enough
