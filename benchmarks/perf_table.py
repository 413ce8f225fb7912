#!/usr/bin/env python3
"""Issue 5's performance table: Kiln against OpenBLAS, Eigen, oneDNN and
PyTorch on one machine, in one run, with 1 and 2 threads.

    /usr/bin/python3 benchmarks/perf_table.py [--build build] [--min-time 0.3]
        [--only gemm,conv,model,op]

Runs build/bin/kiln-bench (Kiln, OpenBLAS, Eigen, peak FMA), build/bin/onednn-bench
(oneDNN; skipped if not built) and PyTorch 1.13 (eager and
torch.jit.freeze(torch.jit.script(...)), one child process per thread count
with OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set before torch loads, and
OpenBLAS as its BLAS, whatever libblas.so.3 points to), then
prints the Markdown tables of BENCHMARKS.md. Ratios > 1 mean Kiln is faster.
The layers, shapes and models are those of benchmarks/Layers.h and
benchmarks/ModelBench.cpp; weights are random (only time is compared).
"""
import argparse
import json
import os
import subprocess
import sys
import time

LAYERS = [  # name, c, h, w, oc, k, stride, pad, groups, batch  (benchmarks/Layers.h)
    ("resnet18_conv1", 3, 224, 224, 64, 7, 2, 3, 1, 1),
    ("resnet18_3x3_56", 64, 56, 56, 64, 3, 1, 1, 1, 1),
    ("resnet18_3x3_28", 128, 28, 28, 128, 3, 1, 1, 1, 1),
    ("resnet18_3x3_14", 256, 14, 14, 256, 3, 1, 1, 1, 1),
    ("resnet18_3x3_7", 512, 7, 7, 512, 3, 1, 1, 1, 1),
    ("mobilenet_dw_112", 32, 112, 112, 32, 3, 1, 1, 32, 1),
    ("mobilenet_dw_s2_112", 64, 112, 112, 64, 3, 2, 1, 64, 1),
    ("mobilenet_dw_14", 512, 14, 14, 512, 3, 1, 1, 512, 1),
    ("mobilenet_pw_112", 32, 112, 112, 64, 1, 1, 0, 1, 1),
    ("mobilenet_pw_14", 512, 14, 14, 512, 1, 1, 0, 1, 1),
    ("cifar_3x3_32", 16, 32, 32, 16, 3, 1, 1, 1, 32),
    ("cifar_3x3_s2_32", 16, 32, 32, 32, 3, 2, 1, 1, 32),
    ("cifar_3x3_16", 32, 16, 16, 32, 3, 1, 1, 1, 32),
    ("cifar_3x3_8", 64, 8, 8, 64, 3, 1, 1, 1, 32),
]
MODELS = {"mlp": (1, 32), "transformer_mlp": (1, 32), "resnet": (1, 32), "resnet18": (1,)}
OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"
OPS = ("gelu", "layer_norm", "softmax", "add_relu")
OP_ROWS, OP_WIDTH = 256, 1024


# ----------------------------------------------------------------- PyTorch side
def torch_models(torch, nn):
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln = nn.LayerNorm(512)
            self.fc1 = nn.Linear(512, 2048)
            self.fc2 = nn.Linear(2048, 512)

        def forward(self, x):
            return x + self.fc2(nn.functional.gelu(self.fc1(self.ln(x))))

    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import compare_pytorch as cp  # the CNNs, layer for layer as examples/cnn
    return {
        "mlp": (lambda: nn.Sequential(nn.Linear(784, 1024), nn.ReLU(), nn.Linear(1024, 1024),
                                      nn.ReLU(), nn.Linear(1024, 10)), (784,)),
        "transformer_mlp": (Block, (64, 512)),
        "resnet": (cp.ResNet, (3, 32, 32)),
        "resnet18": (cp.ResNet18, (3, 224, 224)),
    }


def time_fn(torch, fn, args, min_time):
    with torch.no_grad():
        for _ in range(3):
            fn(*args)
        n, start = 0, time.perf_counter()
        while True:
            fn(*args)
            n += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_time and n >= 3:
                return elapsed / n * 1e6  # us


