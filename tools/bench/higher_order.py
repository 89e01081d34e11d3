#!/usr/bin/env python3
"""Higher-order benchmark for onnxgrad (issue 8): PINN partials and Laplacians against nested
torch.autograd, torch.func, JAX jit (jvp∘jvp, hessian, jax.experimental.jet) and folx.

    python3 tools/bench/higher_order.py [--workloads W9,W7] [--onnxgrad PATH] [--budget S] [--json OUT]

Workloads (float32, same weights and inputs for every peer; tools/bench/README.md):
  W9  u, u_x, u_t, u_xx of a tanh MLP 2→64→64→64→64→1 with inputs x [B,1] and t [B,1], B = 10,000
      (issue 8 calls it W5; W5 already names issue 3's grad workload).
  W7  the Laplacian of a tanh MLP n→128→128→128→1 at B = 4,096 for n = 2, 8 and 32.

Every peer's result and onnxgrad's (from the `derivatives` / `laplacian` commands) is checked
against PyTorch float64 on the same weights (rtol 3e-4, atol 3e-5 × the array's largest
magnitude) before it is timed. Peers run in worker processes with 2 threads (one per library
family); onnxgrad is timed by `onnxgrad bench --json` (plan compiled once, median of calls).
The target: onnxgrad at least 1.5× faster than the best peer on every workload.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers import REPO, log, machine_info, run_binary, time_calls, worker_env  # noqa: E402

WORK = Path(__file__).resolve().parent / ".work" / "higher"
TARGET = 1.5
RTOL, ATOL = 3e-4, 3e-5

WORKLOADS = {
    "W9": dict(kind="pinn", sizes=[2, 64, 64, 64, 64, 1], batch=10_000, seed=7),
    "W7n2": dict(kind="laplacian", sizes=[2, 128, 128, 128, 1], batch=4096, seed=8),
    "W7n8": dict(kind="laplacian", sizes=[8, 128, 128, 128, 1], batch=4096, seed=9),
    "W7n32": dict(kind="laplacian", sizes=[32, 128, 128, 128, 1], batch=4096, seed=10),
}
GROUPS = {"W9": ["W9"], "W7": ["W7n2", "W7n8", "W7n32"]}


# --------------------------------------------------------------------------------------------
# Models, exports and float64 references (main process)
# --------------------------------------------------------------------------------------------


def torch_mlp(sizes, pinn: bool):
    import torch
    import torch.nn as nn

    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers.append(nn.Tanh())
    net = nn.Sequential(*layers)

    class PINN(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, x, t):
            return self.net(torch.cat([x, t], dim=1))

    return PINN() if pinn else net


def linear_layers(model) -> list[tuple[np.ndarray, np.ndarray]]:
    import torch.nn as nn

    return [(m.weight.detach().numpy(), m.bias.detach().numpy()) for m in model.modules() if isinstance(m, nn.Linear)]


def prepare(name: str) -> None:
    import torch

    wl = WORKLOADS[name]
    folder = WORK / name
    folder.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(wl["seed"])
    pinn = wl["kind"] == "pinn"
    model = torch_mlp(wl["sizes"], pinn).eval()
    rng = np.random.default_rng(wl["seed"])
    n, batch = wl["sizes"][0], wl["batch"]
    x = rng.uniform(-1, 1, size=(batch, n)).astype(np.float32)
    layers = linear_layers(model)
    np.savez(folder / "weights.npz", **{f"w{i}": w for i, (w, _) in enumerate(layers)},
             **{f"b{i}": b for i, (_, b) in enumerate(layers)})
    warnings.filterwarnings("ignore")
    if pinn:
        xs, ts = x[:, :1].copy(), x[:, 1:].copy()
        np.save(folder / "input_x.npy", xs)
        np.save(folder / "input_t.npy", ts)
        torch.onnx.export(model, (torch.from_numpy(xs), torch.from_numpy(ts)), str(folder / "model.onnx"),
                          input_names=["x", "t"], output_names=["u"], dynamo=False,
                          dynamic_axes={"x": {0: "batch"}, "t": {0: "batch"}, "u": {0: "batch"}})
        m64 = model.double()
        xv = torch.from_numpy(xs.astype(np.float64)).requires_grad_(True)
        tv = torch.from_numpy(ts.astype(np.float64)).requires_grad_(True)
        u = m64(xv, tv)
        (ux,) = torch.autograd.grad(u.sum(), xv, create_graph=True)
        (ut,) = torch.autograd.grad(u.sum(), tv, create_graph=True)
        (uxx,) = torch.autograd.grad(ux.sum(), xv)
        ref = {k: v.detach().numpy().reshape(-1) for k, v in dict(u=u, u_x=ux, u_t=ut, u_xx=uxx).items()}
    else:
        np.save(folder / "input_x.npy", x)
        torch.onnx.export(model, (torch.from_numpy(x),), str(folder / "model.onnx"), input_names=["x"],
                          output_names=["u"], dynamo=False, dynamic_axes={"x": {0: "batch"}, "u": {0: "batch"}})
        m64 = model.double()
        xv = torch.from_numpy(x.astype(np.float64)).requires_grad_(True)
        u = m64(xv)
        (g,) = torch.autograd.grad(u.sum(), xv, create_graph=True)
        lap = torch.zeros(batch, dtype=torch.float64)
        for i in range(n):
            (gi,) = torch.autograd.grad(g[:, i].sum(), xv, retain_graph=True)
            lap += gi[:, i]
        ref = dict(u=u.detach().numpy().reshape(-1), laplacian=lap.numpy())
    np.savez(folder / "ref.npz", **ref)


def check(got: dict, ref, keys) -> dict:
    worst = 0.0
    for k in keys:
        g = np.asarray(got[k], dtype=np.float64).reshape(-1)
        w = ref[k]
        if g.shape != w.shape or not np.isfinite(g).all():
            return dict(ok=False, worst=float("inf"), note=f"{k}: shape {g.shape} vs {w.shape} or non-finite")
        scale = np.abs(w).max()
        worst = max(worst, float((np.abs(g - w) / (ATOL * scale + RTOL * np.abs(w))).max()))
    return dict(ok=worst <= 1, worst=worst)


def keys_of(name: str) -> list[str]:
    return ["u", "u_x", "u_t", "u_xx"] if WORKLOADS[name]["kind"] == "pinn" else ["laplacian"]


# --------------------------------------------------------------------------------------------
# Peers (worker processes)
# --------------------------------------------------------------------------------------------


def load(name: str):
    folder = WORK / name
    w = np.load(folder / "weights.npz")
    count = len([k for k in w.files if k.startswith("w")])
    layers = [(w[f"w{i}"], w[f"b{i}"]) for i in range(count)]
    if WORKLOADS[name]["kind"] == "pinn":
        inputs = [np.load(folder / "input_x.npy"), np.load(folder / "input_t.npy")]
    else:
        inputs = [np.load(folder / "input_x.npy")]
    return layers, inputs, np.load(folder / "ref.npz")


def worker_torch(names, budget) -> list[dict]:
    import torch
    from torch.func import grad, hessian, vmap

    torch.set_num_threads(2)
    out = []
    for name in names:
        layers, inputs, ref = load(name)
        params = [(torch.from_numpy(w), torch.from_numpy(b)) for w, b in layers]

        def mlp(h):
            for i, (w, b) in enumerate(params):
                h = h @ w.T + b
                if i < len(params) - 1:
                    h = torch.tanh(h)
            return h

        cases = {}
        if WORKLOADS[name]["kind"] == "pinn":
            x0, t0 = (torch.from_numpy(a) for a in inputs)

            def nested():
                x = x0.clone().requires_grad_(True)
                t = t0.clone().requires_grad_(True)
                u = mlp(torch.cat([x, t], dim=1))
                ux, ut = torch.autograd.grad(u.sum(), (x, t), create_graph=True)
                (uxx,) = torch.autograd.grad(ux.sum(), x)
                return dict(u=u.detach(), u_x=ux.detach(), u_t=ut.detach(), u_xx=uxx)

            def scalar(x, t):
                return mlp(torch.stack([x, t])[None])[0, 0]

            per = vmap(lambda x, t: (scalar(x, t), grad(scalar, argnums=(0, 1))(x, t), grad(grad(scalar, 0), 0)(x, t)))

            def func():
                u, (ux, ut), uxx = per(x0[:, 0], t0[:, 0])
                return dict(u=u, u_x=ux, u_t=ut, u_xx=uxx)

            cases = {"torch nested autograd.grad": nested, "torch.func vmap(grad), vmap(grad(grad))": func}
        else:
            x0 = torch.from_numpy(inputs[0])

            def nested():
                x = x0.clone().requires_grad_(True)
                (g,) = torch.autograd.grad(mlp(x).sum(), x, create_graph=True)
                lap = torch.zeros(x.shape[0])
                for i in range(x.shape[1]):
                    (gi,) = torch.autograd.grad(g[:, i].sum(), x, retain_graph=True)
                    lap = lap + gi[:, i]
                return dict(laplacian=lap)

            per = vmap(hessian(lambda v: mlp(v[None])[0, 0]))

            def func():
                return dict(laplacian=torch.diagonal(per(x0), dim1=-2, dim2=-1).sum(-1))

            cases = {"torch nested autograd.grad": nested, "torch.func vmap(hessian) trace": func}
        for peer, fn in cases.items():
            out.append(time_peer(name, peer, lambda fn=fn: {k: v.detach().numpy() for k, v in fn().items()}, ref, budget))
    return out


def worker_jax(names, budget) -> list[dict]:
    import jax
    import jax.numpy as jnp
    from jax.experimental import jet

    out = []
    for name in names:
        layers, inputs, ref = load(name)
        params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in layers]

        def f(v):
            h = v
            for i, (w, b) in enumerate(params):
                h = w @ h + b
                if i < len(params) - 1:
                    h = jnp.tanh(h)
            return h[0]

        cases = {}
        if WORKLOADS[name]["kind"] == "pinn":
            x0, t0 = (jnp.asarray(a[:, 0]) for a in inputs)

            def g(x, t):
                return f(jnp.stack([x, t]))

            def jvp_terms(x, t):
                u, ux = jax.jvp(lambda a: g(a, t), (x,), (1.0,))
                _, ut = jax.jvp(lambda b: g(x, b), (t,), (1.0,))
                _, uxx = jax.jvp(lambda a: jax.jvp(lambda c: g(c, t), (a,), (1.0,))[1], (x,), (1.0,))
                return dict(u=u, u_x=ux, u_t=ut, u_xx=uxx)

            def hess_terms(x, t):
                z = jnp.stack([x, t])
                gr = jax.grad(f)(z)
                h = jax.hessian(f)(z)
                return dict(u=f(z), u_x=gr[0], u_t=gr[1], u_xx=h[0, 0])

            def jet_terms(x, t):
                z = jnp.stack([x, t])
                ex, et = jnp.array([1.0, 0.0]), jnp.array([0.0, 1.0])
                u, (ux, uxx) = jet.jet(f, (z,), ((ex, jnp.zeros(2)),))
                _, (ut,) = jet.jet(f, (z,), ((et,),))
                return dict(u=u, u_x=ux, u_t=ut, u_xx=uxx)

            for peer, fn in {"JAX jit jvp∘jvp": jvp_terms, "JAX jit hessian": hess_terms,
                             "JAX jit jet": jet_terms}.items():
                jf = jax.jit(jax.vmap(fn))
                cases[peer] = lambda jf=jf: {k: np.asarray(v) for k, v in jax.block_until_ready(jf(x0, t0)).items()}
        else:
            import folx

            x0 = jnp.asarray(inputs[0])
            hess = jax.jit(jax.vmap(lambda v: jnp.trace(jax.hessian(f)(v))))
            fwd = jax.jit(jax.vmap(lambda v: folx.forward_laplacian(f)(v).laplacian))
            cases["JAX jit vmap(trace∘hessian)"] = lambda: dict(laplacian=np.asarray(jax.block_until_ready(hess(x0))))
            cases["folx forward_laplacian (jit)"] = lambda: dict(laplacian=np.asarray(jax.block_until_ready(fwd(x0))))
        for peer, fn in cases.items():
            out.append(time_peer(name, peer, fn, ref, budget))
    return out


def time_peer(name, peer, fn, ref, budget) -> dict:
    try:
        checked = check(fn(), ref, keys_of(name))
        if not checked["ok"]:
            return dict(workload=name, peer=peer, error=f"wrong result: {checked}")
        t = time_calls(fn, budget, min_calls=10, max_calls=10_000)
        return dict(workload=name, peer=peer, median_us=t["median_us"], min_us=t["min_us"], calls=t["calls"],
                    first_ms=t["first_ms"], worst=checked["worst"])
    except Exception as e:  # noqa: BLE001
        return dict(workload=name, peer=peer, error=f"{type(e).__name__}: {str(e)[:300]}")


def run_worker(family: str, names, budget) -> list[dict]:
    res = WORK / f"worker-{family}.json"
    res.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", family, "--workloads", ",".join(names),
           "--budget", str(budget), "--_out", str(res)]
    proc = subprocess.run(cmd, env=worker_env("jax" if family == "jax" else "torch", 2), timeout=3600)
    if proc.returncode != 0 or not res.exists():
        return [dict(workload=n, peer=family, error=f"worker exited {proc.returncode}") for n in names]
    return json.loads(res.read_text())


# --------------------------------------------------------------------------------------------
# onnxgrad
# --------------------------------------------------------------------------------------------


def onnxgrad(binary: str, name: str) -> dict:
    folder = WORK / name
    pinn = WORKLOADS[name]["kind"] == "pinn"
    model = str(folder / "model.onnx")
    inputs = (["--input", f"x={folder / 'input_x.npy'}", "--input", f"t={folder / 'input_t.npy'}"] if pinn
              else ["--input", str(folder / "input_x.npy")])
    ref = np.load(folder / "ref.npz")
    if pinn:
        out = folder / "terms"
        proc = run_binary([binary, "derivatives", model, *inputs, "--of", "u", "--wrt", "x,t", "--terms", "x,t,xx",
                           "--out", str(out)])
        got = {k: np.load(out / f"{k}.npy") for k in ("u", "u_x", "u_t", "u_xx")} if proc.returncode == 0 else {}
        bench = ["--what", "derivatives", "--of", "u", "--wrt", "x,t", "--terms", "x,t,xx"]
    else:
        out = folder / "laplacian.npy"
        proc = run_binary([binary, "laplacian", model, *inputs, "--of", "u", "--out", str(out)])
        got = {"laplacian": np.load(out), "u": ref["u"]} if proc.returncode == 0 else {}
        bench = ["--what", "laplacian", "--of", "u"]
    if proc.returncode != 0:
        return dict(workload=name, peer="onnxgrad", error=proc.stderr.strip()[:300])
    checked = check(got, ref, keys_of(name))
    if not checked["ok"]:
        return dict(workload=name, peer="onnxgrad", error=f"wrong result: {checked}")
    proc = run_binary([binary, "bench", model, *inputs, *bench, "--json"])
    if proc.returncode != 0:
        return dict(workload=name, peer="onnxgrad", error=proc.stderr.strip()[:300])
    r = json.loads(proc.stdout.strip().splitlines()[-1])
    return dict(workload=name, peer="onnxgrad", median_us=r["median_us"], min_us=r["min_us"], calls=r["repeat"],
                first_ms=r["compile_ms"], worst=checked["worst"])


def report(names, records, info) -> bool:
    print(f"\nmachine: {info.get('cpu')} ({info.get('usable_cores')} usable cores); torch {info.get('torch')}, "
          f"jax {info.get('jax')}; onnxgrad {info.get('git', '?')}")
    print("medians in µs (2 threads); every result checked against PyTorch float64 first "
          f"(rtol {RTOL}, atol {ATOL} × magnitude)\n")
    ok = True
    for name in names:
        rows = [r for r in records if r["workload"] == name]
        wl = WORKLOADS[name]
        title = ("u, u_x, u_t, u_xx" if wl["kind"] == "pinn" else "Laplacian") + \
            f" of tanh MLP {'→'.join(map(str, wl['sizes']))}, B = {wl['batch']:,}"
        print(f"{name}: {title}")
        for r in rows:
            value = f"{r['median_us']:>12,.0f}" if "median_us" in r else f"{'FAIL':>12}"
            print(f"  {r['peer']:<44} {value}  {r.get('error', '')}")
        peers = [r for r in rows if r["peer"] != "onnxgrad" and "median_us" in r]
        mine = next((r for r in rows if r["peer"] == "onnxgrad" and "median_us" in r), None)
        if not peers or mine is None:
            print("  → FAIL (missing results)\n")
            ok = False
            continue
        best = min(peers, key=lambda r: r["median_us"])
        ratio = best["median_us"] / mine["median_us"]
        verdict = "PASS" if ratio >= TARGET else "below target"
        ok &= ratio >= TARGET
        print(f"  → best peer {best['peer']} {best['median_us']:,.0f} µs; onnxgrad {mine['median_us']:,.0f} µs: "
              f"{ratio:.2f}× ({verdict}, target {TARGET}×)\n")
    lap = [next((r for r in records if r["workload"] == n and r["peer"] == "onnxgrad" and "median_us" in r), None)
           for n in GROUPS["W7"] if n in names]
    if len(lap) == 3 and all(lap):
        n2, n8, n32 = (r["median_us"] for r in lap)
        print(f"onnxgrad Laplacian scaling: n=2 {n2:,.0f} µs, n=8 {n8:,.0f} µs ({n8 / n2:.2f}×), "
              f"n=32 {n32:,.0f} µs ({n32 / n2:.2f}×)")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workloads", default="W9,W7", help="W9, W7 (n = 2, 8, 32) or single ones (W7n8)")
    ap.add_argument("--onnxgrad", default=str(REPO / ".build" / "release" / "onnxgrad"))
    ap.add_argument("--budget", type=float, default=2.0, help="seconds of timed calls per configuration")
    ap.add_argument("--json", help="write every record to this file")
    ap.add_argument("--_worker")
    ap.add_argument("--_out")
    args = ap.parse_args()
    names = [n for w in args.workloads.split(",") for n in GROUPS.get(w, [w])]
    if args._worker:
        warnings.filterwarnings("ignore")
        res = worker_torch(names, args.budget) if args._worker == "torch" else worker_jax(names, args.budget)
        Path(args._out).write_text(json.dumps(res))
        return 0
    if not Path(args.onnxgrad).exists():
        ap.error(f"onnxgrad binary not found: {args.onnxgrad} (build it with swift build -c release)")
    t0 = time.perf_counter()
    for n in names:
        prepare(n)
    records = run_worker("torch", names, args.budget) + run_worker("jax", names, args.budget)
    records += [onnxgrad(args.onnxgrad, n) for n in names]
    ok = report(names, records, machine_info(args.onnxgrad))
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1))
    log(f"total {time.perf_counter() - t0:.0f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
