#!/usr/bin/env python3
"""Kiln vs PyTorch on the CNN benchmarks, same threads, same machine, same run.

Runs build/bin/kiln-bench (Conv3x3, ResNet, LeNet at batch 1 and 8, with the
graph optimizations on and each switched off) and times the same networks in
PyTorch eager mode and as torch.jit.freeze(torch.jit.script(...)), then
prints a Markdown table for BENCHMARKS.md.

    /usr/bin/python3 benchmarks/compare_pytorch.py [--threads 1] \
        [--kiln-bench build/bin/kiln-bench] [--min-time 0.5]

The PyTorch networks mirror examples/cnn/Nets.cpp layer for layer (weights
are random: only the time is compared here; tests/golden checks numbers).
"""
import argparse
import json
import os
import subprocess
import sys
import time

# Threads for both systems: --threads N (default 1), read before torch loads.
THREADS = 1
for i, arg in enumerate(sys.argv):
    if arg == "--threads" and i + 1 < len(sys.argv):
        THREADS = int(sys.argv[i + 1])
    elif arg.startswith("--threads="):
        THREADS = int(arg.split("=", 1)[1])
os.environ["OMP_NUM_THREADS"] = str(THREADS)
os.environ["OPENBLAS_NUM_THREADS"] = str(THREADS)
os.environ["KILN_NUM_THREADS"] = str(THREADS)
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

torch.set_num_threads(THREADS)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return torch.relu(y + (self.down(x) if self.down is not None else x))


class ResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.layers = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 32, 2),
                                    BasicBlock(32, 64, 2))
        self.fc = nn.Linear(64, 10)

    def forward(self, x):
        y = self.layers(torch.relu(self.bn1(self.conv1(x))))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


class ResNet18(nn.Module):
    """torchvision's resnet18 layout (examples/cnn resnet18)."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        blocks, width = [], 64
        for stage in range(4):
            out = 64 << stage
            for b in range(2):
                blocks.append(BasicBlock(width, out, 2 if stage > 0 and b == 0 else 1))
                width = out
        self.layers = nn.Sequential(*blocks)
        self.fc = nn.Linear(512, 1000)

    def forward(self, x):
        y = nn.functional.max_pool2d(torch.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        y = self.layers(y)
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(y, 1), 1))


def lenet():
    return nn.Sequential(nn.Conv2d(1, 6, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                         nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                         nn.Linear(84, 10))


NETWORKS = {
    "Conv3x3": (lambda: nn.Conv2d(64, 64, 3, 1, 1), (64, 56, 56)),
    "ResNet": (ResNet, (3, 32, 32)),
    "LeNet": (lenet, (1, 28, 28)),
    "ResNet18": (ResNet18, (3, 224, 224)),
}
BATCHES = {"ResNet18": (1,)}


def time_torch(fn, x, min_time):
    with torch.no_grad():
        for _ in range(3):
            fn(x)
        n, start = 0, time.perf_counter()
        while True:
            fn(x)
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time and n >= 5:
                return elapsed / n * 1e3  # ms


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kiln-bench", default="build/bin/kiln-bench")
    ap.add_argument("--min-time", type=float, default=0.5)
    ap.add_argument("--threads", type=int, default=1,
                    help="threads for Kiln (KILN_NUM_THREADS) and PyTorch")
    args = ap.parse_args()

    out = subprocess.run(
        [args.kiln_bench, "--benchmark_filter=BM_(Conv3x3|ResNet|LeNet|ResNet18)/",
         f"--benchmark_min_time={args.min_time}", "--benchmark_format=json"],
        check=True, capture_output=True, text=True).stdout
    kiln = {}
    for b in json.loads(out)["benchmarks"]:
        # BM_ResNet/O2/8/real_time
        parts = b["name"].split("/")
        net, variant, batch = parts[0][len("BM_"):], parts[1], parts[2]
        scale = {"ms": 1.0, "us": 1e-3, "ns": 1e-6}[b["time_unit"]]
        kiln[(net, variant, int(batch))] = b["real_time"] * scale

    rows = []
    for net, (make, shape) in NETWORKS.items():
        model = make().eval()
        frozen = torch.jit.freeze(torch.jit.script(model))
        for batch in BATCHES.get(net, (1, 8)):
            x = torch.randn(batch, *shape)
            eager = time_torch(model, x, args.min_time)
            jit = time_torch(frozen, x, args.min_time)
            k = {v: kiln.get((net, v, batch)) for v in
                 ("O2", "no-fold", "no-unfold", "no-fuse", "O0")}
            rows.append((net, batch, eager, jit, k))

    def fmt(v):
        return "-" if v is None else (f"{v:.3f}" if v < 10 else f"{v:.1f}")

    print("| network | batch | PyTorch eager ms | torch.jit.freeze ms | Kiln O2 ms "
          "| Kiln no-fold | Kiln no-unfold | Kiln no-fuse | Kiln O0 | eager / Kiln O2 "
          "| freeze / Kiln O2 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for net, batch, eager, jit, k in rows:
        o2 = k["O2"]
        print(f"| {net} | {batch} | {fmt(eager)} | {fmt(jit)} | {fmt(o2)} | "
              f"{fmt(k['no-fold'])} | {fmt(k['no-unfold'])} | {fmt(k['no-fuse'])} | "
              f"{fmt(k['O0'])} | {eager / o2:.2f}x | {jit / o2:.2f}x |")
    print(f"\n(torch {torch.__version__}, {torch.get_num_threads()} thread(s); "
          "ratios > 1 mean Kiln is faster)")


if __name__ == "__main__":
    sys.exit(main())
