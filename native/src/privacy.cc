// DP-SGD's private gradient (Abadi et al. 2016): per-sample gradients clipped to norm C, summed over the step's rows,
// plus Gaussian noise of standard deviation sigma * C per coordinate, divided by the expected batch size. The noise
// comes from the run's own generator, so one seed and one thread give the same metrics.
//
// Per-sample gradients: when every trainable parameter belongs to a layer that records itself in NetImpl::taps
// (the mlp's linear and embedding layers, every family's head), one forward and one backward pass to the layer
// outputs give them all (the per-layer trick: a linear layer's per-sample weight gradient is g_i a_i^T, whose norm
// is |g_i| |a_i|, so the clipped sum is (c .* G)^T A and no per-sample gradient is materialised; "ghost clipping",
// Goodfellow 2015, Lee & Kifer 2021). Otherwise (convolutions, text, TorchScript backbones): micro-batches of one
// row, one backward pass each (simple and slow; measured in bench/engine.bench.ts).
#include <torch/autograd.h>

#include "engine.h"

namespace enough {

PrivateGrad::PrivateGrad(NetImpl& net, const Privacy& p, double expectedBatch, at::Generator gen, LossFn loss)
    : net_(net), p_(p), expectedBatch_(expectedBatch), gen_(std::move(gen)), loss_(std::move(loss)) {
  reset();
}

void PrivateGrad::reset() {
  params_.clear();
  sums_.clear();
  for (auto& q : net_.parameters())
    if (q.requires_grad()) {
      params_.push_back(q);
      sums_.push_back(torch::zeros(q.sizes(), q.options()));
    }
  mode_ = -1;
}

int64_t PrivateGrad::slot(const torch::Tensor& p) const {
  for (size_t i = 0; i < params_.size(); i++)
    if (params_[i].unsafeGetTensorImpl() == p.unsafeGetTensorImpl()) return (int64_t)i;
  return -1;
}

// Whether the taps cover every trainable parameter (then the per-layer trick gives all per-sample gradients).
bool PrivateGrad::covered(const Taps& t) const {
  std::vector<bool> seen(params_.size(), false);
  auto mark = [&](const torch::Tensor& p) {
    if (!p.defined()) return true;
    int64_t i = slot(p);
    if (i < 0 || seen[i]) return false;  // a layer used twice: its per-sample gradient is a sum, not one outer product
    seen[i] = true;
    return true;
  };
  for (auto& l : t.lin)
    if (!mark(l.m->weight) || !mark(l.m->bias)) return false;
  for (auto& e : t.emb)
    if (!mark(e.m->weight)) return false;
  for (bool s : seen)
    if (!s) return false;
  return true;
}

double PrivateGrad::accumulate(const torch::Tensor& x, const torch::Tensor& c, const torch::Tensor& y) {
  if (x.size(0) == 0) return 0;
  if (mode_ != 0) {
    Taps t;
    net_.taps = &t;
    torch::Tensor out;
    try {
      out = net_.forward(x, c);
    } catch (...) {
      net_.taps = nullptr;
      throw;
    }
    net_.taps = nullptr;
    if (mode_ == 1 || covered(t)) {
      mode_ = 1;
      return perLayerChunk(x, c, y, t, out);
    }
    mode_ = 0;
  }
  return microChunk(x, c, y);
}

double PrivateGrad::perLayerChunk(const torch::Tensor&, const torch::Tensor&, const torch::Tensor& y, Taps& t,
                                  const torch::Tensor& out) {
  auto losses = loss_(out, y);
  double lossSum = losses.sum().item<double>();
  std::vector<torch::Tensor> outs;
  for (auto& l : t.lin) outs.push_back(l.out);
  for (auto& e : t.emb) outs.push_back(e.out);
  auto g = torch::autograd::grad({losses.sum()}, outs);
  torch::NoGradGuard ng;
  const int64_t b = y.size(0);
  auto norm2 = torch::zeros({b}, out.options().dtype(torch::kFloat));
  for (size_t i = 0; i < t.lin.size(); i++) {
    auto a2 = t.lin[i].in.pow(2).sum(1);
    if (t.lin[i].m->bias.defined()) a2 = a2 + 1;
    norm2 += g[i].pow(2).sum(1) * a2;
  }
  for (size_t i = 0; i < t.emb.size(); i++) norm2 += g[t.lin.size() + i].pow(2).sum(1);
  // Clip factor min(1, C / |grad_i|) (Opacus' flat clipping, with its 1e-6 guard).
  auto factor = (p_.maxGradNorm / (norm2.sqrt() + 1e-6)).clamp_max(1.0).unsqueeze(1);
  for (size_t i = 0; i < t.lin.size(); i++) {
    auto gs = g[i] * factor;
    auto* m = t.lin[i].m;
    sums_[slot(m->weight)].addmm_(gs.t(), t.lin[i].in.detach());
    if (m->bias.defined()) sums_[slot(m->bias)] += gs.sum(0);
  }
  for (size_t i = 0; i < t.emb.size(); i++) {
    auto gs = g[t.lin.size() + i] * factor;
    sums_[slot(t.emb[i].m->weight)].index_add_(0, t.emb[i].idx, gs);
  }
  return lossSum;
}

double PrivateGrad::microChunk(const torch::Tensor& x, const torch::Tensor& c, const torch::Tensor& y) {
  double lossSum = 0;
  for (int64_t i = 0; i < x.size(0); i++) {
    auto out = net_.forward(x.narrow(0, i, 1), c.defined() ? c.narrow(0, i, 1) : c);
    auto loss = loss_(out, y.narrow(0, i, 1)).sum();
    lossSum += loss.item<double>();
    auto g = torch::autograd::grad({loss}, params_, /*grad_outputs=*/{}, /*retain_graph=*/false,
                                   /*create_graph=*/false, /*allow_unused=*/true);
    torch::NoGradGuard ng;
    torch::Tensor norm2 = torch::zeros({}, loss.options());
    for (auto& gi : g)
      if (gi.defined()) norm2 += gi.pow(2).sum();
    auto factor = (p_.maxGradNorm / (norm2.sqrt() + 1e-6)).clamp_max(1.0);
    for (size_t k = 0; k < g.size(); k++)
      if (g[k].defined()) sums_[k] += g[k] * factor;
  }
  return lossSum;
}

void PrivateGrad::finish() {
  torch::NoGradGuard ng;
  const double sd = p_.noiseMultiplier * p_.maxGradNorm;
  for (size_t k = 0; k < params_.size(); k++) {
    auto& s = sums_[k];
    if (sd > 0) {
      // Drawn on the host from the run's generator (the same numbers on every device), then moved.
      auto noise = torch::empty(s.sizes(), torch::kFloat).normal_(0.0, sd, gen_);
      s += noise.to(s.device(), s.scalar_type());
    }
    auto grad = (s / expectedBatch_).contiguous(params_[k].suggest_memory_format());
    params_[k].mutable_grad() = grad;
    s.zero_();
  }
}

}  // namespace enough
