// Writes small TorchScript modules for the transfer tests, with libtorch's C++ API only (no Python torch here):
// a torch::jit::Module gets parameters and a TorchScript `forward` compiled from source, then Module::save writes
// the same zip format torch.jit.save does, which torch::jit::load (and Python's torch.jit.load) read.
//
//   make-torchscript-fixture <out-dir>
// writes
//   backbone-dense8.pt:  [b, 8] floats -> [b, 16] features (linear + ReLU)
//   backbone-image1.pt:  [b, 1, h, w] images -> [b, 64] features (3x3 conv to 4 channels + ReLU + 4x4 average pool)
// The weights are drawn from a fixed seed, so the files are the same on every run with the same libtorch.
#include <torch/script.h>
#include <torch/torch.h>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make-torchscript-fixture <out-dir>\n";
    return 2;
  }
  const std::string dir = argv[1];
  torch::manual_seed(7);
  {
    torch::jit::Module m("BackboneDense8");
    m.register_parameter("weight", torch::randn({16, 8}) * 0.35, false);
    m.register_parameter("bias", torch::zeros({16}), false);
    m.define(R"(
def forward(self, x):
    return torch.relu(torch.matmul(x, self.weight.t()) + self.bias)
)");
    m.save(dir + "/backbone-dense8.pt");
  }
  {
    torch::jit::Module m("BackboneImage1");
    m.register_parameter("weight", torch::randn({4, 1, 3, 3}) * 0.3, false);
    m.register_parameter("bias", torch::zeros({4}), false);
    m.define(R"(
def forward(self, x):
    h = torch.relu(torch.conv2d(x, self.weight, self.bias, [1, 1], [1, 1]))
    return torch.flatten(torch.adaptive_avg_pool2d(h, [4, 4]), 1)
)");
    m.save(dir + "/backbone-image1.pt");
  }
  std::cout << "wrote " << dir << "/backbone-dense8.pt and " << dir << "/backbone-image1.pt\n";
  return 0;
}
