// The training loop, evaluation and inference. Runs on a libuv worker thread; never touches JS.
// Batches are gathered from the zero-copy JS views into buffers allocated once per call (no per-batch allocation
// for inputs); the shuffle uses a per-run RNG and dropout a per-run generator, so one seed + one thread gives
// identical metrics even while other trainings run in the same process.
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <torch/cuda.h>
#include <torch/serialize.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <random>
#include <sstream>

#include "augment.h"
#include "batcher.h"
#include "engine.h"

namespace enough {

namespace {

std::mutex gSeedMutex;  // torch::manual_seed + layer init use the global generator

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

[[noreturn]] void fail(ErrorKind k, const std::string& msg) { throw EngineError(k, msg); }

std::string fmt(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

torch::Tensor trainLoss(const torch::Tensor& out, const torch::Tensor& y, const ModelState& m,
                        const c10::optional<torch::Tensor>& weights) {
  if (m.meta.classification)
    return at::cross_entropy_loss(out, y, weights, at::Reduction::Mean, -100, m.spec.labelSmoothing);
  return torch::mse_loss(out.squeeze(1), y);
}

// On the GPU the loss is checked for NaN/Inf every this many steps (and at each epoch's end).
constexpr int64_t kCudaCheckEvery = 50;

[[noreturn]] void diverged(int64_t epoch, int64_t step, double lr) {
  fail(ErrorKind::Training, "loss diverged at epoch " + std::to_string(epoch) + " step " + std::to_string(step) +
                                "; lower the learning rate (now " + fmt(lr) + ")");
}

void checkCancel(const int32_t* cancel) {
  if (cancel && __atomic_load_n(cancel, __ATOMIC_RELAXED)) fail(ErrorKind::Cancelled, "training cancelled");
}

torch::Device deviceFor(bool cuda) {
  if (!cuda) return torch::kCPU;
  if (!torch::cuda::is_available())
    fail(ErrorKind::Environment,
         "device \"cuda\" was requested but the linked libtorch has no CUDA (or no GPU is visible); use device \"cpu\", "
         "or rebuild the addon against a CUDA libtorch named by the LIBTORCH environment variable");
  // Same seed, same metrics on the GPU too: cuDNN's autotuner and its non-deterministic algorithms would pick
  // kernels (and summation orders) per run. Costs a little speed on convolutions; set once, process-wide.
  at::globalContext().setBenchmarkCuDNN(false);
  at::globalContext().setDeterministicCuDNN(true);
  return torch::kCUDA;
}

// Cumulative eval over rows: loss sums etc. Caller holds the model in eval mode under NoGradGuard.
EvalResult evalRows(ModelState& m, const DataView& d, const Rows& rows, torch::Device dev) {
  const int64_t chunk = 1024;
  Batcher bt(d, std::min<int64_t>(chunk, std::max<int64_t>(rows.count, 1)), m.spec.channelsLast, dev, m.yMean, m.yStd);
  std::vector<int64_t> idx(bt.cap);
  double lossSum = 0, correct = 0, sse = 0, ySum = 0, y2Sum = 0;
  for (int64_t s = 0; s < rows.count; s += chunk) {
    int64_t b = std::min(chunk, rows.count - s);
    for (int64_t i = 0; i < b; i++) idx[i] = rows.at(s + i);
    torch::Tensor x, c, y;
    bt.fill(idx.data(), b, x, c, y, true);
    auto out = m.net->forward(x, c);
    if (m.meta.classification) {
      lossSum += at::cross_entropy_loss(out, y, {}, at::Reduction::Sum).item<double>();
      correct += out.argmax(1).eq(y).sum().item<double>();
    } else {
      auto pred = out.squeeze(1).to(torch::kDouble) * m.yStd + m.yMean;
      auto yt = y.to(torch::kDouble) * m.yStd + m.yMean;
      sse += (pred - yt).pow(2).sum().item<double>();
      ySum += yt.sum().item<double>();
      y2Sum += yt.pow(2).sum().item<double>();
    }
  }
  EvalResult r;
  r.n = rows.count;
  double n = std::max<double>((double)rows.count, 1.0);
  if (m.meta.classification) {
    r.loss = lossSum / n;
    r.accuracy = correct / n;
  } else {
    r.mse = sse / n;
    r.loss = r.mse;
    double sst = y2Sum - ySum * ySum / n;
    r.r2 = sst > 1e-12 * n ? 1.0 - sse / sst : (sse <= 1e-12 ? 1.0 : 0.0);
  }
  return r;
}

void toChannelsLast(NetImpl& net) {
  torch::NoGradGuard ng;
  for (auto& p : net.parameters())
    if (p.dim() == 4) p.set_data(p.contiguous(at::MemoryFormat::ChannelsLast));
}

double scheduledLr(const Recipe& r, int64_t step, int64_t total) {
  if (r.schedule == Schedule::Constant || total <= 1) return r.lr;
  double t = (double)step / (double)(total - 1);
  if (r.schedule == Schedule::Cosine) return r.lr * 0.5 * (1.0 + std::cos(M_PI * t));
  // One-cycle (PyTorch OneCycleLR defaults): 30% warm-up from lr/25 to lr, then cosine down to lr/25/1e4.
  const double pct = 0.3, start = r.lr / 25.0, end = start / 1e4;
  if (t < pct) return start + (r.lr - start) * 0.5 * (1.0 - std::cos(M_PI * t / pct));
  double u = (t - pct) / (1.0 - pct);
  return end + (r.lr - end) * 0.5 * (1.0 + std::cos(M_PI * u));
}

std::unique_ptr<torch::optim::Optimizer> makeOptimizer(NetImpl& net, const Recipe& r) {
  auto params = net.parameters();
  switch (r.optimizer) {
    case Optim::Sgd:
      return std::make_unique<torch::optim::SGD>(
          params, torch::optim::SGDOptions(r.lr).momentum(r.momentum).nesterov(r.nesterov).weight_decay(r.weightDecay));
    case Optim::Adam:
      return std::make_unique<torch::optim::Adam>(params, torch::optim::AdamOptions(r.lr).weight_decay(r.weightDecay));
    case Optim::AdamW:
      return std::make_unique<torch::optim::AdamW>(params, torch::optim::AdamWOptions(r.lr).weight_decay(r.weightDecay));
  }
  return nullptr;
}

void setLr(torch::optim::Optimizer& opt, double lr) {
  for (auto& g : opt.param_groups()) g.options().set_lr(lr);
}

// Every parameter and buffer, in a fixed order (for best-weights snapshots and save/load).
std::vector<torch::Tensor> stateTensors(NetImpl& net) {
  std::vector<torch::Tensor> t;
  for (auto& p : net.named_parameters()) t.push_back(p.value());
  for (auto& b : net.named_buffers()) t.push_back(b.value());
  return t;
}

}  // namespace

torch::Device deviceOf(bool cuda) { return deviceFor(cuda); }

void setThreads(int threads) {
  if (threads > 0) at::set_num_threads(threads);
}

int blasThreads() {
  using Fn = int (*)();
  auto fn = (Fn)dlsym(RTLD_DEFAULT, "openblas_get_num_threads");
  return fn ? fn() : -1;
}

std::string blasName() {
  using Fn = char* (*)();
  auto fn = (Fn)dlsym(RTLD_DEFAULT, "openblas_get_config");
  auto core = (Fn)dlsym(RTLD_DEFAULT, "openblas_get_corename");
  // The config string names the build target; the core name is what DYNAMIC_ARCH actually chose at load.
  if (fn) return std::string(fn()) + (core ? std::string(" (core: ") + core() + ")" : "");
  return "unknown (not OpenBLAS)";
}

void validateData(const DataView& d, const Rows& rows, const InputMeta* meta, const char* what, bool labels) {
  const int64_t numClasses = meta ? meta->numClasses : d.numClasses;
  const int64_t vocab = meta ? meta->vocabSize : d.vocabSize;
  const auto& cards = meta ? meta->catCardinalities : d.catCardinalities;
  for (int64_t i = 0; i < rows.count; i++) {
    int64_t r = rows.at(i);
    if (r < 0 || r >= d.n)
      fail(ErrorKind::Input, std::string(what) + " rows[" + std::to_string(i) + "] = " + std::to_string(r) +
                                 " is outside the data (0.." + std::to_string(d.n - 1) + ")");
    if (!labels) {
      // predict/embed ignore targets
    } else if (d.classification) {
      int32_t y = d.yi[r];
      if (y < 0 || y >= numClasses)
        fail(ErrorKind::Input, "label " + std::to_string(y) + " at row " + std::to_string(r) + " is out of range 0.." +
                                   std::to_string(numClasses - 1) + " (numClasses " + std::to_string(numClasses) + ")");
    } else if (!std::isfinite(d.yf[r])) {
      fail(ErrorKind::Input, "target at row " + std::to_string(r) + " is not a finite number");
    }
    if (d.xKind == XKind::Tokens) {
      const int32_t* s = d.xi + r * d.rowSize;
      for (int64_t k = 0; k < d.rowSize; k++)
        if (s[k] < 0 || s[k] >= vocab)
          fail(ErrorKind::Input, "token id " + std::to_string(s[k]) + " at row " + std::to_string(r) + ", position " +
                                     std::to_string(k) + " is out of range 0.." + std::to_string(vocab - 1) +
                                     " (vocabSize " + std::to_string(vocab) + ")");
    } else if (d.xf) {
      const float* s = d.xf + r * d.rowSize;
      for (int64_t k = 0; k < d.rowSize; k++)
        if (!std::isfinite(s[k]))
          fail(ErrorKind::Input, "feature " + std::to_string(k) + " at row " + std::to_string(r) +
                                     " is not a finite number (impute or drop missing values first)");
    }
    if (d.cat) {
      const int64_t K = (int64_t)cards.size();
      for (int64_t k = 0; k < K; k++) {
        int32_t c = d.cat[r * K + k];
        if (c < 0 || c >= cards[k])
          fail(ErrorKind::Input, "categorical id " + std::to_string(c) + " at row " + std::to_string(r) + ", column " +
                                     std::to_string(k) + " is out of range 0.." + std::to_string(cards[k] - 1));
      }
    }
  }
}

std::shared_ptr<ModelState> trainModel(const Spec& spec, const DataView& d, const Rows& train, const Rows* valid,
                                       const Recipe& r, const int32_t* cancel,
                                       const std::function<void(const EpochReport&)>& onEpoch, TrainResult& out) {
  auto t0 = Clock::now();
  torch::Device dev = deviceFor(r.cuda);
  setThreads(r.threads);
  if (train.count < 1) fail(ErrorKind::Input, "no training rows");
  if (r.privacy.on) {
    // The TypeScript side refuses these with typed errors first; the engine does not trust its caller.
    if (spec.batchNorm || spec.family == Family::Resnet)
      fail(ErrorKind::Spec, "batch norm is not private (it mixes the rows of a batch): train with batchNorm: false "
                            "(the resnet family always has batch norm; use mlp or cnn)");
    if (r.augment.on && (r.augment.mixup > 0 || r.augment.cutmix > 0 || r.augment.smote > 0))
      fail(ErrorKind::Spec, "mixup, cutmix and smote mix rows, so per-sample gradients would not be per sample; "
                            "turn them off under privacy");
    if (!(r.privacy.maxGradNorm > 0) || !(r.privacy.noiseMultiplier >= 0))
      fail(ErrorKind::Spec, "privacy needs maxGradNorm > 0 and noiseMultiplier >= 0");
  }
  validateData(d, train, nullptr, "train", true);
  if (valid) validateData(d, *valid, nullptr, "valid", true);

  auto m = std::make_shared<ModelState>();
  m->spec = spec;
  m->cuda = r.cuda;
  m->meta.xKind = d.xKind;
  m->meta.xShape = d.xShape;
  m->meta.classification = d.classification;
  m->meta.numClasses = d.classification ? d.numClasses : 0;
  m->meta.vocabSize = d.vocabSize;
  m->meta.catCardinalities = d.catCardinalities;
  if (!d.classification) {
    double s = 0, s2 = 0;
    for (int64_t i = 0; i < train.count; i++) {
      double y = d.yf[train.at(i)];
      s += y, s2 += y * y;
    }
    m->yMean = s / train.count;
    double var = s2 / train.count - m->yMean * m->yMean;
    m->yStd = var > 1e-12 ? std::sqrt(var) : 1.0;
  }
  {
    std::lock_guard<std::mutex> g(gSeedMutex);
    torch::manual_seed(r.seed);
    m->net = buildNet(spec, m->meta);
  }
  m->spec.channelsLast = spec.channelsLast && channelsLastSafe(*m->net);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(r.seed * 0x9E3779B97F4A7C15ULL + 1);
  // Dropout masks are drawn on the model's device, so a CUDA run needs a CUDA generator of its own: a clone of the
  // default one (no CUDA headers needed, so CPU-only builds compile the same source), reseeded per run.
  at::Generator devGen = gen;
  if (r.cuda) {
    devGen = at::globalContext().defaultGenerator(dev).clone();
    devGen.set_current_seed(r.seed * 0x9E3779B97F4A7C15ULL + 1);
  }
  m->net->gen = &devGen;
  if (!r.initWeights.empty()) copyWeights(*m->net, r.initWeights, r.initSkipHead);
  if (m->spec.channelsLast) toChannelsLast(*m->net);
  if (r.cuda) m->net->to(dev);
  c10::optional<torch::Tensor> weights;
  if (!spec.classWeights.empty())
    weights = torch::tensor(std::vector<float>(spec.classWeights.begin(), spec.classWeights.end())).to(dev);

  auto opt = makeOptimizer(*m->net, r);
  const int64_t B = std::min(r.batchSize, train.count);
  int64_t batchesPerEpoch = (train.count + B - 1) / B;
  // A trailing batch of one row breaks batch norm and adds little: drop it when there are other batches (private
  // training has no batch norm, and its shuffled epochs keep every row).
  const bool dropTail = !r.privacy.on && batchesPerEpoch > 1 && train.count % B == 1;
  if (dropTail) batchesPerEpoch--;
  const int64_t totalSteps = r.steps > 0 ? r.steps : r.epochs * batchesPerEpoch;
  const int64_t maxEpochs = (totalSteps + batchesPerEpoch - 1) / batchesPerEpoch;

  Batcher bt(d, B, m->spec.channelsLast, dev, m->yMean, m->yStd);
  // Augmentation works on the host batch buffers, so an augmented CUDA run gathers each batch on the host (pinned
  // buffers, one copy per batch) instead of keeping its rows resident on the device.
  std::unique_ptr<Augmenter> aug;
  if (r.augment.on) {
    aug = std::make_unique<Augmenter>(r.augment, d, train, r.seed, B, m->spec.channelsLast);
    bt.aug = aug.get();
  }
  std::unique_ptr<ResidentRows> resident;
  if (r.cuda && !aug && !r.privacy.on && ResidentRows::bytes(d, train) <= kResidentMaxBytes)
    resident = std::make_unique<ResidentRows>(d, train, m->spec.channelsLast, dev, m->yMean, m->yStd);
  // The epoch's order as positions in `train`; `rowsOf` turns a batch of positions into data rows.
  std::vector<int64_t> perm(train.count), rowsOf(B);
  for (int64_t i = 0; i < train.count; i++) perm[i] = i;
  torch::Tensor permDev;
  std::mt19937_64 rng(r.seed);
  auto params = m->net->parameters();

  std::vector<torch::Tensor> best;  // best-weights snapshot (early stopping)
  double bestLoss = INFINITY;
  int64_t bad = 0, step = 0;
  double trainSeconds = 0;
  int64_t trainSamples = 0;
  out.bestEpoch = 0;

  // Fine-tuning: the first headSteps steps train the head only. Frozen parameters get no gradient (no
  // requires_grad), which the optimizers skip, so they stay exactly as loaded; autograd does not go below the head.
  const int64_t headSteps = r.finetune == Finetune::Head           ? totalSteps
                            : r.finetune == Finetune::HeadThenFull ? std::llround(r.headFraction * totalSteps)
                                                                   : 0;
  bool frozen = false;
  auto freezeFeatures = [&](bool on) {
    for (auto& p : m->net->named_parameters())
      if (p.key().rfind("head.", 0) != 0) p.value().set_requires_grad(!on);
    frozen = on;
  };
  if (headSteps > 0) freezeFeatures(true);

  // DP-SGD: the private gradient replaces the batch-mean loss's. Per-sample losses (no reduction); the noise comes
  // from the run's CPU generator. Poisson sampling: each step takes each training row with probability q = B / n
  // (a variable number of rows, gathered in chunks of at most B); the expected batch size B divides the sum.
  std::unique_ptr<PrivateGrad> dp;
  std::vector<int64_t> stepRows;
  const double q = (double)B / (double)train.count;
  if (r.privacy.on) {
    const bool cls = m->meta.classification;
    const double smooth = spec.labelSmoothing;
    PrivateGrad::LossFn perSample = [cls, smooth, &weights](const torch::Tensor& o, const torch::Tensor& yy) {
      if (cls) return at::cross_entropy_loss(o, yy, weights, at::Reduction::None, -100, smooth);
      return (o.squeeze(1) - yy).pow(2);
    };
    dp = std::make_unique<PrivateGrad>(*m->net, r.privacy, (double)B, gen, perSample);
    stepRows.reserve((size_t)B * 2);
  }

  for (int64_t epoch = 1; epoch <= maxEpochs; epoch++) {
    auto te = Clock::now();
    m->net->train();
    if (frozen) m->net->setFeaturesTraining(false);
    for (int64_t i = train.count - 1; i > 0; i--) {  // Fisher-Yates with our own draw: portable across libstdc++
      int64_t j = (int64_t)(rng() % (uint64_t)(i + 1));
      std::swap(perm[i], perm[j]);
    }
    if (resident) permDev = torch::from_blob(perm.data(), {train.count}, torch::kLong).to(dev);
    double lossSum = 0;
    torch::Tensor lossDev;  // CUDA: the epoch's loss sum, kept on the device
    int64_t seen = 0;
    double lr = r.lr;
    for (int64_t bi = 0; bi < batchesPerEpoch && step < totalSteps; bi++) {
      checkCancel(cancel);
      const int64_t b = std::min(B, train.count - bi * B);
      if (frozen && step >= headSteps) {
        freezeFeatures(false);
        m->net->setFeaturesTraining(true);
        if (dp) dp->reset();
      }
      lr = scheduledLr(r, step, totalSteps);
      setLr(*opt, lr);
      if (dp) {
        stepRows.clear();
        if (r.privacy.poisson) {
          for (int64_t i = 0; i < train.count; i++)
            if ((double)(rng() >> 11) * 0x1.0p-53 < q) stepRows.push_back(i);
        } else {
          for (int64_t i = 0; i < b; i++) stepRows.push_back(perm[bi * B + i]);
        }
        const int64_t rowsInStep = (int64_t)stepRows.size();
        double stepLoss = 0;
        for (int64_t s0 = 0; s0 < rowsInStep; s0 += B) {
          const int64_t cb = std::min(B, rowsInStep - s0);
          for (int64_t i = 0; i < cb; i++) rowsOf[i] = train.at(stepRows[s0 + i]);
          torch::Tensor x, c, y;
          bt.fill(rowsOf.data(), cb, x, c, y, true);
          stepLoss += dp->accumulate(x, c, y);
        }
        if (!std::isfinite(stepLoss)) diverged(epoch, step + 1, lr);
        for (auto& p : params) p.mutable_grad().reset();
        dp->finish();
        opt->step();
        lossSum += stepLoss;
        seen += rowsInStep;
        step++;
        continue;
      }
      torch::Tensor x, c, y;
      if (resident) {
        resident->batch(permDev.narrow(0, bi * B, b), x, c, y);
      } else {
        for (int64_t i = 0; i < b; i++) rowsOf[i] = train.at(perm[bi * B + i]);
        bt.fill(rowsOf.data(), b, x, c, y, true);
      }
      for (auto& p : params) p.mutable_grad().reset();  // set-to-none: backward writes fresh grads, no memset
      auto outB = m->net->forward(x, c);
      // Mixed batches (mixup/cutmix, classification): the soft-target loss, lam * L(y) + (1 - lam) * L(y2).
      auto loss = bt.y2.defined() && !resident
                      ? trainLoss(outB, y, *m, weights) * bt.lam + trainLoss(outB, bt.y2, *m, weights) * (1 - bt.lam)
                      : trainLoss(outB, y, *m, weights);
      if (!r.cuda) {
        double lv = loss.item<double>();
        if (!std::isfinite(lv)) diverged(epoch, step + 1, lr);
        lossSum += lv * b;
      } else {
        // Reading the loss every step would stall the GPU queue: sum it on the device, check it every few steps.
        lossDev = lossDev.defined() ? lossDev + loss.detach() * (double)b : loss.detach() * (double)b;
        if ((step + 1) % kCudaCheckEvery == 0 && !std::isfinite(lossDev.item<double>())) diverged(epoch, step + 1, lr);
      }
      loss.backward();
      opt->step();
      seen += b;
      step++;
    }
    if (lossDev.defined()) {
      lossSum = lossDev.item<double>();
      lossDev = torch::Tensor();
      if (!std::isfinite(lossSum)) diverged(epoch, step, lr);
    }
    double trainSec = since(te);
    trainSeconds += trainSec;
    trainSamples += seen;

    EpochReport e;
    e.epoch = epoch;
    e.trainLoss = lossSum / std::max<int64_t>(seen, 1) * (d.classification ? 1.0 : m->yStd * m->yStd);
    e.lr = lr;
    bool stop = false;
    if (valid && valid->count > 0) {
      checkCancel(cancel);
      m->net->eval();
      EvalResult v;
      {
        torch::NoGradGuard ng;
        v = evalRows(*m, d, *valid, dev);
      }
      e.hasValid = true;
      e.validLoss = v.loss;
      e.validMetric = d.classification ? v.accuracy : v.r2;
      if (bestLoss - v.loss > r.minDelta || !std::isfinite(bestLoss)) {
        bestLoss = v.loss;
        out.bestEpoch = epoch;
        bad = 0;
        if (r.earlyStopping) {
          torch::NoGradGuard ng;
          auto cur = stateTensors(*m->net);
          if (best.empty())
            for (auto& t : cur) best.push_back(t.detach().clone());
          else
            for (size_t i = 0; i < cur.size(); i++) best[i].copy_(cur[i]);
        }
      } else if (r.earlyStopping && ++bad >= r.patience) {
        stop = true;
      }
    } else {
      out.bestEpoch = epoch;
    }
    e.seconds = since(te);
    e.samplesPerSecond = seen / std::max(trainSec, 1e-9);
    out.history.push_back(e);
    out.epochs = epoch;
    if (onEpoch) onEpoch(e);
    if (stop) {
      out.stoppedEarly = epoch < maxEpochs;
      break;
    }
  }
  if (r.earlyStopping && !best.empty() && out.bestEpoch != out.epochs) {
    torch::NoGradGuard ng;
    auto cur = stateTensors(*m->net);
    for (size_t i = 0; i < cur.size(); i++) cur[i].copy_(best[i]);
  }
  if (frozen) freezeFeatures(false);
  m->net->gen = nullptr;
  m->net->eval();
  out.steps = step;
  out.seconds = since(t0);
  out.samplesPerSecond = trainSamples / std::max(trainSeconds, 1e-9);
  out.paramCount = m->paramCount();
  return m;
}

std::vector<float> infer(ModelState& m, const DataView& d, const Rows& rows, int mode, int64_t& dimOut) {
  std::lock_guard<std::mutex> g(m.mu);
  torch::Device dev = deviceFor(m.cuda);
  validateData(d, rows, &m.meta, "predict", false);
  m.net->eval();
  torch::NoGradGuard ng;
  const int64_t chunk = 1024;
  Batcher bt(d, std::min<int64_t>(chunk, std::max<int64_t>(rows.count, 1)), m.spec.channelsLast, dev, m.yMean, m.yStd);
  std::vector<int64_t> idx(bt.cap);
  int64_t dim = mode == 1 ? m.net->featureDim : (m.meta.classification ? m.meta.numClasses : 1);
  dimOut = dim;
  std::vector<float> res((size_t)(rows.count * dim));
  for (int64_t s = 0; s < rows.count; s += chunk) {
    int64_t b = std::min(chunk, rows.count - s);
    for (int64_t i = 0; i < b; i++) idx[i] = rows.at(s + i);
    torch::Tensor x, c, y;
    bt.fill(idx.data(), b, x, c, y, false);
    torch::Tensor o;
    if (mode == 1) {
      o = m.net->features(x, c);
    } else {
      o = m.net->forward(x, c);
      o = m.meta.classification ? torch::softmax(o, 1) : o * m.yStd + m.yMean;
    }
    o = o.to(torch::kCPU, torch::kFloat).contiguous();
    std::memcpy(res.data() + s * dim, o.data_ptr<float>(), sizeof(float) * b * dim);
  }
  return res;
}

EvalResult evaluateModel(ModelState& m, const DataView& d, const Rows& rows) {
  std::lock_guard<std::mutex> g(m.mu);
  torch::Device dev = deviceFor(m.cuda);
  validateData(d, rows, &m.meta, "evaluate", true);
  m.net->eval();
  torch::NoGradGuard ng;
  return evalRows(m, d, rows, dev);
}

void saveWeights(ModelState& m, const std::string& path) {
  std::lock_guard<std::mutex> g(m.mu);
  torch::serialize::OutputArchive ar;
  auto named = m.net->named_parameters();
  for (auto& p : named) ar.write(p.key(), p.value().detach().to(torch::kCPU).contiguous(), false);
  for (auto& b : m.net->named_buffers()) ar.write(b.key(), b.value().to(torch::kCPU).contiguous(), true);
  ar.save_to(path);
}

void copyWeights(NetImpl& net, const std::string& path, bool skipHead) {
  torch::serialize::InputArchive ar;
  ar.load_from(path);
  torch::NoGradGuard ng;
  auto isHead = [](const std::string& k) { return k.rfind("head.", 0) == 0; };
  for (auto& p : net.named_parameters()) {
    if (skipHead && isHead(p.key())) continue;
    torch::Tensor t;
    if (!ar.try_read(p.key(), t, false)) fail(ErrorKind::Input, path + " lacks parameter " + p.key() + " (saved from another model spec?)");
    if (t.sizes() != p.value().sizes())
      fail(ErrorKind::Input, path + ": parameter " + p.key() + " has the wrong shape for this spec" +
                                 (isHead(p.key()) ? " (another number of classes: skip the head)" : ""));
    p.value().copy_(t);
  }
  for (auto& b : net.named_buffers()) {
    if (skipHead && isHead(b.key())) continue;
    torch::Tensor t;
    if (!ar.try_read(b.key(), t, true)) fail(ErrorKind::Input, path + " lacks buffer " + b.key());
    if (t.sizes() != b.value().sizes()) fail(ErrorKind::Input, path + ": buffer " + b.key() + " has the wrong shape for this spec");
    b.value().copy_(t);
  }
}

void loadWeights(ModelState& m, const std::string& path) {
  std::lock_guard<std::mutex> g(m.mu);
  copyWeights(*m.net, path, false);
}

}  // namespace enough
