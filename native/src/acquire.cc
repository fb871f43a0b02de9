// Active learning's acquisition: which unlabelled rows to label next, from a trained model, in libtorch ops (no JS
// per row). acquire(model, data, pool, labelled, opts) -> {rows, scores}: the k rows of `pool` not in `labelled`
// that the strategy ranks first, in pick order, each with its score (higher = picked earlier):
// - random: a seeded permutation (the baseline; same call, so both arms exclude rows the same way);
// - margin: 1 - (p1 - p2), the top-two probability gap; entropy: -sum p log p;
// - bald: mutual information between the prediction and the weights, H(mean_t p_t) - mean_t H(p_t), over T forward
//   passes with dropout on (MC dropout, Gal et al. 2017); needs a model with dropout;
// - coreset: k-center greedy (Sener & Savarese 2018) on the penultimate embeddings: each pick is the row farthest
//   from the labelled rows and the picks so far (score = that distance);
// - badge: k-means++ seeding (Ash et al. 2020) on gradient embeddings g = (p - onehot(argmax p)) (x) h. The
//   embedding is never formed: |g_i - g_j|^2 = |a_i|^2|h_i|^2 + |a_j|^2|h_j|^2 - 2 (a_i.a_j)(h_i.h_j), so memory is
//   O(rows x (classes + features)) and each center costs two matrix-vector products (score = squared distance).
// Ties break by row order (stable sorts, first argmax), and the only random draws come from `seed`: same inputs,
// same picks.
#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <random>

#include "batcher.h"
#include "js.h"

