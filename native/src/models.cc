// Model families built from a resolved Spec. Each family is a feature extractor; NetImpl adds the linear head.
// Layer initialisation is libtorch's default (the same as PyTorch's), drawn from the global generator under the
// seed lock held by the trainer.
#include <torch/script.h>

#include "engine.h"

namespace enough {
namespace nn = torch::nn;
namespace F = torch::nn::functional;

torch::Tensor NetImpl::dropout(const torch::Tensor& x, double p) {
  if (p <= 0 || !(mcDropout || (is_training() && featuresTraining))) return x;
  auto keep = torch::empty_like(x).bernoulli_(1.0 - p, gen ? c10::optional<at::Generator>(*gen) : c10::nullopt);
  return x * keep.div_(1.0 - p);
}

torch::Tensor NetImpl::linear(torch::nn::Linear& l, const torch::Tensor& x) {
  auto y = l->forward(x);
  if (!taps || !l->weight.requires_grad() || x.dim() != 2) return y;
  // The caller may apply an in-place activation to what it gets: hand it a copy, keep `y` as the layer's output.
  taps->lin.push_back({l.get(), x, y});
  return y.clone();
}

torch::Tensor NetImpl::embed(torch::nn::Embedding& e, const torch::Tensor& idx) {
  auto y = e->forward(idx);
  if (!taps || !e->weight.requires_grad() || idx.dim() != 1) return y;
  taps->emb.push_back({e.get(), idx, y});
  return y.clone();
}

void NetImpl::setFeaturesTraining(bool on) {
  featuresTraining = on;
  for (auto& c : named_children())
    if (c.key() != "head") c.value()->train(on);
}

int64_t ModelState::paramCount() const {
  int64_t c = 0;
  for (const auto& p : net->parameters()) c += p.numel();
  return c;
}

namespace {

int64_t prod(const std::vector<int64_t>& v) {
  int64_t p = 1;
  for (auto d : v) p *= d;
  return p;
}

struct MlpNet : NetImpl {
  std::vector<nn::Embedding> embs;
  std::vector<nn::Linear> fcs;
  std::vector<nn::BatchNorm1d> bns;
  double p;
  MlpNet(const Spec& s, const InputMeta& m) : p(s.dropout) {
    int64_t in = prod(m.xShape);
    for (size_t j = 0; j < m.catCardinalities.size(); j++) {
      embs.push_back(register_module("emb" + std::to_string(j), nn::Embedding(m.catCardinalities[j], s.catEmbedDims[j])));
      in += s.catEmbedDims[j];
    }
    for (size_t i = 0; i < s.hidden.size(); i++) {
      fcs.push_back(register_module("fc" + std::to_string(i), nn::Linear(in, s.hidden[i])));
      if (s.batchNorm) bns.push_back(register_module("bn" + std::to_string(i), nn::BatchNorm1d(s.hidden[i])));
      in = s.hidden[i];
    }
    featureDim = in;
  }
  torch::Tensor features(const torch::Tensor& x, const torch::Tensor& cat) override {
    auto h = x.flatten(1);
    if (!embs.empty()) {
      std::vector<torch::Tensor> parts{h};
      for (size_t j = 0; j < embs.size(); j++) parts.push_back(embed(embs[j], cat.select(1, (int64_t)j)));
      h = torch::cat(parts, 1);
    }
    for (size_t i = 0; i < fcs.size(); i++) {
      h = linear(fcs[i], h);
      if (!bns.empty()) h = bns[i]->forward(h);
      h = dropout((h).relu_(), p);
    }
    return h;
  }
};

struct CnnNet : NetImpl {
  std::vector<nn::Conv2d> convs;
  std::vector<nn::BatchNorm2d> bns;
  std::vector<bool> pool;
  nn::Linear fc{nullptr};
  double p;
  CnnNet(const Spec& s, const InputMeta& m) : p(s.dropout) {
    int64_t c = m.xShape[0], h = m.xShape[1], w = m.xShape[2];
    for (size_t i = 0; i < s.channels.size(); i++) {
      convs.push_back(register_module("conv" + std::to_string(i),
                                      nn::Conv2d(nn::Conv2dOptions(c, s.channels[i], 3).padding(1).bias(!s.batchNorm))));
      if (s.batchNorm) bns.push_back(register_module("bn" + std::to_string(i), nn::BatchNorm2d(s.channels[i])));
      c = s.channels[i];
      bool pl = h >= 2 && w >= 2;  // stop pooling once the map is 1 px
      pool.push_back(pl);
      if (pl) h /= 2, w /= 2;
    }
    int64_t in = c * h * w;
    if (s.fc > 0) {
      fc = register_module("fc", nn::Linear(in, s.fc));
      in = s.fc;
    }
    featureDim = in;
  }
  torch::Tensor features(const torch::Tensor& x, const torch::Tensor&) override {
    auto h = x;
    for (size_t i = 0; i < convs.size(); i++) {
      h = convs[i]->forward(h);
      if (!bns.empty()) h = bns[i]->forward(h);
      // Pool before ReLU: max and ReLU commute (ReLU is monotonic), so values and gradients are those of
      // conv-relu-pool, but the ReLU and its backward touch a quarter of the data.
      if (pool[i]) h = torch::max_pool2d(h, 2);
      h = h.relu_();
    }
    h = h.flatten(1);
    if (fc) h = (fc->forward(h)).relu_();
    return dropout(h, p);
  }
};

struct BasicBlock : nn::Module {
  nn::Conv2d c1{nullptr}, c2{nullptr}, sc{nullptr};
  nn::BatchNorm2d b1{nullptr}, b2{nullptr}, sb{nullptr};
  BasicBlock(int64_t in, int64_t out, int64_t stride) {
    c1 = register_module("c1", nn::Conv2d(nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false)));
    b1 = register_module("b1", nn::BatchNorm2d(out));
    c2 = register_module("c2", nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1).bias(false)));
    b2 = register_module("b2", nn::BatchNorm2d(out));
    if (stride != 1 || in != out) {
      sc = register_module("sc", nn::Conv2d(nn::Conv2dOptions(in, out, 1).stride(stride).bias(false)));
      sb = register_module("sb", nn::BatchNorm2d(out));
    }
  }
  torch::Tensor forward(const torch::Tensor& x) {
    auto h = (b1->forward(c1->forward(x))).relu_();
    h = b2->forward(c2->forward(h));
    auto s = sc ? sb->forward(sc->forward(x)) : x;
    return (h + s).relu_();
  }
};

