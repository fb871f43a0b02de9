#!/usr/bin/env python3
"""PyTorch CUDA reference for bench/cuda.bench.ts: the same MLPs and CNN as bench/reference/torch_engine.py, Adam 1e-3,
data resident on the GPU, batches gathered on the GPU, the loss read once per epoch (idiomatic fast PyTorch), cuDNN
deterministic as in enough. Prints one JSON line per model: {"case", "trainSamplesPerSec", "torch"}."""
import json, time, torch, torch.nn as nn, torch.nn.functional as F
torch.backends.cudnn.benchmark = False
torch.backends.cudnn.deterministic = True
dev = "cuda"
class Mlp(nn.Module):
    def __init__(s, h=(256, 128)):
        super().__init__(); s.a, s.b, s.h = nn.Linear(784, h[0]), nn.Linear(h[0], h[1]), nn.Linear(h[1], 10)
    def forward(s, x): return s.h(F.relu(s.b(F.relu(s.a(x.flatten(1))))))
class Cnn(nn.Module):
    def __init__(s):
        super().__init__(); s.c0, s.c1 = nn.Conv2d(1, 32, 3, padding=1), nn.Conv2d(32, 64, 3, padding=1); s.fc, s.h = nn.Linear(64 * 49, 128), nn.Linear(128, 10)
    def forward(s, x):
        x = F.max_pool2d(F.relu(s.c0(x)), 2); x = F.max_pool2d(F.relu(s.c1(x)), 2); return s.h(F.relu(s.fc(x.flatten(1))))
for name, model, n, batch, shape in [("mlp", Mlp(), 60000, 128, (784,)), ("mlp-b1024", Mlp((1024, 1024)), 60000, 1024, (784,)), ("cnn", Cnn(), 16384, 128, (1, 28, 28))]:
    model = model.to(dev)
    if name == "cnn": model = model.to(memory_format=torch.channels_last)
    x = torch.randn((n,) + shape, device=dev); y = torch.randint(0, 10, (n,), device=dev)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    rates = []
    for ep in range(2):
        torch.cuda.synchronize(); t0 = time.perf_counter(); tot = torch.zeros((), device=dev)
        perm = torch.randperm(n, device=dev)
        for s in range(0, n, batch):
            i = perm[s:s + batch]; xb = x[i]
            if name == "cnn": xb = xb.contiguous(memory_format=torch.channels_last)
            opt.zero_grad(set_to_none=True); loss = F.cross_entropy(model(xb), y[i]); loss.backward(); opt.step(); tot += loss.detach()
        tot.item(); torch.cuda.synchronize(); rates.append(n / (time.perf_counter() - t0))
    print(json.dumps({"case": name, "device": "torch-cuda", "trainSamplesPerSec": round(rates[-1]), "torch": torch.__version__}))