namespace enough {
namespace {

[[noreturn]] void fail(ErrorKind k, const std::string& msg) { throw EngineError(k, msg); }

struct AcquireOpts {
  std::string strategy;
  int64_t k = 0;
  uint64_t seed = 0;
  int64_t mcSamples = 20;
};

struct Picks {
  std::vector<int32_t> rows;
  std::vector<float> scores;
};

// Rows of `pool` that are not in `labelled`, in pool order.
std::vector<int64_t> candidatesOf(const Rows& pool, const Rows& labelled, int64_t n) {
  std::vector<uint8_t> taken((size_t)n, 0);
  for (int64_t i = 0; i < labelled.count; i++) taken[(size_t)labelled.at(i)] = 1;
  std::vector<int64_t> out;
  out.reserve((size_t)pool.count);
  for (int64_t i = 0; i < pool.count; i++) {
    int64_t r = pool.at(i);
    if (!taken[(size_t)r]) {
      taken[(size_t)r] = 1;  // a row listed twice in the pool is one candidate
      out.push_back(r);
    }
  }
  return out;
}

// One pass over `rows` in chunks: softmax probabilities [N, C] and/or penultimate features [N, D] on the CPU. With
// `mc` dropout is on (the caller set the net's mcDropout and generator).
void forwardRows(ModelState& m, const DataView& d, const std::vector<int64_t>& rows, torch::Device dev, torch::Tensor* probs,
                 torch::Tensor* feats) {
  const int64_t N = (int64_t)rows.size(), chunk = 1024;
  Batcher bt(d, std::min<int64_t>(chunk, std::max<int64_t>(N, 1)), m.spec.channelsLast, dev, m.yMean, m.yStd);
  if (probs) *probs = torch::empty({N, m.meta.numClasses}, torch::kFloat);
  if (feats) *feats = torch::empty({N, m.net->featureDim}, torch::kFloat);
  for (int64_t s = 0; s < N; s += chunk) {
    int64_t b = std::min(chunk, N - s);
    torch::Tensor x, c, y;
    bt.fill(rows.data() + s, b, x, c, y, false);
    auto h = m.net->features(x, c);
    if (feats) feats->narrow(0, s, b).copy_(h.to(torch::kCPU, torch::kFloat));
    if (probs) probs->narrow(0, s, b).copy_(torch::softmax(m.net->linear(m.net->head, h), 1).to(torch::kCPU, torch::kFloat));
  }
}

torch::Tensor entropyOf(const torch::Tensor& p) { return -(p * p.clamp_min(1e-12).log()).sum(1); }

// The k highest scores, ties by candidate order (a stable sort), as Picks.
Picks topK(const torch::Tensor& score, const std::vector<int64_t>& cand, int64_t k) {
  auto order = std::get<1>(score.sort(/*stable=*/true, /*dim=*/0, /*descending=*/true)).narrow(0, 0, k).contiguous();
  auto s = score.contiguous();
  Picks out;
  auto* o = order.data_ptr<int64_t>();
  auto* v = s.data_ptr<float>();
  for (int64_t i = 0; i < k; i++) {
    out.rows.push_back((int32_t)cand[(size_t)o[i]]);
    out.scores.push_back(v[o[i]]);
  }
  return out;
}

// k-center greedy: min squared distance of each candidate to the labelled rows (blockwise |u|^2 + |l|^2 - 2 u.l in
// double, so the expansion loses little), then each pick updates it with exact differences to the picked row.
Picks coreset(const torch::Tensor& eu, const torch::Tensor& el, const std::vector<int64_t>& cand, int64_t k) {
  const int64_t N = eu.size(0), block = 2048;
  auto mind = torch::full({N}, std::numeric_limits<double>::infinity(), torch::kDouble);
  if (el.size(0) > 0) {
    auto l = el.to(torch::kDouble);
    auto l2 = (l * l).sum(1);
    for (int64_t s = 0; s < N; s += block) {
      int64_t b = std::min(block, N - s);
      auto u = eu.narrow(0, s, b).to(torch::kDouble);
      for (int64_t t = 0; t < l.size(0); t += block) {
        int64_t lb = std::min(block, l.size(0) - t);
        auto d = ((u * u).sum(1, true) + l2.narrow(0, t, lb).unsqueeze(0) - 2 * u.matmul(l.narrow(0, t, lb).t())).clamp_min(0);
        auto seg = mind.narrow(0, s, b);
        seg.copy_(torch::minimum(seg, std::get<0>(d.min(1))));
      }
    }
  } else {
    mind = eu.to(torch::kDouble).pow(2).sum(1);  // nothing labelled: start from the row farthest from the origin
  }
  Picks out;
  // Each pick updates the distances with one matrix-vector product (|u|^2 + |e|^2 - 2 u.e, in double): forming
  // u - e for every row made three rows x features temporaries per pick and dominated a round's time.
  auto ed = eu.to(torch::kDouble);
  auto norms = (ed * ed).sum(1);
  for (int64_t i = 0; i < k; i++) {
    int64_t j = mind.argmax().item<int64_t>();
    double v = mind[j].item<double>();
    out.rows.push_back((int32_t)cand[(size_t)j]);
    out.scores.push_back((float)std::sqrt(std::max(0.0, v)));
    auto dj = (norms + norms[j] - 2 * ed.matmul(ed[j])).clamp_min_(0);
    mind = torch::minimum(mind, dj);
    mind[j] = -1.0;  // never picked twice
  }
  return out;
}

// k-means++ seeding on the gradient embeddings (a = p - onehot(argmax p), h = features), first center the largest
// gradient norm (as BADGE's reference code), each next drawn with probability proportional to D^2.
Picks badge(const torch::Tensor& p, const torch::Tensor& h, const std::vector<int64_t>& cand, int64_t k, uint64_t seed) {
  auto a = p.to(torch::kDouble);
  a.scatter_add_(1, a.argmax(1, true), -torch::ones({a.size(0), 1}, torch::kDouble));
  auto hd = h.to(torch::kDouble);
  auto sq = (a * a).sum(1) * (hd * hd).sum(1);  // |g|^2
  auto dist = [&](int64_t c) { return (sq + sq[c] - 2 * a.matmul(a[c]) * hd.matmul(hd[c])).clamp_min(0); };
  std::mt19937_64 gen(seed * 0x9E3779B97F4A7C15ULL + 7);
  std::uniform_real_distribution<double> unif(0.0, 1.0);
  Picks out;
  torch::Tensor d2;
  std::vector<uint8_t> chosen((size_t)a.size(0), 0);
  for (int64_t i = 0; i < k; i++) {
    int64_t c;
    if (i == 0) {
      c = sq.argmax().item<int64_t>();
    } else {
      auto cum = d2.cumsum(0);
      double total = cum[-1].item<double>();
      if (total > 0) {
        auto u = torch::full({1}, unif(gen) * total, torch::kDouble);
        c = std::min<int64_t>(torch::searchsorted(cum, u, false, /*right=*/true).item<int64_t>(), a.size(0) - 1);
        while (chosen[(size_t)c]) c = (c + 1) % a.size(0);  // a zero-weight row can only be hit at a boundary
      } else {
        c = 0;  // every row coincides with a center: take the first unchosen
        while (chosen[(size_t)c]) c++;
      }
    }
    chosen[(size_t)c] = 1;
    out.rows.push_back((int32_t)cand[(size_t)c]);
    out.scores.push_back(i == 0 ? (float)sq[c].item<double>() : (float)d2[c].item<double>());
    auto dc = dist(c);
    d2 = i == 0 ? dc : torch::minimum(d2, dc);
    d2[c] = 0.0;
  }
  return out;
}

Picks acquireRows(ModelState& m, const DataView& d, const Rows& pool, const Rows& labelled, const AcquireOpts& o) {
  std::lock_guard<std::mutex> g(m.mu);
  torch::Device dev = deviceFor(m.cuda);
  validateData(d, pool, &m.meta, "acquire", false);
  const std::string& st = o.strategy;
  if (st != "coreset" && st != "random" && !m.meta.classification)
    fail(ErrorKind::Input, "acquisition strategy " + st + " needs a classification model; use coreset or random for regression");
  auto cand = candidatesOf(pool, labelled, d.n);
  const int64_t N = (int64_t)cand.size();
  if (N == 0) fail(ErrorKind::Input, "no unlabelled rows left to acquire from");
  if (o.k < 1 || o.k > N)
    fail(ErrorKind::Input, "asked for " + std::to_string(o.k) + " rows but " + std::to_string(N) + " unlabelled rows are left");
  if (st == "random") {
    auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed * 0x9E3779B97F4A7C15ULL + 3);
    auto perm = torch::randperm(N, gen, torch::kLong);
    auto score = torch::rand({N}, gen, torch::kFloat);
    Picks out;
    for (int64_t i = 0; i < o.k; i++) {
      int64_t j = perm[i].item<int64_t>();
      out.rows.push_back((int32_t)cand[(size_t)j]);
      out.scores.push_back(score[j].item<float>());
    }
    return out;
  }
  m.net->eval();
  torch::NoGradGuard ng;
  if (st == "margin" || st == "entropy") {
    torch::Tensor p;
    forwardRows(m, d, cand, dev, &p, nullptr);
    if (st == "entropy") return topK(entropyOf(p), cand, o.k);
    auto top2 = std::get<0>(p.topk(std::min<int64_t>(2, p.size(1)), 1));
    auto gap = top2.size(1) > 1 ? top2.select(1, 0) - top2.select(1, 1) : top2.select(1, 0);
    return topK(1 - gap, cand, o.k);
  }
  if (st == "bald") {
    if (m.spec.dropout <= 0)
      fail(ErrorKind::Input, "bald needs a model with dropout (MC dropout samples it); use e.g. --model mlp:dropout=0.2");
    auto gen = at::make_generator<at::CPUGeneratorImpl>(o.seed * 0x9E3779B97F4A7C15ULL + 5);
    at::Generator devGen = gen;
    if (m.cuda) {
      devGen = at::globalContext().defaultGenerator(dev).clone();
      devGen.set_current_seed(o.seed * 0x9E3779B97F4A7C15ULL + 5);
    }
    struct On {  // dropout on for the T passes, off again whatever happens
      NetImpl& n;
      On(NetImpl& n_, at::Generator* g) : n(n_) { n.mcDropout = true, n.gen = g; }
      ~On() { n.mcDropout = false, n.gen = nullptr; }
    } on(*m.net, &devGen);
    torch::Tensor mean, meanH;
    for (int64_t t = 0; t < o.mcSamples; t++) {
      torch::Tensor p;
      forwardRows(m, d, cand, dev, &p, nullptr);
      auto h = entropyOf(p);
      mean = t == 0 ? p : mean.add_(p);
      meanH = t == 0 ? h : meanH.add_(h);
    }
    mean.div_((double)o.mcSamples);
    meanH.div_((double)o.mcSamples);
    return topK(entropyOf(mean) - meanH, cand, o.k);
  }
  if (st == "coreset") {
    torch::Tensor eu, el;
    forwardRows(m, d, cand, dev, nullptr, &eu);
    std::vector<int64_t> lab((size_t)labelled.count);
    for (int64_t i = 0; i < labelled.count; i++) lab[(size_t)i] = labelled.at(i);
    if (!lab.empty()) forwardRows(m, d, lab, dev, nullptr, &el);
    else el = torch::empty({0, eu.size(1)});
    return coreset(eu, el, cand, o.k);
  }
  if (st == "badge") {
    torch::Tensor p, h;
    forwardRows(m, d, cand, dev, &p, &h);
    return badge(p, h, cand, o.k, o.seed);
  }
  fail(ErrorKind::Input, "unknown acquisition strategy \"" + st + "\" (random, margin, entropy, bald, coreset, badge)");
}

}  // namespace