struct ResNet : NetImpl {
  nn::Conv2d stem{nullptr};
  nn::BatchNorm2d stemBn{nullptr};
  std::vector<std::shared_ptr<BasicBlock>> blocks;
  double p;
  ResNet(const Spec& s, const InputMeta& m) : p(s.dropout) {
    int64_t c = m.xShape[0], h = m.xShape[1];
    int64_t c0 = s.channels[0];
    // Large inputs (>= 64 px) get a strided stem so the first stage does not run at full resolution.
    stem = register_module("stem", nn::Conv2d(nn::Conv2dOptions(c, c0, 3).stride(h >= 64 ? 2 : 1).padding(1).bias(false)));
    stemBn = register_module("stemBn", nn::BatchNorm2d(c0));
    int64_t in = c0;
    for (size_t st = 0; st < s.channels.size(); st++) {
      for (int64_t b = 0; b < s.blocks; b++) {
        int64_t stride = (st > 0 && b == 0) ? 2 : 1;
        blocks.push_back(register_module("s" + std::to_string(st) + "b" + std::to_string(b),
                                         std::make_shared<BasicBlock>(in, s.channels[st], stride)));
        in = s.channels[st];
      }
    }
    featureDim = in;
  }
  torch::Tensor features(const torch::Tensor& x, const torch::Tensor&) override {
    auto h = (stemBn->forward(stem->forward(x))).relu_();
    for (auto& b : blocks) h = b->forward(h);
    h = h.mean({2, 3});
    return dropout(h, p);
  }
};

struct TextNet : NetImpl {
  nn::Embedding emb{nullptr};
  std::vector<nn::Conv1d> convs;
  std::vector<nn::Linear> fcs;
  bool conv;
  double p;
  TextNet(const Spec& s, const InputMeta& m) : conv(s.textConv), p(s.dropout) {
    emb = register_module("emb", nn::Embedding(nn::EmbeddingOptions(m.vocabSize, s.embedDim).padding_idx(0)));
    int64_t in = s.embedDim;
    if (conv) {
      for (size_t i = 0; i < s.channels.size(); i++) {
        convs.push_back(register_module("conv" + std::to_string(i),
                                        nn::Conv1d(nn::Conv1dOptions(in, s.channels[i], s.kernel).padding(s.kernel / 2))));
        in = s.channels[i];
      }
    }
    for (size_t i = 0; i < s.hidden.size(); i++) {
      fcs.push_back(register_module("fc" + std::to_string(i), nn::Linear(in, s.hidden[i])));
      in = s.hidden[i];
    }
    featureDim = in;
  }
  torch::Tensor features(const torch::Tensor& x, const torch::Tensor&) override {
    auto e = emb->forward(x);  // [B, L, E]; padding rows are zero
    torch::Tensor h;
    if (conv) {
      h = e.transpose(1, 2);
      for (auto& c : convs) h = (c->forward(h)).relu_();
      h = std::get<0>(h.max(2));
    } else {
      auto count = x.ne(0).sum(1, /*keepdim=*/true).clamp_min(1).to(e.scalar_type());
      h = e.sum(1) / count;
    }
    h = dropout(h, p);
    for (auto& f : fcs) h = dropout((f->forward(h)).relu_(), p);
    return h;
  }
};

