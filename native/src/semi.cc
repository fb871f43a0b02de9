// FixMatch (see semi.h).
#include "semi.h"

namespace enough {

void checkSemi(const Recipe& r, const DataView& d, const Unlabeled* u) {
  auto fail = [](const std::string& m) { throw EngineError(ErrorKind::Spec, m); };
  if (!u || u->rows.count < 1) fail("recipe.semi needs unlabelled rows");
  if (!d.classification) fail("recipe.semi (FixMatch) needs classification data: its pseudo-labels are classes");
  if (r.privacy.on) fail("recipe.semi cannot be combined with recipe.privacy (the unlabelled loss is not clipped)");
  if (!(r.semi.threshold >= 0 && r.semi.threshold <= 1) || r.semi.ratio < 1 || !(r.semi.weight >= 0))
    fail("recipe.semi needs threshold in [0, 1], ratio >= 1 and weight >= 0");
  const DataView& x = u->data;
  if (x.xKind != d.xKind || x.xShape != d.xShape || x.catCardinalities.size() != d.catCardinalities.size() ||
      x.vocabSize != d.vocabSize)
    throw EngineError(ErrorKind::Input, "the unlabelled rows' inputs have another kind or shape than the training rows'");
  validateData(x, u->rows, nullptr, "unlabeled", false);
}

FixMatch::FixMatch(const Semi& s, const Unlabeled& u, uint64_t seed, int64_t batch, bool channelsLast, torch::Device dev)
    : s_(s), u_(u), muB_(std::min<int64_t>(s.ratio * batch, u.rows.count)),
      // Its own stream for drawing rows, apart from the shuffle's, augmentation's and dropout's.
      rng_(seed * 0xA24BAED4963EE407ULL + 0x9FB21C651E98DF25ULL) {
  // The views' generators differ from each other and from the labelled batches' augmentation.
  if (s.weak.on) weakAug_ = std::make_unique<Augmenter>(s.weak, u.data, u.rows, seed ^ 0x5EED0001ULL, muB_, channelsLast);
  if (s.strong.on) strongAug_ = std::make_unique<Augmenter>(s.strong, u.data, u.rows, seed ^ 0x5EED0002ULL, muB_, channelsLast);
  weak_ = std::make_unique<Batcher>(u.data, muB_, channelsLast, dev, 0.0, 1.0);
  strong_ = std::make_unique<Batcher>(u.data, muB_, channelsLast, dev, 0.0, 1.0);
  weak_->aug = weakAug_.get();
  strong_->aug = strongAug_.get();
  perm_.resize((size_t)u.rows.count);
  for (int64_t i = 0; i < u.rows.count; i++) perm_[(size_t)i] = i;
  pos_ = u.rows.count;  // shuffled before the first step
  rows_.resize((size_t)muB_);
  confident_ = torch::zeros({}, torch::TensorOptions().dtype(torch::kFloat).device(dev));
}

torch::Tensor FixMatch::loss(NetImpl& net) {
  const int64_t n = u_.rows.count;
  if (pos_ + muB_ > n) {
    for (int64_t i = n - 1; i > 0; i--) {  // Fisher-Yates with our own draw, as the trainer's shuffle
      int64_t j = (int64_t)(rng_() % (uint64_t)(i + 1));
      std::swap(perm_[(size_t)i], perm_[(size_t)j]);
    }
    pos_ = 0;
  }
  for (int64_t i = 0; i < muB_; i++) rows_[(size_t)i] = u_.rows.at(perm_[(size_t)(pos_ + i)]);
  pos_ += muB_;
  torch::Tensor xw, cw, yw, xs, cs, ys;
  weak_->fill(rows_.data(), muB_, xw, cw, yw, false);
  strong_->fill(rows_.data(), muB_, xs, cs, ys, false);
  torch::Tensor pseudo, mask;
  {
    torch::NoGradGuard ng;
    auto best = torch::softmax(net.forward(xw, cw), 1).max(1);
    mask = (std::get<0>(best) >= s_.threshold).to(torch::kFloat);
    pseudo = std::get<1>(best);
    confident_ += mask.sum();
  }
  seen_ += muB_;
  auto ce = at::cross_entropy_loss(net.forward(xs, cs), pseudo, {}, at::Reduction::None, -100, 0.0);
  return (ce * mask).mean() * s_.weight;
}

double FixMatch::confident() const { return seen_ ? confident_.item<double>() / (double)seen_ : 0.0; }

}  // namespace enough
