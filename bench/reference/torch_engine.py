#!/usr/bin/env python3
"""PyTorch reference for bench/engine.bench.ts: the same models, optimiser, batch size and threads as enough.

Usage: torch_engine.py --model mlp|cnn --threads T --batch 128 --train-samples N --epochs E
Prints one JSON object: {"train_samples_per_s" (last epoch: the first carries warm-up), "infer_samples_per_s", "test_accuracy", "torch", "threads"}.
Data: Fashion-MNIST IDX files (gzip), normalised once to float32 like enough does per batch.
The thread environment (OMP_WAIT_POLICY, OPENBLAS_NUM_THREADS) comes from the caller, as for enough.
"""
import argparse, gzip, json, os, struct, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

DIR = os.environ.get("ENOUGH_FASHION_MNIST_DIR", "/usr/share/datasets/fashion-mnist")


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


class Mlp(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc0, self.fc1, self.head = nn.Linear(784, 256), nn.Linear(256, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = x.flatten(1)
        return self.head(F.relu(self.fc1(F.relu(self.fc0(x)))))


class Cnn(nn.Module):
    def __init__(self, bn=False):
        super().__init__()
        self.c0, self.c1 = nn.Conv2d(1, 32, 3, padding=1), nn.Conv2d(32, 64, 3, padding=1)
        self.fc, self.head = nn.Linear(64 * 7 * 7, 128), nn.Linear(128, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c0(x)), 2)
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        return self.head(F.relu(self.fc(x.flatten(1))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="mlp")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--train-samples", type=int, default=60000)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    mean, std = 0.286, 0.353
    xtr = torch.from_numpy(idx(f"{DIR}/train-images-idx3-ubyte.gz")[: a.train_samples].copy()).float().div_(255).sub_(mean).div_(std).unsqueeze(1)
    ytr = torch.from_numpy(idx(f"{DIR}/train-labels-idx1-ubyte.gz")[: a.train_samples].astype(np.int64))
    xte = torch.from_numpy(idx(f"{DIR}/t10k-images-idx3-ubyte.gz").copy()).float().div_(255).sub_(mean).div_(std).unsqueeze(1)
    yte = torch.from_numpy(idx(f"{DIR}/t10k-labels-idx1-ubyte.gz").astype(np.int64))
    model = Mlp() if a.model == "mlp" else Cnn()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    n = xtr.shape[0]
    per_epoch = []
    cpu0, seen_all = time.process_time(), 0
    for _ in range(a.epochs):
        model.train()
        seen = 0
        t0 = time.perf_counter()
        perm = torch.randperm(n)
        for s in range(0, n, a.batch):
            idx_b = perm[s : s + a.batch]
            xb, yb = xtr[idx_b], ytr[idx_b]
            opt.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            loss.item()  # enough reads every loss (divergence check); so does the reference
            seen += xb.shape[0]
        per_epoch.append(seen / (time.perf_counter() - t0))
        seen_all += seen
    train_cpu = time.process_time() - cpu0
    model.eval()
    isecs = float("inf")
    for _ in range(2):  # best of two passes over the test set, as the enough side does
        correct = 0
        t0 = time.perf_counter()
        with torch.inference_mode():
            for s in range(0, xte.shape[0], 1024):
                out = F.softmax(model(xte[s : s + 1024]), 1)
                correct += (out.argmax(1) == yte[s : s + 1024]).sum().item()
        isecs = min(isecs, time.perf_counter() - t0)
    print(json.dumps({
        "train_samples_per_s": per_epoch[-1],
        "train_samples_per_s_per_epoch": per_epoch,
        "train_samples_per_cpu_s": seen_all / train_cpu,
        "infer_samples_per_s": xte.shape[0] / isecs,
        "test_accuracy": correct / xte.shape[0],
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
    }))


if __name__ == "__main__":
    main()
