// Batching: gathering rows of the zero-copy JS data into batch tensors. `Batcher` fills reusable host buffers
// (pinned when batches go to the GPU); `ResidentRows` keeps a CUDA run's training rows on the device and gathers
// each batch there. Pure libtorch (no N-API), used by trainer.cc.
#pragma once

#include "engine.h"

namespace enough {
class Augmenter;
}

namespace enough {

// Gathers rows of a DataView into reusable batch buffers (x as float or int64 tokens, cat ids, targets).
struct Batcher {
  const DataView& d;
  bool channelsLast;
  torch::Device dev;
  double yMean, yStd;
  torch::Tensor x, cat, y;
  int64_t cap;
  // Training batches only: augmentation applied in fill(); after a mixing batch, y2 holds the partner targets and
  // lam the weight of y (lam = 1 and y2 undefined otherwise).
  Augmenter* aug = nullptr;
  torch::Tensor y2;
  double lam = 1.0;

  Batcher(const DataView& d_, int64_t cap_, bool channelsLast_, torch::Device dev_, double yMean_, double yStd_);
  // Fills the first `b` slots with data rows `rows[0..b)`; returns device tensors (views of the buffers on CPU).
  void fill(const int64_t* rows, int64_t b, torch::Tensor& xo, torch::Tensor& co, torch::Tensor& yo, bool withY);
};

// CUDA: the training rows uploaded once, in their stored dtype, when they fit kResidentMaxBytes. Each step then
// gathers its batch on the device from the epoch's permutation (uploaded once per epoch), so a step does no host
// gather, no host-to-device copy and no stream synchronisation; the GPU queue stays full.
constexpr int64_t kResidentMaxBytes = 2LL << 30;

struct ResidentRows {
  torch::Tensor x, cat, y, scale, shift;
  bool channelsLast, u8;

  static int64_t bytes(const DataView& d, const Rows& rows);
  ResidentRows(const DataView& d, const Rows& rows, bool channelsLast_, torch::Device dev, double yMean, double yStd);
  void batch(const torch::Tensor& idx, torch::Tensor& xo, torch::Tensor& co, torch::Tensor& yo) const;
};

}  // namespace enough