// A TorchScript module (torch.jit.save / torch::jit::Module::save) as the feature extractor: its forward maps the
// input batch (the same normalised float images, dense rows or int64 token ids the other families get) to features,
// flattened per row. Its parameters and buffers are registered here too (the same tensors), so the optimizer,
// freezing, device moves and save/load treat them like any other family's.
struct ScriptNet : NetImpl {
  torch::jit::Module mod;
  double p;
  ScriptNet(const Spec& s, const InputMeta& m) : p(s.dropout) {
    try {
      mod = torch::jit::load(s.scriptPath);
    } catch (const c10::Error& e) {
      throw EngineError(ErrorKind::Spec, "cannot load the TorchScript module " + s.scriptPath + ": " + e.what_without_backtrace());
    } catch (const std::exception& e) {
      throw EngineError(ErrorKind::Spec, "cannot load the TorchScript module " + s.scriptPath + ": " + e.what());
    }
    // nn::Module names may not contain dots: "layer.0.weight" becomes "backbone_layer_0_weight".
    auto name = [](const std::string& k) {
      std::string r = "backbone_" + k;
      for (auto& ch : r)
        if (ch == '.') ch = '_';
      return r;
    };
    for (const auto& t : mod.named_parameters(true)) register_parameter(name(t.name), t.value, true);
    for (const auto& t : mod.named_buffers(true)) register_buffer(name(t.name), t.value);
    // The feature size: one forward pass on a dummy batch of two rows.
    mod.eval();
    torch::NoGradGuard ng;
    std::vector<int64_t> shape{2};
    shape.insert(shape.end(), m.xShape.begin(), m.xShape.end());
    auto dummy = m.xKind == XKind::Tokens ? torch::ones(shape, torch::kLong) : torch::zeros(shape);
    try {
      auto out = mod.forward({dummy});
      if (!out.isTensor()) throw EngineError(ErrorKind::Spec, s.scriptPath + ": forward must return one tensor");
      auto f = out.toTensor();
      if (f.dim() < 1 || f.size(0) != 2)
        throw EngineError(ErrorKind::Spec, s.scriptPath + ": forward must return one row of features per input row");
      featureDim = f.flatten(1).size(1);
    } catch (const EngineError&) {
      throw;
    } catch (const std::exception& e) {
      // The TorchScript interpreter reports a failed op as a plain runtime_error (with the script's traceback).
      throw EngineError(ErrorKind::Spec, s.scriptPath + " does not take this data's input shape: " + e.what());
    }
  }
  void train(bool on = true) override {
    NetImpl::train(on);
    mod.train(on && featuresTraining);
  }
  void setFeaturesTraining(bool on) override {
    featuresTraining = on;
    mod.train(on && is_training());
  }
  torch::Tensor features(const torch::Tensor& x, const torch::Tensor&) override {
    return dropout(mod.forward({x}).toTensor().flatten(1), p);
  }
};

}  // namespace

bool channelsLastSafe(NetImpl& net) {
  // oneDNN 2.6 (Debian's libdnnl, used by libtorch 1.13) has AVX2 channels-last convolution kernels that write past
  // their output buffer when a convolution has fewer than 8 output channels (the AVX2 vector width): a resnet of
  // width 0.25 (4 channels) corrupted the heap on AVX2-only CPUs (valgrind: an 8-byte write just past a 704-byte
  // gradient buffer, from JIT code inside convolution_backward). NCHW has no such path, and at so few channels the
  // layout gains nothing, so such models keep NCHW. Checked with scripts/native-memcheck.sh on the AVX2 paths.
  for (const auto& p : net.parameters())
    if (p.dim() == 4 && p.size(0) < 8) return false;
  return true;
}

std::shared_ptr<NetImpl> buildNet(const Spec& s, const InputMeta& m) {
  std::shared_ptr<NetImpl> net;
  switch (s.family) {
    case Family::Mlp: net = std::make_shared<MlpNet>(s, m); break;
    case Family::Cnn: net = std::make_shared<CnnNet>(s, m); break;
    case Family::Resnet: net = std::make_shared<ResNet>(s, m); break;
    case Family::Text: net = std::make_shared<TextNet>(s, m); break;
    case Family::TorchScript: net = std::make_shared<ScriptNet>(s, m); break;
  }
  net->head = net->register_module("head", nn::Linear(net->featureDim, m.classification ? m.numClasses : 1));
  return net;
}

}  // namespace enough
