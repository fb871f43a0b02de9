// Synthetic data (the `synthetic` lever of `enough strategies`): a class-conditional VAE trained and sampled in one
// call (the fidelity report's copy check uses neighbours.cc). Pure libtorch, no N-API
// (generative_call.cc reads the JS values and runs these on a worker thread).
#pragma once

#include <cstdint>
#include <vector>

namespace enough {

struct CvaeOptions {
  int64_t latent = 16;
  int64_t hidden = 256;
  int64_t steps = 3000;     // optimiser steps (whole epochs: rounded up to a multiple of the batches per epoch)
  int64_t batchSize = 64;
  double lr = 1e-3;
  double warmup = 0.2;      // share of the steps over which the KL weight rises linearly from 0 to 1
  uint64_t seed = 0;
  bool bernoulli = true;    // x in [0, 1] (images): Bernoulli likelihood, samples are the decoder's means;
                            // else Gaussian with a learned per-feature spread, samples drawn from it
};

struct CvaeResult {
  std::vector<float> samples;  // m x d, row-major, in the input's scale
  int64_t epochs = 0;
  int64_t steps = 0;
  double loss = 0;             // last epoch's mean loss per row (negative ELBO; nats)
  double reconstruction = 0;   // its reconstruction part
  double kl = 0;               // its KL part
  double seconds = 0;
};

// Trains on the n rows of x (n x d, float) with labels y (0..numClasses-1), then draws one sample per entry of
// sampleY (m class ids). Every random draw (weight init, shuffle, noise) comes from `seed`.
CvaeResult trainCvaeAndSample(const float* x, const int32_t* y, int64_t n, int64_t d, int64_t numClasses,
                              const int32_t* sampleY, int64_t m, const CvaeOptions& o);


}  // namespace enough