def torch_worker(threads, min_time, only):
    import torch
    import torch.nn as nn
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    out = {"version": torch.__version__}
    if "conv" in only:
        for name, c, h, w, oc, k, s, p, g, batch in LAYERS:
            conv = nn.Conv2d(c, oc, k, s, p, groups=g).eval()
            x = torch.randn(batch, c, h, w)
            out[f"conv/{name}"] = time_fn(torch, conv, (x,), min_time)
    if "model" in only:
        for name, (make, shape) in torch_models(torch, nn).items():
            model = make().eval()
            frozen = torch.jit.freeze(torch.jit.script(model))
            for batch in MODELS[name]:
                x = torch.randn(batch, *shape)
                out[f"model/{name}/{batch}/eager"] = time_fn(torch, model, (x,), min_time)
                out[f"model/{name}/{batch}/frozen"] = time_fn(torch, frozen, (x,), min_time)
    if "op" in only:
        x, y = torch.randn(OP_ROWS, OP_WIDTH), torch.randn(OP_ROWS, OP_WIDTH)
        ln = nn.LayerNorm(OP_WIDTH).eval()
        fns = {"gelu": (nn.functional.gelu, (x,)), "layer_norm": (ln, (x,)),
               "softmax": (lambda t: torch.softmax(t, -1), (x,)),
               "add_relu": (lambda a, b: torch.relu(a + b), (x, y))}
        for op in OPS:
            out[f"op/{op}"] = time_fn(torch, fns[op][0], fns[op][1], min_time)
    print(json.dumps(out))


