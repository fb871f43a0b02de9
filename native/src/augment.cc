// Data augmentation (see augment.h).
#include "augment.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace enough {
namespace {

// SplitMix64: a tiny generator per batch row (its own state, so rows can run on any thread).
struct RowRng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double uniform() { return (double)(next() >> 11) * 0x1.0p-53; }
  int64_t between(int64_t lo, int64_t hi) { return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1)); }
};

// The seed of the augmentation generator: the run seed, mixed so that it differs from the shuffle's and dropout's.
uint64_t augmentSeed(uint64_t seed) { return seed * 0xD1B54A32D192ED03ULL + 0x8CB92BA72F3D8DD7ULL; }

}  // namespace

Augmenter::Augmenter(const Augment& a, const DataView& d, const Rows& train, uint64_t seed, int64_t cap,
                     bool channelsLast)
    : a_(a), d_(d), nhwc_(channelsLast && d.xKind == XKind::Image), rng_(augmentSeed(seed)) {
  if (d.xKind == XKind::Image) {
    C_ = d.xShape[0], H_ = d.xShape[1], W_ = d.xShape[2];
    // Padding is black (pixel 0) for uint8 images, as torchvision pads before normalising; float images are
    // already normalised, so 0 is their mean.
    pad_.assign((size_t)C_, 0.f);
    if (d.xu8)
      for (int64_t c = 0; c < C_; c++) pad_[(size_t)c] = d.imageShift[(size_t)c];
    if (a.crop > 0 || a.flip || a.rotate > 0 || a.scale > 0) scratch_.resize((size_t)(cap * d.rowSize));
  }
  if (d.xKind == XKind::Dense && a.noise > 0) {
    // Computed once over the training rows (two passes in double): noise in each feature's own units.
    const int64_t R = d.rowSize;
    std::vector<double> mean((size_t)R, 0.0), var((size_t)R, 0.0);
    for (int64_t i = 0; i < train.count; i++) {
      const float* s = d.xf + train.at(i) * R;
      for (int64_t k = 0; k < R; k++) mean[(size_t)k] += s[k];
    }
    for (auto& m : mean) m /= (double)train.count;
    for (int64_t i = 0; i < train.count; i++) {
      const float* s = d.xf + train.at(i) * R;
      for (int64_t k = 0; k < R; k++) var[(size_t)k] += (s[k] - mean[(size_t)k]) * (s[k] - mean[(size_t)k]);
    }
    noiseStd_.resize((size_t)R);
    for (int64_t k = 0; k < R; k++) noiseStd_[(size_t)k] = (float)(a.noise * std::sqrt(var[(size_t)k] / (double)train.count));
    noiseState_ = augmentSeed(seed) ^ 0x5851F42D4C957F2DULL;
  }
  if (d.xKind == XKind::Dense && a.smote > 0) {
    if (!d.classification) throw EngineError(ErrorKind::Spec, "augment.smote needs classification data");
    byClass_.resize((size_t)d.numClasses);
    for (int64_t i = 0; i < train.count; i++) byClass_[(size_t)d.yi[train.at(i)]].push_back(train.at(i));
  }
  rowSeeds_.resize((size_t)cap);
}

double Augmenter::uniform() { return (double)(rng_() >> 11) * 0x1.0p-53; }

// Marsaglia-Tsang, with our own normal and uniform draws (portable across standard libraries).
double Augmenter::gamma(double a) {
  if (a < 1) return gamma(a + 1) * std::pow(uniform() + 1e-300, 1.0 / a);
  const double d = a - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = std::sqrt(-2.0 * std::log(uniform() + 1e-300)) * std::cos(2.0 * M_PI * uniform());
    double v = 1 + c * x;
    if (v <= 0) continue;
    v = v * v * v;
    double u = uniform();
    if (std::log(u + 1e-300) < 0.5 * x * x + d - d * v + d * std::log(v)) return d * v;
  }
}

double Augmenter::beta(double a) {
  double x = gamma(a), y = gamma(a);
  return x / (x + y);
}

