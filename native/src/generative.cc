// The conditional VAE of generative.h. A small MLP encoder q(z | x, y) and
// decoder p(x | z, y), the class given to both as a one-hot vector (Sohn et al. 2015). Weights are initialised
// from the call's own generator (not torch's global one), so concurrent trainings cannot change each other's draws.
#include "generative.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn.h>
#include <torch/optim.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "engine.h"

namespace enough {

namespace {

struct CvaeImpl : torch::nn::Module {
  torch::nn::Linear e1{nullptr}, e2{nullptr}, mu{nullptr}, logvar{nullptr}, d1{nullptr}, d2{nullptr}, out{nullptr};
  torch::Tensor logSigma;  // Gaussian decoder: per-feature log standard deviation
  CvaeImpl(int64_t d, int64_t c, int64_t h, int64_t l, bool gaussian) {
    e1 = register_module("e1", torch::nn::Linear(d + c, h));
    e2 = register_module("e2", torch::nn::Linear(h, h));
    mu = register_module("mu", torch::nn::Linear(h, l));
    logvar = register_module("logvar", torch::nn::Linear(h, l));
    d1 = register_module("d1", torch::nn::Linear(l + c, h));
    d2 = register_module("d2", torch::nn::Linear(h, h));
    out = register_module("out", torch::nn::Linear(h, d));
    if (gaussian) logSigma = register_parameter("logSigma", torch::zeros({d}));
  }
  std::pair<torch::Tensor, torch::Tensor> encode(const torch::Tensor& x, const torch::Tensor& c) {
    auto h = torch::relu(e2(torch::relu(e1(torch::cat({x, c}, 1)))));
    return {mu(h), logvar(h).clamp(-10, 10)};
  }
  torch::Tensor decode(const torch::Tensor& z, const torch::Tensor& c) {
    return out(torch::relu(d2(torch::relu(d1(torch::cat({z, c}, 1))))));
  }
};
TORCH_MODULE(Cvae);

// PyTorch's default Linear init (uniform in +-1/sqrt(fan_in) for weight and bias), drawn from `gen`.
void initFrom(CvaeImpl& net, at::Generator& gen) {
  torch::NoGradGuard g;
  for (auto* l : {&net.e1, &net.e2, &net.mu, &net.logvar, &net.d1, &net.d2, &net.out}) {
    double b = 1.0 / std::sqrt((double)(*l)->weight.size(1));
    (*l)->weight.uniform_(-b, b, gen);
    (*l)->bias.uniform_(-b, b, gen);
  }
}

}  // namespace

CvaeResult trainCvaeAndSample(const float* x, const int32_t* y, int64_t n, int64_t d, int64_t numClasses,
                              const int32_t* sampleY, int64_t m, const CvaeOptions& o) {
  auto t0 = std::chrono::steady_clock::now();
  if (n < 2) throw EngineError(ErrorKind::Input, "the generator needs at least 2 training rows, got " + std::to_string(n));
  if (d < 1 || numClasses < 1) throw EngineError(ErrorKind::Input, "the generator needs at least one feature and one class");
  for (int64_t i = 0; i < n; i++)
    if (y[i] < 0 || y[i] >= numClasses) throw EngineError(ErrorKind::Input, "label " + std::to_string(y[i]) + " of training row " + std::to_string(i) + " is outside 0.." + std::to_string(numClasses - 1));
  for (int64_t i = 0; i < m; i++)
    if (sampleY[i] < 0 || sampleY[i] >= numClasses) throw EngineError(ErrorKind::Input, "requested class " + std::to_string(sampleY[i]) + " is outside 0.." + std::to_string(numClasses - 1));
  if (o.bernoulli)
    for (int64_t i = 0; i < n * d; i++)
      if (!(x[i] >= 0.f && x[i] <= 1.f)) throw EngineError(ErrorKind::Input, "a Bernoulli generator needs inputs in [0, 1]");

  auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed * 0x9E3779B97F4A7C15ULL + 7);
  Cvae net(d, numClasses, o.hidden, o.latent, !o.bernoulli);
  initFrom(*net, gen);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(o.lr));

  auto X = torch::from_blob(const_cast<float*>(x), {n, d}, torch::kFloat32).clone();
  auto Y = torch::from_blob(const_cast<int32_t*>(y), {n}, torch::kInt32).to(torch::kLong);
  auto C = torch::one_hot(Y, numClasses).to(torch::kFloat32);
  const int64_t B = std::max<int64_t>(1, std::min(o.batchSize, n));
  const int64_t perEpoch = (n + B - 1) / B;
  const int64_t epochs = std::max<int64_t>(1, (o.steps + perEpoch - 1) / perEpoch);
  const int64_t total = epochs * perEpoch;
  const int64_t warm = std::max<int64_t>(1, (int64_t)std::round(o.warmup * total));
  std::mt19937_64 rng(o.seed);
  std::vector<int64_t> order(n);
  CvaeResult r;
  int64_t step = 0;
  net->train();
  for (int64_t e = 0; e < epochs; e++) {
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    auto perm = torch::from_blob(order.data(), {n}, torch::kInt64);
    double sumRec = 0, sumKl = 0;
    for (int64_t b = 0; b < perEpoch; b++) {
      auto idx = perm.slice(0, b * B, std::min(n, (b + 1) * B));
      auto xb = X.index_select(0, idx), cb = C.index_select(0, idx);
      auto [mu, logvar] = net->encode(xb, cb);
      auto z = mu + torch::exp(0.5 * logvar) * torch::randn(mu.sizes(), gen);
      auto out = net->decode(z, cb);
      torch::Tensor rec;
      if (o.bernoulli) {
        rec = torch::binary_cross_entropy_with_logits(out, xb, {}, {}, at::Reduction::None).sum(1);
      } else {
        auto ls = net->logSigma.clamp(-5, 3);
        rec = (0.5 * ((xb - out) * torch::exp(-ls)).pow(2) + ls + 0.5 * std::log(2 * M_PI)).sum(1);
      }
      auto kl = (-0.5 * (1 + logvar - mu.pow(2) - logvar.exp())).sum(1);
      double beta = std::min(1.0, (double)(step + 1) / warm);
      auto loss = (rec + beta * kl).mean();
      opt.zero_grad();
      loss.backward();
      opt.step();
      step++;
      double k = (double)idx.size(0);
      sumRec += rec.sum().item<double>(), sumKl += kl.sum().item<double>();
      (void)k;
    }
    if (!std::isfinite(sumRec + sumKl))
      throw EngineError(ErrorKind::Training, "the generator's loss diverged at epoch " + std::to_string(e + 1) + "; lower its learning rate");
    r.reconstruction = sumRec / n, r.kl = sumKl / n;
  }
  r.loss = r.reconstruction + r.kl;
  r.epochs = epochs, r.steps = step;

  net->eval();
  torch::NoGradGuard ng;
  auto SY = torch::from_blob(const_cast<int32_t*>(sampleY), {m}, torch::kInt32).to(torch::kLong);
  r.samples.resize((size_t)(m * d));
  const int64_t chunk = 4096;
  for (int64_t s = 0; s < m; s += chunk) {
    int64_t k = std::min(chunk, m - s);
    auto cb = torch::one_hot(SY.slice(0, s, s + k), numClasses).to(torch::kFloat32);
    auto z = torch::randn({k, o.latent}, gen);
    auto out = net->decode(z, cb);
    torch::Tensor smp = o.bernoulli ? torch::sigmoid(out) : out + torch::exp(net->logSigma.clamp(-5, 3)) * torch::randn({k, d}, gen);
    smp = smp.contiguous();
    std::copy(smp.data_ptr<float>(), smp.data_ptr<float>() + k * d, r.samples.begin() + s * d);
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace enough