def run_torch(threads, args):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    # Debian's PyTorch calls BLAS through libblas.so.3, which the
    # alternatives system may point at the reference BLAS (27 ms instead of
    # 1.3 ms for a 32x1024x1024 linear layer): give it OpenBLAS's.
    if os.path.isdir(OPENBLAS_DIR):
        env["LD_LIBRARY_PATH"] = OPENBLAS_DIR + os.pathsep + env.get("LD_LIBRARY_PATH", "")
    res = subprocess.run([sys.executable, __file__, "--torch-worker", str(threads),
                          "--min-time", str(args.min_time), "--only", args.only],
                         env=env, check=True, capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------ Google Benchmark
def run_bench(binary, pattern, min_time):
    res = subprocess.run([binary, f"--benchmark_filter={pattern}",
                          f"--benchmark_min_time={min_time}", "--benchmark_format=json"],
                         check=True, capture_output=True, text=True)
    table = {}
    for b in json.loads(res.stdout)["benchmarks"]:
        scale = {"ms": 1e3, "us": 1.0, "ns": 1e-3, "s": 1e6}[b["time_unit"]]
        name = b["name"].replace("/real_time", "")
        table[name] = {"us": b["real_time"] * scale,
                       "gflops": b.get("GFLOPS", 0) / 1e9 if b.get("GFLOPS", 0) > 1e6
                       else b.get("GFLOPS", 0),
                       "gbps": b.get("GBps", 0)}
    return table


def fmt_ratio(a, b):
    return "-" if not a or not b else f"{a / b:.2f}x"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--min-time", type=float, default=0.3)
    ap.add_argument("--only", default="gemm,conv,model,op")
    ap.add_argument("--torch-worker", type=int, default=0)
    args = ap.parse_args()
    only = set(args.only.split(","))
    if args.torch_worker:
        return torch_worker(args.torch_worker, args.min_time, only)

    kiln_bench = os.path.join(args.build, "bin", "kiln-bench")
    onednn_bench = os.path.join(args.build, "bin", "onednn-bench")
    patterns = ["BM_PeakFMA"]
    if "gemm" in only:
        patterns.append("BM_Gemm/")
    if "conv" in only:
        patterns.append("BM_ConvLayer/")
    if "model" in only:
        patterns.append("BM_Model/")
    if "op" in only:
        patterns.append("BM_Op/")
    kiln = run_bench(kiln_bench, "|".join(patterns), args.min_time)
    dnnl = (run_bench(onednn_bench, "BM_Gemm/|BM_ConvLayer/", args.min_time)
            if os.path.exists(onednn_bench) and only & {"gemm", "conv"} else {})
    torch = {t: run_torch(t, args) for t in (1, 2)} if only - {"gemm"} else {}

    peak = kiln.get("BM_PeakFMA", {}).get("gflops", 0)
    print(f"BM_PeakFMA: {peak:.1f} GFLOP/s (one core)\n")

    if "gemm" in only:
        print("### GEMM (GFLOP/s; B a runtime input unless 'const B')\n")
        print("| M x K x N | threads | Kiln | Kiln const B | OpenBLAS | Eigen | oneDNN "
              "| Kiln / OpenBLAS | Kiln / oneDNN | Kiln const B / oneDNN | Kiln / peak |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        shapes = [(s, s, s) for s in (64, 128, 256, 512, 777, 1000, 1023, 1024, 2048)]
        shapes += [(1, 1024, 1024), (64, 1024, 1024)]
        for m, k, n in shapes:
            for t in (1, 2):
                key = f"M:{m}/K:{k}/N:{n}/threads:{t}"
                g = lambda sys_: (kiln.get(f"BM_Gemm/{sys_}/{key}") or
                                  dnnl.get(f"BM_Gemm/{sys_}/{key}") or {}).get("gflops")
                kv, kc, ob, ei, dn = (g("kiln"), g("kiln_constb"), g("openblas"),
                                      g("eigen") if t == 1 else None, g("onednn"))
                f = lambda v: "-" if not v else f"{v:.1f}"
                per_core = kv / t / peak if kv and peak else None
                print(f"| {m}x{k}x{n} | {t} | {f(kv)} | {f(kc)} | {f(ob)} | {f(ei)} | {f(dn)} | "
                      f"{fmt_ratio(kv, ob)} | {fmt_ratio(kv, dn)} | {fmt_ratio(kc, dn)} | "
                      f"{'-' if per_core is None else f'{per_core:.2f}'} |")
        gemv = kiln.get("BM_Gemm/kiln/M:1/K:1024/N:1024/threads:1", {}).get("gbps")
        gemvc = kiln.get("BM_Gemm/kiln_constb/M:1/K:1024/N:1024/threads:1", {}).get("gbps")
        print(f"\n1x1024x1024 (memory-bound) 1 thread: Kiln {gemv or 0:.1f} GB/s, "
              f"Kiln const B {gemvc or 0:.1f} GB/s\n")

    if "conv" in only:
        print("### Convolution layers (microseconds per call)\n")
        print("| layer | batch | threads | Kiln | oneDNN | PyTorch | Kiln GFLOP/s | oneDNN / Kiln "
              "| PyTorch / Kiln |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, *rest in LAYERS:
            batch = rest[-1]
            for t in (1, 2):
                key = f"{name}/batch:{batch}/threads:{t}"
                kv = kiln.get(f"BM_ConvLayer/kiln/{key}", {})
                dv = dnnl.get(f"BM_ConvLayer/onednn/{key}", {}).get("us")
                pv = torch.get(t, {}).get(f"conv/{name}")
                k_us = kv.get("us")
                f = lambda v: "-" if not v else f"{v:.0f}"
                print(f"| {name} | {batch} | {t} | {f(k_us)} | {f(dv)} | {f(pv)} | "
                      f"{kv.get('gflops', 0):.1f} | {fmt_ratio(dv, k_us)} | {fmt_ratio(pv, k_us)} |")
        print()

    if "model" in only:
        print("### End-to-end models (microseconds per call)\n")
        print("| model | batch | threads | PyTorch eager | frozen TorchScript | Kiln "
              "| eager / Kiln | frozen / Kiln |")
        print("|---|---|---|---|---|---|---|---|")
        for name, batches in MODELS.items():
            for b in batches:
                for t in (1, 2):
                    k_us = kiln.get(f"BM_Model/kiln/{name}/batch:{b}/threads:{t}", {}).get("us")
                    e = torch.get(t, {}).get(f"model/{name}/{b}/eager")
                    fz = torch.get(t, {}).get(f"model/{name}/{b}/frozen")
                    f = lambda v: "-" if not v else (f"{v:.0f}" if v >= 100 else f"{v:.1f}")
                    print(f"| {name} | {b} | {t} | {f(e)} | {f(fz)} | {f(k_us)} | "
                          f"{fmt_ratio(e, k_us)} | {fmt_ratio(fz, k_us)} |")
        print()

    if "op" in only:
        print(f"### Single ops on [{OP_ROWS}, {OP_WIDTH}] f32 (microseconds)\n")
        print("| op | threads | PyTorch eager | Kiln | Kiln GB/s | PyTorch / Kiln |")
        print("|---|---|---|---|---|---|")
        for op in OPS:
            for t in (1, 2):
                kv = kiln.get(f"BM_Op/kiln/{op}/rows:{OP_ROWS}/threads:{t}", {})
                pv = torch.get(t, {}).get(f"op/{op}")
                print(f"| {op} | {t} | {pv or 0:.1f} | {kv.get('us', 0):.1f} | "
                      f"{kv.get('gbps', 0):.1f} | {fmt_ratio(pv, kv.get('us'))} |")
        print()
    if torch:
        print(f"(torch {torch[1]['version']}; OpenBLAS, Eigen and oneDNN from Debian 12)")


if __name__ == "__main__":
    sys.exit(main())