void Augmenter::rows(torch::Tensor& x, const int64_t* rows, int64_t b) {
  const int64_t R = d_.rowSize;
  const bool perRow = d_.xKind != XKind::Dense || a_.smote > 0;
  if (perRow) {
    for (int64_t i = 0; i < b; i++) rowSeeds_[(size_t)i] = rng_();
    at::parallel_for(0, b, 16, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; i++) {
        const uint64_t s = rowSeeds_[(size_t)i];
        if (d_.xKind == XKind::Image)
          imageRow(x.data_ptr<float>() + i * R, scratch_.empty() ? nullptr : scratch_.data() + i * R, s);
        else if (d_.xKind == XKind::Dense)
          smoteRow(x.data_ptr<float>() + i * R, rows[i], s);
        else
          tokenRow(x.data_ptr<int64_t>() + i * R, s);
      }
    });
  }
  if (!noiseStd_.empty()) {
    // Zero-mean, unit-variance noise from one 64-bit draw per value: the sum of its four 16-bit quarters (Irwin-Hall,
    // n = 4) centred and scaled. Its shape is close to a Gaussian's (tails end at +-3.5 sd), which is all feature
    // noise needs; exact normal draws (ATen's normal_ with a generator, per value) made a small MLP's training 17%
    // slower, this costs a few nanoseconds a value. Drawn serially, so the thread count does not change the draws.
    float* o = x.data_ptr<float>();
    const float* sd = noiseStd_.data();
    constexpr float kScale = 1.7320508f / 65536.0f;  // sqrt(12 / 4): unit variance for the sum of four U(0, 1)
    for (int64_t i = 0; i < b; i++) {
      float* row = o + i * R;
      for (int64_t k = 0; k < R; k++) {
        uint64_t z = (noiseState_ += 0x9E3779B97F4A7C15ULL);  // splitmix64
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        const uint32_t sum = (uint32_t)(z & 0xFFFF) + (uint32_t)((z >> 16) & 0xFFFF) + (uint32_t)((z >> 32) & 0xFFFF) + (uint32_t)(z >> 48);
        row[k] += sd[k] * ((float)sum - 131070.0f) * kScale;
      }
    }
  }
}

void Augmenter::imageRow(float* o, float* scratch, uint64_t seed) const {
  RowRng g{seed};
  const int64_t C = C_, H = H_, W = W_;
  const bool nhwc = nhwc_;
  auto at = [&](int64_t c, int64_t y, int64_t x) { return nhwc ? (y * W + x) * C + c : (c * H + y) * W + x; };
  // Every draw is made whether or not its op ends up changing the row, so each op's draws stay in step.
  const int64_t dx = a_.crop > 0 ? g.between(-a_.crop, a_.crop) : 0;
  const int64_t dy = a_.crop > 0 ? g.between(-a_.crop, a_.crop) : 0;
  const bool flip = a_.flip && g.uniform() < 0.5;
  const double ang = a_.rotate > 0 ? (2 * g.uniform() - 1) * a_.rotate * M_PI / 180.0 : 0.0;
  const double zoom = a_.scale > 0 ? 1 + (2 * g.uniform() - 1) * a_.scale : 1.0;
  if (scratch && (dx || dy || flip || ang != 0 || zoom != 1)) {
    std::memcpy(scratch, o, sizeof(float) * C * H * W);
    if (ang == 0 && zoom == 1) {
      // Shift and flip only: whole-pixel moves (pad + random crop), no interpolation.
      for (int64_t y = 0; y < H; y++) {
        const int64_t sy = y - dy;
        for (int64_t x = 0; x < W; x++) {
          int64_t sx = x - dx;
          if (flip) sx = W - 1 - sx;
          const bool in = sy >= 0 && sy < H && sx >= 0 && sx < W;
          for (int64_t c = 0; c < C; c++) o[at(c, y, x)] = in ? scratch[at(c, sy, sx)] : pad_[(size_t)c];
        }
      }
    } else {
      // Rotation and zoom about the centre, then the shift: each output pixel samples the source bilinearly.
      const double cx = (W - 1) / 2.0, cy = (H - 1) / 2.0, co = std::cos(ang) / zoom, si = std::sin(ang) / zoom;
      for (int64_t y = 0; y < H; y++) {
        for (int64_t x = 0; x < W; x++) {
          const double u = x - cx - dx, v = y - cy - dy;
          double sx = co * u + si * v + cx, sy = -si * u + co * v + cy;
          if (flip) sx = W - 1 - sx;
          const int64_t x0 = (int64_t)std::floor(sx), y0 = (int64_t)std::floor(sy);
          const double fx = sx - x0, fy = sy - y0;
          for (int64_t c = 0; c < C; c++) {
            auto px = [&](int64_t yy, int64_t xx) {
              return yy >= 0 && yy < H && xx >= 0 && xx < W ? scratch[at(c, yy, xx)] : pad_[(size_t)c];
            };
            o[at(c, y, x)] = (float)((1 - fy) * ((1 - fx) * px(y0, x0) + fx * px(y0, x0 + 1)) +
                                     fy * ((1 - fx) * px(y0 + 1, x0) + fx * px(y0 + 1, x0 + 1)));
          }
        }
      }
    }
  }
  if (a_.cutout > 0) {
    const int64_t side = std::max<int64_t>(1, std::llround(a_.cutout * std::min(H, W)));
    const int64_t y0 = g.between(0, H - 1) - side / 2, x0 = g.between(0, W - 1) - side / 2;
    for (int64_t y = std::max<int64_t>(0, y0); y < std::min(H, y0 + side); y++)
      for (int64_t x = std::max<int64_t>(0, x0); x < std::min(W, x0 + side); x++)
        for (int64_t c = 0; c < C; c++) o[at(c, y, x)] = pad_[(size_t)c];
  }
}

