// Semi-supervised training inside the training loop (FixMatch, Sohn et al. 2020; see Semi in engine.h). Pure
// libtorch, used by trainer.cc.
#pragma once

#include <memory>
#include <random>
#include <vector>

#include "augment.h"
#include "batcher.h"
#include "engine.h"

namespace enough {

// Refuses what FixMatch cannot do (no unlabelled rows, regression, private training, rows of another shape).
void checkSemi(const Recipe& r, const DataView& labelled, const Unlabeled* u);

class FixMatch {
 public:
  FixMatch(const Semi& s, const Unlabeled& u, uint64_t seed, int64_t batch, bool channelsLast, torch::Device dev);
  // The unlabelled part of one step's loss: the next ratio x batch unlabelled rows (an epoch-wise permutation of
  // them), pseudo-labelled from the weak view without gradient, cross-entropy on the strong view where confident,
  // averaged over all the step's unlabelled rows (the paper's normalisation) and weighted by lambda_u.
  torch::Tensor loss(NetImpl& net);
  // Share of the unlabelled rows seen so far whose weak view reached the threshold.
  double confident() const;

 private:
  Semi s_;
  const Unlabeled& u_;
  int64_t muB_;
  std::unique_ptr<Augmenter> weakAug_, strongAug_;
  std::unique_ptr<Batcher> weak_, strong_;
  std::vector<int64_t> perm_, rows_;
  int64_t pos_ = 0;
  std::mt19937_64 rng_;
  torch::Tensor confident_;  // summed on the model's device (no per-step synchronisation on a GPU)
  int64_t seen_ = 0;
};

}  // namespace enough