// acquire(model, data, pool: Int32Array, labelled: Int32Array | null, {strategy, k, seed, mcSamples, threads})
//   -> Promise<{rows: Int32Array, scores: Float32Array}>
Napi::Value Acquire(const Napi::CallbackInfo& info) {
  auto env = info.Env();
  if (!info[0].IsObject()) jsFail(env, ErrorKind::Input, "acquire needs a model");
  auto st = ModelWrap::Unwrap(info[0].As<Napi::Object>())->need(env);
  Keep keep;
  auto data = std::make_shared<DataView>(readData(env, info[1].As<Napi::Object>(), keep));
  if (info[2].IsUndefined() || info[2].IsNull()) jsFail(env, ErrorKind::Input, "acquire needs the pool's rows");
  auto pool = readRows(env, info[2], data->n, keep, "pool");
  Rows labelled;
  labelled.count = 0;
  static const int32_t none = 0;
  labelled.idx = &none;
  if (!info[3].IsUndefined() && !info[3].IsNull()) labelled = readRows(env, info[3], data->n, keep, "labelled");
  for (int64_t i = 0; i < labelled.count; i++)
    if (labelled.at(i) < 0 || labelled.at(i) >= data->n) jsFail(env, ErrorKind::Input, "labelled row index out of range");
  auto o = info[4].As<Napi::Object>();
  AcquireOpts opts;
  opts.strategy = str(o, "strategy", "");
  opts.k = (int64_t)num(o, "k", 0);
  opts.seed = (uint64_t)num(o, "seed", 0);
  opts.mcSamples = std::max<int64_t>(1, (int64_t)num(o, "mcSamples", 20));
  int threads = (int)num(o, "threads", 0);
  auto res = std::make_shared<Picks>();
  auto w = new PromiseWorker(
      env,
      [st, data, pool, labelled, opts, res, threads] {
        setThreads(threads);
        *res = acquireRows(*st, *data, pool, labelled, opts);
      },
      [res](Napi::Env env) -> Napi::Value {
        auto rows = Napi::Int32Array::New(env, res->rows.size());
        std::memcpy(rows.Data(), res->rows.data(), res->rows.size() * sizeof(int32_t));
        auto scores = Napi::Float32Array::New(env, res->scores.size());
        std::memcpy(scores.Data(), res->scores.data(), res->scores.size() * sizeof(float));
        auto out = Napi::Object::New(env);
        out.Set("rows", rows);
        out.Set("scores", scores);
        return out;
      });
  w->keep = std::move(keep);
  w->Queue();
  return w->Promise();
}

}  // namespace enough
