#!/usr/bin/env python3
"""Parallel path under contention (issue 9): onnxgrad on all cores against onnxgrad on one thread,
on an idle machine and while other processes keep every core busy.

    python3 tools/bench/contention.py [--onnxgrad PATH] [--batch N] [--load K] [--rounds R]

The workload is the bundled GeneratorNet's per-sample Jacobian (models/generator_legacy.onnx) at
`--batch` points (default 100,000), timed by `onnxgrad bench --json` (median of the calls in about
one second). The load is K busy-looping processes at normal priority (default: one per core).
ONNXGRAD_THREADS=1 gives the one-thread baseline. Rounds alternate the two settings so that both
see the same load. The target: under load, all cores is no slower than one thread (ratio ≤ 1.0).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]


def spin() -> None:
    while True:
        pass


def bench(binary: str, model: Path, points: Path, threads: int | None) -> float:
    env = dict(os.environ)
    env.pop("ONNXGRAD_THREADS", None)
    if threads is not None:
        env["ONNXGRAD_THREADS"] = str(threads)
    out = subprocess.run(
        [binary, "bench", str(model), "--input", str(points), "--json"],
        env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)["median_us"]


def measure(binary: str, model: Path, points: Path, rounds: int) -> tuple[float, float]:
    one, all_cores = [], []
    for _ in range(rounds):
        one.append(bench(binary, model, points, 1))
        all_cores.append(bench(binary, model, points, None))
    return statistics.median(one), statistics.median(all_cores)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onnxgrad", default=str(REPO / ".build/release/onnxgrad"))
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--load", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    model = REPO / "models" / "generator_legacy.onnx"
    with tempfile.TemporaryDirectory() as tmp:
        points = Path(tmp) / "points.npy"
        np.save(points, np.random.default_rng(0).uniform(-1, 1, (args.batch, 2)).astype(np.float32))
        print(f"GeneratorNet jacobian, B = {args.batch:,}, {os.cpu_count()} cores; median µs per call")
        idle = measure(args.onnxgrad, model, points, args.rounds)
        print(f"  idle:            one thread {idle[0]:>12,.0f}   all cores {idle[1]:>12,.0f}   "
              f"all/one {idle[1] / idle[0]:.2f}")
        load = [multiprocessing.Process(target=spin, daemon=True) for _ in range(args.load)]
        for p in load:
            p.start()
        try:
            busy = measure(args.onnxgrad, model, points, args.rounds)
        finally:
            for p in load:
                p.terminate()
        ratio = busy[1] / busy[0]
        verdict = "PASS" if ratio <= 1.0 else "FAIL"
        print(f"  {args.load} busy processes: one thread {busy[0]:>12,.0f}   all cores {busy[1]:>12,.0f}   "
              f"all/one {ratio:.2f} ({verdict}, target ≤ 1.00)")


if __name__ == "__main__":
    main()
