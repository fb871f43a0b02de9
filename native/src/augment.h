// Data augmentation inside the batch gather (see Augment in engine.h). Per-row ops (image geometry and cutout,
// dense noise and SMOTE-style interpolation, token dropout and swaps) run on the host batch buffer right after the
// rows are gathered; batch ops (mixup, cutmix) mix the batch with a permutation of itself and hand the trainer a
// second target and its weight (the soft-target loss is lam * L(y) + (1 - lam) * L(y2)).
//
// Randomness: one per-run generator, seeded from the run seed but separate from the shuffle's, so turning
// augmentation on does not change the order of the rows. It draws one seed per batch row serially; each row then
// draws from its own small generator, so the rows can be processed on several threads and the result still does
// not depend on the thread count.
#pragma once

#include <random>
#include <vector>

#include "engine.h"

namespace enough {

class Augmenter {
 public:
  Augmenter(const Augment& a, const DataView& d, const Rows& train, uint64_t seed, int64_t cap, bool channelsLast);
  // Augments rows [0, b) of the host batch buffer `x` (normalised floats, NCHW or NHWC, or int64 tokens), whose
  // data rows are rows[0..b).
  void rows(torch::Tensor& x, const int64_t* rows, int64_t b);
  // Mixes the batch (`x`, `y`: the first b rows, on the host) in place. Classification: returns the partner
  // targets in y2 and their weight 1 - lam; regression mixes y itself (lam stays 1).
  void mix(torch::Tensor& x, torch::Tensor& y, torch::Tensor& y2, double& lam);
  bool mixes() const { return a_.mixup > 0 || a_.cutmix > 0; }

 private:
  void imageRow(float* o, float* scratch, uint64_t seed) const;
  void smoteRow(float* o, int64_t dataRow, uint64_t seed) const;
  void tokenRow(int64_t* o, uint64_t seed) const;
  double uniform();
  double gamma(double a);
  double beta(double a);

  Augment a_;
  const DataView& d_;
  bool nhwc_;
  int64_t C_ = 1, H_ = 1, W_ = 1;
  std::vector<float> pad_;             // per channel: the normalised value of a black pixel
  std::vector<float> scratch_;         // cap rows: source copies for the geometric transforms
  std::vector<float> noiseStd_;        // dense noise: noise x each feature's spread over the training rows, [R]
  uint64_t noiseState_ = 0;            // dense noise: splitmix64 stream (see Augmenter::rows)
  std::vector<std::vector<int64_t>> byClass_;  // SMOTE: training rows per class
  std::vector<uint64_t> rowSeeds_;
  std::mt19937_64 rng_;
};

}  // namespace enough
