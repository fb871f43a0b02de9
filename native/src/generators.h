// A run's random generators, shared by the training loop (trainer.cc) and pretraining (pretext.cc). Kept out of
// engine.h so that it stays a header every file includes unchanged.
#pragma once

#include <utility>

#include "engine.h"

namespace enough {

// From the run's seed: the CPU generator (noise, masks) and the one on the model's device (dropout), which on the
// CPU is the same generator.
std::pair<at::Generator, at::Generator> runGenerators(const Recipe& r, torch::Device dev);

}  // namespace enough