void Augmenter::smoteRow(float* o, int64_t dataRow, uint64_t seed) const {
  RowRng g{seed};
  const int64_t R = d_.rowSize;
  if (a_.smote > 0 && g.uniform() < a_.smote) {
    // SMOTE-style: move toward the nearest of a few random rows of the same class (a local neighbour without an
    // O(n^2) neighbour search), by a uniform fraction of the way.
    const auto& pool = byClass_[(size_t)d_.yi[dataRow]];
    constexpr int kCandidates = 8;
    int64_t best = -1;
    double bestD = INFINITY;
    for (int k = 0; k < kCandidates && pool.size() > 1; k++) {
      const int64_t j = pool[(size_t)g.between(0, (int64_t)pool.size() - 1)];
      if (j == dataRow) continue;
      const float* s = d_.xf + j * R;
      double dist = 0;
      for (int64_t f = 0; f < R; f++) dist += (s[f] - o[f]) * (s[f] - o[f]);
      if (dist < bestD) bestD = dist, best = j;
    }
    if (best >= 0) {
      const float t = (float)g.uniform();
      const float* s = d_.xf + best * R;
      for (int64_t f = 0; f < R; f++) o[f] += t * (s[f] - o[f]);
    }
  }
}

void Augmenter::tokenRow(int64_t* o, uint64_t seed) const {
  RowRng g{seed};
  const int64_t R = d_.rowSize;
  if (a_.tokenDropout > 0)
    for (int64_t k = 0; k < R; k++)
      if (o[k] != 0 && g.uniform() < a_.tokenDropout) o[k] = 0;
  if (a_.tokenSwap > 0)
    for (int64_t k = 0; k + 1 < R; k++)
      if (o[k] != 0 && o[k + 1] != 0 && g.uniform() < a_.tokenSwap) std::swap(o[k], o[k + 1]), k++;
}

void Augmenter::mix(torch::Tensor& x, torch::Tensor& y, torch::Tensor& y2, double& lam) {
  lam = 1.0;
  y2 = torch::Tensor();
  const int64_t b = x.size(0);
  const bool canCut = a_.cutmix > 0 && d_.xKind == XKind::Image;
  if ((a_.mixup <= 0 && !canCut) || b < 2) return;
  // Both on: one of the two per batch, with equal odds (as timm does).
  const bool cut = canCut && (a_.mixup <= 0 || uniform() < 0.5);
  double l = beta(cut ? a_.cutmix : a_.mixup);
  std::vector<int64_t> perm((size_t)b);
  for (int64_t i = 0; i < b; i++) perm[(size_t)i] = i;
  for (int64_t i = b - 1; i > 0; i--) std::swap(perm[(size_t)i], perm[(size_t)(rng_() % (uint64_t)(i + 1))]);
  auto p = torch::from_blob(perm.data(), {b}, torch::kLong);
  auto x2 = x.index_select(0, p);
  if (cut) {
    // A box of area (1 - l) of the image from the partner row; lam is then the area actually kept.
    const double r = std::sqrt(1 - l);
    const int64_t bh = std::llround(H_ * r), bw = std::llround(W_ * r);
    const int64_t cy = (int64_t)(uniform() * H_), cx = (int64_t)(uniform() * W_);
    const int64_t y0 = std::clamp<int64_t>(cy - bh / 2, 0, H_), y1 = std::clamp<int64_t>(cy + bh - bh / 2, 0, H_);
    const int64_t x0 = std::clamp<int64_t>(cx - bw / 2, 0, W_), x1 = std::clamp<int64_t>(cx + bw - bw / 2, 0, W_);
    if (y1 > y0 && x1 > x0)
      x.narrow(2, y0, y1 - y0).narrow(3, x0, x1 - x0).copy_(x2.narrow(2, y0, y1 - y0).narrow(3, x0, x1 - x0));
    l = 1.0 - (double)((y1 - y0) * (x1 - x0)) / (double)(H_ * W_);
  } else {
    x.mul_(l).add_(x2, 1 - l);
  }
  auto yp = y.index_select(0, p);
  if (d_.classification) {
    y2 = yp;
    lam = l;
  } else {
    y.mul_(l).add_(yp, 1 - l);  // a mixed regression target is still a target: MSE needs no second term
  }
}

}  // namespace enough
