#!/usr/bin/python3
"""Which BLAS PyTorch's float32 matrix products run through, whether it computes them right, and how fast.

Debian's python3-torch calls libblas.so.3 for float32 matmuls (Linear layers); that is the reference
netlib BLAS unless an optimised one (libopenblas0-pthread) is installed and selected by the Debian
alternatives. Old OpenBLAS builds can compute wrong results on processors newer than they know, so the
result of a small product is compared with numpy's float64 one. Prints one JSON object:
{"library": path libblas.so.3 resolves to, "check_max_rel_error", "check_passed", "matmul_size", "gflops", "threads"}.
"""
import argparse
import json
import os
import time

import numpy as np
import torch


def library():
    for d in ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib"):
        p = os.path.join(d, "libblas.so.3")
        if os.path.exists(p):
            return os.path.realpath(p)
    return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--size", type=int, default=2048, help="side of the timed square product")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(0)
    # A [67,129] x [129,93] product: odd sizes exercise the kernels' edge handling.
    x = rng.standard_normal((67, 129)).astype(np.float32)
    w = rng.standard_normal((129, 93)).astype(np.float32)
    got = torch.nn.functional.linear(torch.from_numpy(x), torch.from_numpy(w.T.copy())).numpy().astype(np.float64)
    want = x.astype(np.float64) @ w.astype(np.float64)
    # |error| relative to the sum of |terms|, which bounds float32 rounding: ~k * 2^-24.
    scale = np.abs(x).astype(np.float64) @ np.abs(w).astype(np.float64)
    rel = float(np.max(np.abs(got - want) / scale))
    n = a.size
    m1 = torch.randn(n, n)
    m2 = torch.randn(n, n)
    torch.mm(m1, m2)
    reps = 0
    t0 = time.perf_counter()
    while reps < 3 or time.perf_counter() - t0 < 2.0:
        torch.mm(m1, m2)
        reps += 1
    dt = (time.perf_counter() - t0) / reps
    print(json.dumps({"library": library(), "check_max_rel_error": rel, "check_passed": rel < 1e-5,
                      "matmul_size": n, "gflops": 2.0 * n ** 3 / dt / 1e9, "threads": a.threads}))


if __name__ == "__main__":
    main()
