#!/usr/bin/env python3
"""Peer benchmark for onnxgrad (issue 3): W1–W6 and W8 against torch eager, torch.func, JAX jit,
(optionally) torch.compile and a hand-written NumPy version, on the same weights and inputs.

    python3 tools/bench/peers.py [--workloads W1,W2,...] [--onnxgrad PATH] [--quick]
                                 [--json OUT] [--with-compile]

What it does (see tools/bench/README.md):
  1. builds every model in PyTorch with torch.manual_seed fixed, exports it with
     torch.onnx.export(dynamo=False, dynamic batch axis) into tools/bench/.work/<W>/, saves the
     inputs (numpy.random.default_rng with a fixed seed) as .npy and the reference (PyTorch in
     float64 on the same weights and inputs) as ref.npz;
  2. times every peer in its own worker process (python3 peers.py --_worker FAMILY --threads N),
     one process per (family, thread count), so that thread settings are set before the library
     is imported; each peer's result is checked against the float64 reference;
  3. times `onnxgrad bench` and checks `onnxgrad jacobian` / `onnxgrad grad` against the same
     reference;
  4. prints machine info, the tables, and PASS/FAIL per workload; exits 1 on any FAIL.

Timings: every call is timed on its own with time.perf_counter (JAX: block_until_ready inside
the timed call) after a first call (reported as first_ms: tracing/compilation) and two warm-up
calls; the number of timed calls is chosen so that each configuration takes about `budget`
seconds (at least `min_calls`). Medians and minima in microseconds.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
WORK = HERE / ".work"

# --------------------------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------------------------

GEN_SEED = 0
MLP_SEED = 1
RES_SEED = 3
INPUT_SEED = 2024

# net, dtype, batch, what ("jacobian": outputs + per-sample Jacobian; "grad": outputs + VJP of
# output component 0 with a seed of ones, i.e. torch.autograd.grad(u, coords, ones_like(u))).
WORKLOADS = {
    "W1": dict(net="gen", dtype="f32", batch=100, what="jacobian"),
    "W2": dict(net="gen", dtype="f32", batch=1, what="jacobian"),
    "W3": dict(net="gen", dtype="f32", batch=100_000, what="jacobian"),
    "W4": dict(net="gen", dtype="f64", batch=100, what="jacobian"),
    "W5": dict(net="gen", dtype="f32", batch=100, what="grad"),
    "W6": dict(net="mlp", dtype="f32", batch=256, what="jacobian"),
    "W8": dict(net="res", dtype="f32", batch=1024, what="jacobian"),
}

NETS = {
    # Linear layer sizes (in, out) and the activation after each (None: no activation).
    "gen": dict(sizes=[(2, 100), (100, 100), (100, 100), (100, 2)],
                acts=["leaky", "leaky", "leaky", "tanh"], input="coords", output="uv", seed=GEN_SEED),
    "mlp": dict(sizes=[(784, 512), (512, 512), (512, 10)],
                acts=["relu", "relu", None], input="x", output="logits", seed=MLP_SEED),
    # Residual MLP (kind "resmlp"): h = Linear(64,256)(x); `blocks` times
    # h = h + GELU(LayerNorm(Linear(256,256)(h))) (exact GELU, LayerNorm over 256 with affine
    # weight ~ U(0.5, 1.5) and bias ~ U(-0.2, 0.2)); y = Linear(256,8)(h). Smooth: no kinks.
    "res": dict(kind="resmlp", sizes=[(64, 256)] + [(256, 256)] * 4 + [(256, 8)], blocks=4,
                ln_eps=1e-5, input="x", output="y", seed=RES_SEED),
}

# The issue's reference figures (µs, medians, best of 2 threads / 1 thread, on its machine).
ISSUE_FIGURES = {
    "W1": dict(eager=393, func=862, compile=261, jax=163, numpy=174),
    "W2": dict(eager=213, func=633, compile=81, jax=36, numpy=32),
    "W3": dict(eager=417_653, func=438_060, compile=337_052, jax=173_591, numpy=222_950),
    "W4": dict(eager=551, func=1_070, compile=443, jax=307, numpy=264),
    "W6": dict(eager=31_347, func=24_912, compile=20_487, jax=19_430, numpy=21_853),
}

# FLOP bounds from the issue (µs at the 2-thread peak). W5 is not in the issue: its FLOP count
# (forward 4.08 MFLOP + input-VJP 4.08 MFLOP) at the same peak rate as W1 (12.24 MFLOP in 60 µs).
# W8 is not in the issue either: its GEMM FLOPs only, forward 2·1024·(64·256 + 4·256² + 256·8)
# = 574.6 MFLOP plus the reverse pass of 8 cotangents per sample through the 256×256 and 64×256
# layers 2·1024·8·(4·256² + 256·64) = 4,563.4 MFLOP (the first cotangent, W_out itself, costs
# nothing), 5,138 MFLOP at the issue's 2-thread f32 peak of 205 GFLOP/s ≈ 25,063 µs.
# LayerNorm, GELU and the residual adds are not counted (they are memory-bound).
FLOP_BOUND_US = {"W1": 60, "W2": 0.6, "W3": 59_718, "W4": 118, "W5": 40, "W6": 18_374, "W8": 25_063}
FLOP_BOUND_NOTE = {"W5": "≈40 (est.)", "W8": "25,063 (GEMMs)"}

TOL = {"f32": dict(rtol=1e-4, atol=1e-5), "f64": dict(rtol=1e-9, atol=1e-9)}

PEER_LABELS = {"eager": "torch eager", "func": "torch.func", "jax": "JAX jit",
               "compile": "torch.compile", "numpy": "NumPy"}


def np_dtype(name: str):
    return np.float32 if name == "f32" else np.float64


def is_resmlp(net: str) -> bool:
    return NETS[net].get("kind") == "resmlp"


def net_in_out(net: str) -> tuple[int, int]:
    sizes = NETS[net]["sizes"]
    return sizes[0][0], sizes[-1][1]


# --------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------


def log(*args) -> None:
    sys.stdout.flush()
    print(*args, file=sys.stderr, flush=True)


def time_calls(fn, budget: float, min_calls: int, max_calls: int) -> dict:
    """First call (tracing/compilation, reported as first_ms), 2 warm-up calls, then timed calls
    until `budget` seconds have passed and at least `min_calls` were made (at most `max_calls`)."""
    t0 = time.perf_counter()
    result = fn()
    first = time.perf_counter() - t0
    for _ in range(2):
        fn()
    samples = []
    start = time.perf_counter()
    while len(samples) < max_calls and (len(samples) < min_calls or time.perf_counter() - start < budget):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return dict(median_us=statistics.median(samples) * 1e6, min_us=min(samples) * 1e6,
                calls=len(samples), first_ms=first * 1e3, result=result)


def compare(got: np.ndarray, want: np.ndarray, dtype: str) -> dict:
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        return dict(ok=False, max_abs=float("nan"), max_rel=float("nan"),
                    note=f"shape {got.shape} != {want.shape}")
    tol = TOL[dtype]
    diff = np.abs(got - want)
    bad = diff > tol["atol"] + tol["rtol"] * np.abs(want)
    return dict(ok=bool(not bad.any() and np.isfinite(got).all()), max_abs=float(diff.max()),
                max_rel=float((diff / np.maximum(np.abs(want), tol["atol"] / tol["rtol"])).max()),
                n_bad=int(bad.sum()), note="")


def check_result(y, d, ref, dtype: str) -> dict:
    """Outputs on every sample; derivatives on the samples not at an activation kink (see
    kink_mask): there the derivative jumps, and f32 rounding may legitimately pick either side."""
    cy = compare(y, ref["y"], dtype)
    keep = ~ref["kink"]
    d = np.asarray(d)
    cd = compare(d[keep] if d.shape[:1] == keep.shape else d, ref["d"][keep], dtype)
    return dict(ok=cy["ok"] and cd["ok"], y=cy, d=cd, kink_samples=int((~keep).sum()))


def kink_mask(layers, acts, x, dtype: str) -> np.ndarray:
    """Samples with a (Leaky)ReLU pre-activation so close to 0 that rounding in `dtype` could put
    it on the other side: |z| < rel * (|W| @ |h| + |b|), in float64. rel = 1e-6 for f32 (the
    rounding error of z is a few 1e-8 of that scale: on W3 the samples whose f32 derivative takes
    the other branch have |z| / scale around 1e-8; 1e-6 excludes about 0.1% of W3's samples),
    1e-13 for f64."""
    rel = 1e-6 if dtype == "f32" else 1e-13
    h = x.astype(np.float64)
    kink = np.zeros(len(x), dtype=bool)
    for (w, b), act in zip(layers, acts):
        z = h @ w.T + b
        if act in ("leaky", "relu"):
            scale = np.abs(h) @ np.abs(w.T) + np.abs(b)
            kink |= (np.abs(z) < rel * scale).any(axis=1)
        h = np.where(z > 0, z, 0.2 * z) if act == "leaky" else np.maximum(z, 0) if act == "relu" \
            else np.tanh(z) if act == "tanh" else z
    return kink


def load_layers(wdir: Path, dtype: str, net: str = "gen"):
    """Sequential nets: [(weight [out, in], bias [out])] per Linear. Residual MLPs: the
    state_dict as {name: array} (inp.*, blocks.<i>.lin.*, blocks.<i>.ln.*, out.*)."""
    w = np.load(wdir / "weights.npz")
    dt = np_dtype(dtype)
    if is_resmlp(net):
        return {k: w[k].astype(dt) for k in w.files}
    n = len([k for k in w.files if k.endswith(".weight")])
    return [(w[f"{i}.weight"].astype(dt), w[f"{i}.bias"].astype(dt)) for i in range(n)]


def resmlp_parts(params: dict, blocks: int):
    """(W_in, b_in), [(W, b, γ, β) per block], (W_out, b_out) from a residual MLP's state_dict."""
    blk = [(params[f"blocks.{i}.lin.weight"], params[f"blocks.{i}.lin.bias"],
            params[f"blocks.{i}.ln.weight"], params[f"blocks.{i}.ln.bias"]) for i in range(blocks)]
    return ((params["inp.weight"], params["inp.bias"]), blk,
            (params["out.weight"], params["out.bias"]))


# --------------------------------------------------------------------------------------------
# Building, exporting, references (main process)
# --------------------------------------------------------------------------------------------


def torch_resmlp(spec: dict):
    """The residual MLP of NETS["res"] (parameters from torch's default init; the caller sets
    LayerNorm's weight and bias)."""
    import torch.nn as nn

    class Block(nn.Module):
        def __init__(self, width: int):
            super().__init__()
            self.lin = nn.Linear(width, width)
            self.ln = nn.LayerNorm(width, eps=spec["ln_eps"])
            self.act = nn.GELU()  # exact (erf) form

        def forward(self, h):
            return h + self.act(self.ln(self.lin(h)))

    class ResMLP(nn.Module):
        def __init__(self):
            super().__init__()
            (n_in, width), *_ = spec["sizes"]
            self.inp = nn.Linear(n_in, width)
            self.blocks = nn.ModuleList(Block(width) for _ in range(spec["blocks"]))
            self.out = nn.Linear(width, spec["sizes"][-1][1])

        def forward(self, x):
            h = self.inp(x)
            for blk in self.blocks:
                h = blk(h)
            return self.out(h)

    return ResMLP()


def torch_model(net: str):
    import torch
    import torch.nn as nn

    spec = NETS[net]
    if is_resmlp(net):
        model = torch_resmlp(spec)
        # Non-trivial LayerNorm affine parameters (default init is 1 and 0), from a fixed seed.
        g = torch.Generator().manual_seed(spec["seed"] + 100)
        with torch.no_grad():
            for blk in model.blocks:
                blk.ln.weight.uniform_(0.5, 1.5, generator=g)
                blk.ln.bias.uniform_(-0.2, 0.2, generator=g)
        return model
    mods = []
    for (i, o), act in zip(spec["sizes"], spec["acts"]):
        mods.append(nn.Linear(i, o))
        if act == "leaky":
            mods.append(nn.LeakyReLU(0.2))
        elif act == "relu":
            mods.append(nn.ReLU())
        elif act == "tanh":
            mods.append(nn.Tanh())
    return nn.Sequential(*mods)


def torch_model_from_layers(net: str, layers, torch_dtype):
    import torch

    model = torch_model(net).to(torch_dtype)
    if is_resmlp(net):
        model.load_state_dict({k: torch.from_numpy(v) for k, v in layers.items()})
    else:
        linears = [m for m in model if isinstance(m, torch.nn.Linear)]
        with torch.no_grad():
            for lin, (w, b) in zip(linears, layers):
                lin.weight.copy_(torch.from_numpy(w))
                lin.bias.copy_(torch.from_numpy(b))
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    return model


def prepare(names: list[str]) -> None:
    """Build, export, write inputs and float64 references into tools/bench/.work/<W>/."""
    import torch

    WORK.mkdir(parents=True, exist_ok=True)
    for name in names:
        wl = WORKLOADS[name]
        spec = NETS[wl["net"]]
        wdir = WORK / name
        wdir.mkdir(parents=True, exist_ok=True)
        torch.manual_seed(spec["seed"])
        model = torch_model(wl["net"]).eval()
        if wl["dtype"] == "f64":
            model = model.double()
        if is_resmlp(wl["net"]):
            np.savez(wdir / "weights.npz", **{k: v.detach().numpy() for k, v in model.state_dict().items()})
        else:
            linears = [m for m in model if isinstance(m, torch.nn.Linear)]
            np.savez(wdir / "weights.npz",
                     **{f"{i}.weight": l.weight.detach().numpy() for i, l in enumerate(linears)},
                     **{f"{i}.bias": l.bias.detach().numpy() for i, l in enumerate(linears)})
        rng = np.random.default_rng(INPUT_SEED)
        in_features = spec["sizes"][0][0]
        if wl["net"] in ("gen", "res"):
            x = rng.uniform(-1.0, 1.0, size=(wl["batch"], in_features))
        else:
            x = rng.uniform(0.0, 1.0, size=(wl["batch"], in_features))  # pixel-like
        x = x.astype(np_dtype(wl["dtype"]))
        np.save(wdir / "x.npy", x)
        example = torch.from_numpy(x[: min(len(x), 4)])
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model, (example,), str(wdir / "model.onnx"), dynamo=False,
                input_names=[spec["input"]], output_names=[spec["output"]],
                dynamic_axes={spec["input"]: {0: "batch"}, spec["output"]: {0: "batch"}},
            )
        # Reference: PyTorch float64 on the same weights (cast exactly) and inputs.
        m64 = torch_model_from_layers(wl["net"], load_layers(wdir, "f64", wl["net"]), torch.float64)
        x64 = torch.from_numpy(x.astype(np.float64)).requires_grad_()
        y = m64(x64)
        if wl["what"] == "jacobian":
            cols = [torch.autograd.grad(y[:, i].sum(), x64, retain_graph=True)[0]
                    for i in range(y.shape[1])]
            d = torch.stack(cols, dim=1)
        else:
            u = y[:, 0]
            (d,) = torch.autograd.grad(u, x64, grad_outputs=torch.ones_like(u))
        if is_resmlp(wl["net"]):  # GELU and LayerNorm are smooth: every derivative is compared
            kink = np.zeros(len(x), dtype=bool)
        else:
            kink = kink_mask(load_layers(wdir, "f64"), spec["acts"], x, wl["dtype"])
        np.savez(wdir / "ref.npz", y=y.detach().numpy(), d=d.numpy(), kink=kink)
        log(f"[prepare] {name}: {wl['net']} {wl['dtype']} B={wl['batch']} {wl['what']} "
            f"-> {wdir.relative_to(REPO)}")


# --------------------------------------------------------------------------------------------
# Workers (one process per family and thread count)
# --------------------------------------------------------------------------------------------


def worker_torch(names, threads, cfg, with_compile: bool) -> list[dict]:
    import torch
    from torch.func import jacfwd, jacrev, vjp, vmap

    torch.set_num_threads(threads)
    if threads == 1:
        torch.set_num_interop_threads(1)
    out = []
    for name in names:
        wl = WORKLOADS[name]
        wdir = WORK / name
        tdtype = torch.float32 if wl["dtype"] == "f32" else torch.float64
        layers = load_layers(wdir, wl["dtype"], wl["net"])
        model = torch_model_from_layers(wl["net"], layers, tdtype)
        x = torch.from_numpy(np.load(wdir / "x.npy"))
        ref = dict(np.load(wdir / "ref.npz"))
        n_in, n_out = net_in_out(wl["net"])
        budget, min_calls, max_calls = cfg["budget"], cfg["min_calls"], cfg["max_calls"]
        if name == "W3":
            min_calls = cfg["w3_min_calls"]

        def with_aux(xi):
            y = model(xi)
            return y, y

        variants = {}
        if wl["what"] == "jacobian":
            def eager():
                xg = x.detach().requires_grad_()
                y = model(xg)
                cols = [torch.autograd.grad(y[:, i].sum(), xg, retain_graph=i < n_out - 1)[0]
                        for i in range(n_out)]
                return y.detach(), torch.stack(cols, dim=1)

            jr = vmap(jacrev(with_aux, has_aux=True))
            jf = vmap(jacfwd(with_aux, has_aux=True))
            variants[("eager", "autograd.grad loop")] = eager
            variants[("func", "vmap(jacrev)")] = lambda: tuple(reversed(jr(x)))
            # jacfwd pushes one tangent per input feature: 784 for W6 (78x the work of jacrev),
            # 64 for W8 (8x).
            if n_in <= 4 * n_out:
                variants[("func", "vmap(jacfwd)")] = lambda: tuple(reversed(jf(x)))
            best_func = jf if n_in <= n_out else jr
            best_label = "vmap(jacfwd)" if n_in <= n_out else "vmap(jacrev)"
        else:
            ct = torch.zeros(x.shape[0], n_out, dtype=tdtype)
            ct[:, 0] = 1

            def eager():
                xg = x.detach().requires_grad_()
                y = model(xg)
                u = y[:, 0]
                (g,) = torch.autograd.grad(u, xg, grad_outputs=torch.ones_like(u))
                return y.detach(), g

            def func_vjp(xx):
                y, pb = vjp(model, xx)
                return y, pb(ct)[0]

            variants[("eager", "autograd.grad")] = eager
            variants[("func", "func.vjp")] = lambda: func_vjp(x)
            best_func, best_label = func_vjp, "func.vjp"
        if with_compile:
            try:
                compiled = torch.compile(best_func)
                if wl["what"] == "jacobian":
                    variants[("compile", f"compile({best_label})")] = lambda: tuple(reversed(compiled(x)))
                else:
                    variants[("compile", f"compile({best_label})")] = lambda: compiled(x)
            except Exception as e:  # noqa: BLE001
                out.append(dict(workload=name, peer="compile", variant="-", threads=threads,
                                error=repr(e)))
        for (peer, variant), fn in variants.items():
            log(f"[torch/{threads}t] {name} {peer} {variant}")
            try:
                with torch.no_grad() if peer != "eager" else contextlib.nullcontext():
                    r = time_calls(fn, budget, min_calls, max_calls)
            except Exception as e:  # noqa: BLE001
                out.append(dict(workload=name, peer=peer, variant=variant, threads=threads,
                                error=repr(e)[:300]))
                continue
            y, d = r.pop("result")
            r["check"] = check_result(y.detach().numpy(), d.detach().numpy(), ref, wl["dtype"])
            out.append(dict(workload=name, peer=peer, variant=variant, threads=threads, **r))
    return out


def worker_jax(names, threads, cfg) -> list[dict]:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)  # only for W4; f32 arrays stay f32
    out = []
    for name in names:
        wl = WORKLOADS[name]
        wdir = WORK / name
        spec = NETS[wl["net"]]
        x = jax.device_put(jnp.asarray(np.load(wdir / "x.npy")))
        ref = dict(np.load(wdir / "ref.npz"))
        n_in, n_out = net_in_out(wl["net"])
        budget, min_calls, max_calls = cfg["budget"], cfg["min_calls"], cfg["max_calls"]
        if name == "W3":
            min_calls = cfg["w3_min_calls"]

        if is_resmlp(wl["net"]):
            params = {k: jnp.asarray(v) for k, v in load_layers(wdir, wl["dtype"], wl["net"]).items()}
            (w_in, b_in), blocks, (w_out, b_out) = resmlp_parts(params, spec["blocks"])
            eps = spec["ln_eps"]

            def f(h):  # one sample [in] or a batch [B, in]
                h = h @ w_in.T + b_in
                for w, b, gamma, beta in blocks:
                    z = h @ w.T + b
                    mu = jnp.mean(z, axis=-1, keepdims=True)
                    var = jnp.mean(jnp.square(z - mu), axis=-1, keepdims=True)
                    a = (z - mu) * jax.lax.rsqrt(var + eps) * gamma + beta
                    h = h + jax.nn.gelu(a, approximate=False)
                return h @ w_out.T + b_out
        else:
            acts = spec["acts"]
            layers = [(jnp.asarray(w), jnp.asarray(b)) for w, b in load_layers(wdir, wl["dtype"])]

            def f(h):  # works on one sample [in] or a batch [B, in]
                for (w, b), act in zip(layers, acts):
                    h = h @ w.T + b
                    if act == "leaky":
                        h = jnp.where(h > 0, h, 0.2 * h)
                    elif act == "relu":
                        h = jnp.maximum(h, 0)
                    elif act == "tanh":
                        h = jnp.tanh(h)
                return h

        def with_aux(xi):
            y = f(xi)
            return y, y

        variants = {}
        if wl["what"] == "jacobian":
            jf = jax.jit(lambda xx: jax.vmap(jax.jacfwd(with_aux, has_aux=True))(xx))
            jr = jax.jit(lambda xx: jax.vmap(jax.jacrev(with_aux, has_aux=True))(xx))
            variants["jit(vmap(jacrev))"] = lambda: tuple(reversed(jax.block_until_ready(jr(x))))
            if n_in <= 4 * n_out:
                variants["jit(vmap(jacfwd))"] = lambda: tuple(reversed(jax.block_until_ready(jf(x))))
        else:
            ct = jnp.zeros((x.shape[0], n_out), x.dtype).at[:, 0].set(1)

            @jax.jit
            def gv(xx):
                y, pb = jax.vjp(f, xx)
                return y, pb(ct)[0]

            variants["jit(vjp)"] = lambda: jax.block_until_ready(gv(x))
        for variant, fn in variants.items():
            log(f"[jax/{threads}t] {name} {variant}")
            try:
                r = time_calls(fn, budget, min_calls, max_calls)
            except Exception as e:  # noqa: BLE001
                out.append(dict(workload=name, peer="jax", variant=variant, threads=threads,
                                error=repr(e)[:300]))
                continue
            y, d = r.pop("result")
            r["check"] = check_result(np.asarray(y), np.asarray(d), ref, wl["dtype"])
            out.append(dict(workload=name, peer="jax", variant=variant, threads=threads, **r))
    return out


def numpy_fn(layers, acts, x, what: str):
    """Hand-written: forward pass keeping activation slopes, then a forward-mode Jacobian
    (in <= out features), a reverse-mode Jacobian (otherwise), or the VJP of output 0."""
    n_in = layers[0][0].shape[1]
    n_out = layers[-1][0].shape[0]
    B = x.shape[0]
    dt = x.dtype
    use_forward = n_in <= n_out

    def call():
        h = x
        slopes = []
        tangent = None
        for (w, b), act in zip(layers, acts):
            z = h @ w.T
            z += b
            if act == "leaky":
                s = np.where(z > 0, dt.type(1), dt.type(0.2))
                h = z * s
            elif act == "relu":
                s = (z > 0).astype(dt)
                h = z * s
            elif act == "tanh":
                h = np.tanh(z)
                s = 1 - h * h
            else:
                s = None
                h = z
            if what == "jacobian" and use_forward:
                if tangent is None:  # d z / d x = W for every sample: [B, in, hidden]
                    tangent = np.broadcast_to(w.T, (B,) + w.T.shape)
                    tangent = tangent * s[:, None, :] if s is not None else tangent.copy()
                else:
                    k = tangent.shape[1]
                    tangent = (tangent.reshape(B * k, -1) @ w.T).reshape(B, k, -1)
                    if s is not None:
                        tangent *= s[:, None, :]
            else:
                slopes.append(s)
        if what == "jacobian" and use_forward:
            return h, tangent.transpose(0, 2, 1)
        if what == "jacobian":  # reverse: cotangents [B, out, features]
            s = slopes[-1]
            g = np.broadcast_to(np.eye(n_out, dtype=dt), (B, n_out, n_out))
            g = g * s[:, None, :] if s is not None else g.copy()
            for (w, _), s in zip(reversed(layers[1:]), reversed(slopes[:-1])):
                g = (g.reshape(B * n_out, -1) @ w).reshape(B, n_out, -1)
                if s is not None:
                    g *= s[:, None, :]
            g = (g.reshape(B * n_out, -1) @ layers[0][0]).reshape(B, n_out, -1)
            return h, g
        ct = np.zeros((B, n_out), dt)  # grad of output 0 with a seed of ones
        ct[:, 0] = 1
        g = ct * slopes[-1] if slopes[-1] is not None else ct
        for (w, _), s in zip(reversed(layers[1:]), reversed(slopes[:-1])):
            g = g @ w
            if s is not None:
                g *= s
        return h, g @ layers[0][0]

    return call, ("forward" if (what == "jacobian" and use_forward) else
                  "reverse" if what == "jacobian" else "vjp")


def numpy_resmlp_fn(params: dict, spec: dict, x):
    """Hand-written residual MLP: forward pass keeping what the backward pass needs (x̂, r, γ
    and GELU′ per block), then reverse mode with one cotangent per output (K = 8) as
    [B, K, features] batched matmuls. Per block, with a = x̂·γ + β and h ← h + GELU(a):
    ā = h̄·GELU′(a), GELU′(a) = Φ(a) + a·φ(a); the LayerNorm backward
    z̄ = r·(u − mean(u) − x̂·mean(u·x̂)) with u = ā·γ, r = 1/√(var + ε) (per row); then
    h̄ ← h̄ + z̄·W. erf is scipy.special.erf (NumPy has none)."""
    from scipy.special import erf

    (w_in, b_in), blocks, (w_out, b_out) = resmlp_parts(params, spec["blocks"])
    dt = x.dtype
    B = x.shape[0]
    n_out = w_out.shape[0]
    eps = dt.type(spec["ln_eps"])
    inv_sqrt2 = dt.type(1 / np.sqrt(2))
    inv_sqrt2pi = dt.type(1 / np.sqrt(2 * np.pi))
    half = dt.type(0.5)

    def call():
        h = x @ w_in.T
        h += b_in
        saved = []
        for w, b, gamma, beta in blocks:
            z = h @ w.T
            z += b
            z -= z.mean(axis=-1, keepdims=True)
            r = 1 / np.sqrt((z * z).mean(axis=-1, keepdims=True) + eps)
            xhat = z * r  # z is centred in place
            a = xhat * gamma
            a += beta
            phi = half * (1 + erf(a * inv_sqrt2))  # Φ(a)
            h = h + a * phi
            dgelu = phi + a * (inv_sqrt2pi * np.exp(-half * a * a))
            saved.append((xhat, r, dgelu))
        y = h @ w_out.T
        y += b_out
        # Reverse: cotangent of h for each output i is W_out[i, :] for every sample.
        g = np.broadcast_to(w_out, (B, n_out, w_out.shape[1])).copy()
        for (w, _, gamma, _), (xhat, r, dgelu) in zip(reversed(blocks), reversed(saved)):
            u = g * (dgelu * gamma)[:, None, :]
            xh = xhat[:, None, :]
            u -= u.mean(axis=-1, keepdims=True) + xh * (u * xh).mean(axis=-1, keepdims=True)
            u *= r[:, :, None]
            g += (u.reshape(B * n_out, -1) @ w).reshape(B, n_out, -1)
        return y, (g.reshape(B * n_out, -1) @ w_in).reshape(B, n_out, -1)

    return call, "reverse"


def worker_numpy(names, threads, cfg) -> list[dict]:
    out = []
    for name in names:
        wl = WORKLOADS[name]
        wdir = WORK / name
        layers = load_layers(wdir, wl["dtype"], wl["net"])
        x = np.load(wdir / "x.npy")
        ref = dict(np.load(wdir / "ref.npz"))
        if is_resmlp(wl["net"]):
            fn, mode = numpy_resmlp_fn(layers, NETS[wl["net"]], x)
        else:
            fn, mode = numpy_fn(layers, NETS[wl["net"]]["acts"], x, wl["what"])
        budget, min_calls, max_calls = cfg["budget"], cfg["min_calls"], cfg["max_calls"]
        if name == "W3":
            min_calls = cfg["w3_min_calls"]
        log(f"[numpy/{threads}t] {name} {mode}")
        r = time_calls(fn, budget, min_calls, max_calls)
        y, d = r.pop("result")
        r["check"] = check_result(y, d, ref, wl["dtype"])
        out.append(dict(workload=name, peer="numpy", variant=f"hand-written {mode}",
                        threads=threads, **r))
    return out


def worker_env(family: str, threads: int) -> dict:
    env = dict(os.environ)  # OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE are kept as they are
    if threads == 1:
        env.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        if family == "jax":
            flags = env.get("XLA_FLAGS", "")
            env["XLA_FLAGS"] = (flags + " --xla_cpu_multi_thread_eigen=false "
                                "intra_op_parallelism_threads=1").strip()
    else:
        env.update(OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
                   OPENBLAS_NUM_THREADS=str(threads))
    env.setdefault("JAX_PLATFORMS", "cpu")
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


def run_worker(family: str, threads: int, names, cfg, with_compile: bool) -> list[dict]:
    res_path = WORK / f"worker-{family}-{threads}t.json"
    res_path.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--_worker", family,
           "--threads", str(threads), "--workloads", ",".join(names),
           "--_cfg", json.dumps(cfg), "--_out", str(res_path)]
    if with_compile:
        cmd.append("--with-compile")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=worker_env(family, threads), stdout=subprocess.PIPE,
                          stderr=None, text=True, timeout=1800)
    log(f"[{family}/{threads}t] worker done in {time.perf_counter() - t0:.1f} s (rc {proc.returncode})")
    if proc.returncode != 0 or not res_path.exists():
        return [dict(workload=n, peer=family, variant="-", threads=threads,
                     error=f"worker exited {proc.returncode}") for n in names]
    return json.loads(res_path.read_text())


def worker_main(args) -> None:
    names = args.workloads.split(",")
    cfg = json.loads(args._cfg)
    warnings.filterwarnings("ignore", category=FutureWarning)
    if args.threads == 1 and args._worker == "jax" and hasattr(os, "sched_setaffinity"):
        # The XLA flags turn off Eigen's thread pool; pinning to one CPU makes sure nothing else
        # (thunk executor, runtime threads) runs on the second core.
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    if args._worker == "torch":
        res = worker_torch(names, args.threads, cfg, args.with_compile)
    elif args._worker == "jax":
        res = worker_jax(names, args.threads, cfg)
    else:
        res = worker_numpy(names, args.threads, cfg)
    Path(args._out).write_text(json.dumps(res))


# --------------------------------------------------------------------------------------------
# onnxgrad
# --------------------------------------------------------------------------------------------


def run_binary(cmd: list[str], timeout: float = 1200) -> subprocess.CompletedProcess:
    """Runs onnxgrad; retries once (the binary may be rebuilt under us)."""
    for attempt in range(2):
        try:
            proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as e:
            proc = subprocess.CompletedProcess(cmd, -1, "", repr(e))
        if proc.returncode == 0:
            return proc
        log(f"[onnxgrad] attempt {attempt + 1} failed (rc {proc.returncode}): {proc.stderr.strip()[:300]}")
        time.sleep(2)
    return proc


def onnxgrad_workload(binary: str, name: str, cfg) -> dict:
    wl = WORKLOADS[name]
    spec = NETS[wl["net"]]
    wdir = WORK / name
    model = str(wdir / "model.onnx")
    inp = f"{spec['input']}={wdir / 'x.npy'}"
    what = ["--what", "jacobian"] if wl["what"] == "jacobian" else ["--what", "grad", "--of", f"{spec['output']}:0"]
    rec = dict(workload=name, peer="onnxgrad", threads=None)
    # Probe (3 calls) to choose the number of timed calls for about `budget` seconds.
    probe = run_binary([binary, "bench", model, "--input", inp, *what, "--json", "--repeat", "3"])
    if probe.returncode != 0:
        rec["error"] = probe.stderr.strip()[:300]
        return rec
    est = json.loads(probe.stdout.strip().splitlines()[-1])["min_us"] * 1e-6
    min_calls = cfg["w3_min_calls"] if name == "W3" else cfg["min_calls"]
    n = int(min(max(cfg["budget"] / max(est, 1e-7), min_calls), cfg["max_calls"]))
    log(f"[onnxgrad] {name} bench --repeat {n}")
    proc = run_binary([binary, "bench", model, "--input", inp, *what, "--json", "--repeat", str(n)])
    if proc.returncode != 0:
        rec["error"] = proc.stderr.strip()[:300]
        return rec
    b = json.loads(proc.stdout.strip().splitlines()[-1])
    rec.update(median_us=b["median_us"], min_us=b["min_us"], calls=b.get("repeat", n),
               first_ms=b.get("compile_ms"), variant=f"bench {wl['what']}" + (f" ({b['mode']})" if b.get("mode", "-") != "-" else ""),
               bench=b)
    # Agreement: the CLI's own result files against the float64 reference.
    ref = dict(np.load(wdir / "ref.npz"))
    if wl["what"] == "jacobian":
        outp = wdir / "onnxgrad_jac.npz"
        outp.unlink(missing_ok=True)
        p = run_binary([binary, "jacobian", model, "--input", inp, "--out", str(outp)])
        if p.returncode != 0:
            rec["check"] = dict(ok=False, error=p.stderr.strip()[:300])
            return rec
        z = np.load(outp)
        y = z[spec["output"]]
        d = z[f"d{spec['output']}_d{spec['input']}"]
    else:
        gp, rp = wdir / "onnxgrad_grad.npy", wdir / "onnxgrad_run.npz"
        gp.unlink(missing_ok=True)
        rp.unlink(missing_ok=True)
        p = run_binary([binary, "grad", model, "--input", inp, "--of", f"{spec['output']}:0",
                        "--wrt", spec["input"], "--out", str(gp)])
        q = run_binary([binary, "run", model, "--input", inp, "--out", str(rp)])
        if p.returncode != 0 or q.returncode != 0:
            rec["check"] = dict(ok=False, error=(p.stderr + q.stderr).strip()[:300])
            return rec
        d = np.load(gp)
        y = np.load(rp)[spec["output"]]
    rec["check"] = check_result(y, d, ref, wl["dtype"])
    return rec


def startup_time(binary: str, name: str, n: int = 20) -> dict:
    model = str(WORK / name / "model.onnx")
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        p = subprocess.run([binary, "info", model], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
        if p.returncode != 0:
            return dict(error=f"info exited {p.returncode}")
    return dict(median_ms=statistics.median(times) * 1e3, min_ms=min(times) * 1e3, runs=n)


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------


def fmt_us(v) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "—"
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.0f}"
    return f"{v:.1f}"


def fmt_ratio(v) -> str:
    if v is None or not np.isfinite(v):
        return "—"
    return f"{v:.2f}×" if v < 10 else f"{v:.1f}×"


def machine_info(binary: str) -> dict:
    cpu = platform.processor()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    info = dict(cpu=cpu, cores=os.cpu_count(),
                usable_cores=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
                python=platform.python_version(), numpy=np.__version__,
                openblas_env={k: v for k, v in os.environ.items() if k.startswith("OPENBLAS")},
                loadavg=os.getloadavg())
    for mod in ("torch", "jax", "jaxlib", "onnx", "onnxruntime"):
        try:
            out = subprocess.run([sys.executable, "-c", f"import {mod}; print({mod}.__version__)"],
                                 capture_output=True, text=True, timeout=120, env=worker_env("x", 2))
            info[mod] = out.stdout.strip() or "?"
        except Exception:  # noqa: BLE001
            info[mod] = "?"
    with contextlib.suppress(OSError):
        st = Path(binary).stat()
        info["onnxgrad"] = f"{binary} (built {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(st.st_mtime))})"
    with contextlib.suppress(Exception):
        info["git"] = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"],
                                     capture_output=True, text=True).stdout.strip()
    return info


def best_of(records, workload, peer):
    rs = [r for r in records if r["workload"] == workload and r["peer"] == peer and "median_us" in r]
    return min(rs, key=lambda r: r["median_us"]) if rs else None


def report(names, records, startup, info, with_compile) -> bool:
    peers = ["eager", "func", "jax"] + (["compile"] if with_compile else []) + ["numpy"]
    print("## Machine\n")
    print(f"- CPU: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable); "
          f"load average at start {', '.join(f'{v:.2f}' for v in info['loadavg'])}")
    print(f"- Python {info['python']}, torch {info['torch']}, jax {info['jax']} / jaxlib {info['jaxlib']}, "
          f"numpy {info['numpy']}, onnx {info['onnx']}, onnxruntime {info['onnxruntime']}")
    print(f"- OPENBLAS env: {' '.join(f'{k}={v}' for k, v in sorted(info['openblas_env'].items())) or '(none)'}")
    print(f"- onnxgrad: {info.get('onnxgrad', '?')}; repo {info.get('git', '?')}")
    print()
    print("## Speed (median µs per call; peers: best of 1 and 2 threads and of their variants)\n")
    head = ["workload", "what"] + [PEER_LABELS[p] for p in peers] + [
        "onnxgrad median", "onnxgrad min", "best peer", "speed-up vs best peer", "FLOP bound", "onnxgrad / bound"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] * 2 + ["---:"] * (len(head) - 2)) + "|")
    ratios = {}
    for name in names:
        wl = WORKLOADS[name]
        what = (f"{wl['dtype']} B={wl['batch']:,}: "
                + ("y + J" if wl["what"] == "jacobian" else "y + VJP(u)"))
        cells = [name, what]
        best = None
        ratios[name] = {}
        og = best_of(records, name, "onnxgrad")
        for p in peers:
            r = best_of(records, name, p)
            cells.append(fmt_us(r["median_us"]) if r else "—")
            if r and (best is None or r["median_us"] < best["median_us"]):
                best = r
            if r and og:
                ratios[name][p] = r["median_us"] / og["median_us"]
        cells += [fmt_us(og["median_us"]) if og else "—", fmt_us(og["min_us"]) if og else "—"]
        if best:
            cells.append(f"{PEER_LABELS[best['peer']]} {fmt_us(best['median_us'])}")
        else:
            cells.append("—")
        cells.append(fmt_ratio(best["median_us"] / og["median_us"]) if best and og else "—")
        bound = FLOP_BOUND_US.get(name)
        cells.append(FLOP_BOUND_NOTE.get(name, fmt_us(bound)))
        cells.append(fmt_ratio(og["median_us"] / bound) if og and bound else "—")
        print("| " + " | ".join(cells) + " |")
    print("\nspeed-up = peer median / onnxgrad median (> 1×: onnxgrad is faster); "
          "onnxgrad / bound = onnxgrad median / FLOP bound (1× is the 2-thread FLOP peak).\n")

    print("## onnxgrad's speed-up against each peer (peer median / onnxgrad median)\n")
    head = ["workload"] + [f"vs {PEER_LABELS[p]}" for p in peers] + ["vs issue's JAX figure"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for name in names:
        og = best_of(records, name, "onnxgrad")
        cells = [name] + [fmt_ratio(ratios[name].get(p, float("nan"))) for p in peers]
        ij = ISSUE_FIGURES.get(name, {}).get("jax")
        cells.append(fmt_ratio(ij / og["median_us"]) if ij and og else "—")
        print("| " + " | ".join(cells) + " |")
    print()

    print("## Peers here vs the issue's figures (µs, best config here / issue)\n")
    head = ["workload"] + [PEER_LABELS[p] for p in ["eager", "func", "compile", "jax", "numpy"]]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for name in names:
        cells = [name]
        for p in ["eager", "func", "compile", "jax", "numpy"]:
            r = best_of(records, name, p)
            iss = ISSUE_FIGURES.get(name, {}).get(p)
            cells.append(f"{fmt_us(r['median_us']) if r else '—'} / {fmt_us(iss) if iss else '—'}")
        print("| " + " | ".join(cells) + " |")
    print()

    print("## Every configuration\n")
    print("| workload | peer | variant | threads | median µs | min µs | calls | first call ms | "
          "max abs err y | max abs err d | agrees |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name in names:
        for r in [r for r in records if r["workload"] == name]:
            th = "default" if r["threads"] is None else str(r["threads"])
            if "error" in r:
                print(f"| {name} | {r['peer']} | {r.get('variant', '-')} | {th} | error: "
                      f"{r['error'][:80].replace('|', '/')} | | | | | | |")
                continue
            c = r.get("check", {})
            ey = f"{c['y']['max_abs']:.1e}" if "y" in c else "—"
            ed = f"{c['d']['max_abs']:.1e}" if "d" in c else "—"
            ok = "yes" if c.get("ok") else (
                "NO: " + (c.get("error", "")[:60] or f"{c['y'].get('n_bad', 0)}+{c['d'].get('n_bad', 0)} values off")
                if c else "—")
            fm = f"{r['first_ms']:.1f}" if r.get("first_ms") is not None else "—"
            print(f"| {name} | {PEER_LABELS.get(r['peer'], r['peer'])} | {r['variant']} | {th} | "
                  f"{fmt_us(r['median_us'])} | {fmt_us(r['min_us'])} | {r['calls']} | {fm} | {ey} | {ed} | {ok} |")
    print("\n(onnxgrad's 'first call ms' is the plan compile time reported by `onnxgrad bench`; "
          "the peers' is the first call including tracing/compilation.)\n")

    print("## CLI start-up (`onnxgrad info MODEL`, wall time including process start)\n")
    for name, s in startup.items():
        if "error" in s:
            print(f"- {name} model: {s['error']}")
        else:
            print(f"- {name} model: median {s['median_ms']:.1f} ms, min {s['min_ms']:.1f} ms over {s['runs']} runs")
    print()

    print("## Numerical agreement (vs PyTorch float64; f32 rtol 1e-4 atol 1e-5, f64 rtol/atol 1e-9)\n")
    all_ok = True
    for name in names:
        rs = [r for r in records if r["workload"] == name]
        og = [r for r in rs if r["peer"] == "onnxgrad"]
        og_ok = bool(og) and all(r.get("check", {}).get("ok") for r in og) and not any("error" in r for r in og)
        peer_bad = [f"{r['peer']}/{r.get('variant')}/{r['threads']}t" for r in rs
                    if r["peer"] != "onnxgrad" and "error" not in r and not r.get("check", {}).get("ok")]
        peer_err = [f"{r['peer']}/{r['threads']}t" for r in rs if r["peer"] != "onnxgrad" and "error" in r]
        ok = og_ok and not peer_bad
        all_ok &= ok
        detail = ""
        if og and "check" in og[0] and "d" in og[0]["check"]:
            c = og[0]["check"]
            detail = (f"onnxgrad max abs err: outputs {c['y']['max_abs']:.2e}, "
                      f"derivative {c['d']['max_abs']:.2e}")
            if c.get("kink_samples"):
                detail += (f"; derivatives of {c['kink_samples']} of {WORKLOADS[name]['batch']:,} "
                           "samples at an activation kink not compared")
        elif og:
            detail = "onnxgrad: " + (og[0].get("error") or og[0].get("check", {}).get("error", "?"))[:200]
        extra = ""
        if peer_bad:
            extra += f"; peers disagreeing: {', '.join(peer_bad)}"
        if peer_err:
            extra += f"; peers that failed to run (not counted): {', '.join(peer_err)}"
        print(f"- {name}: {'PASS' if ok else 'FAIL'} ({detail}{extra})")
    print()
    return all_ok


# --------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workloads", default=",".join(WORKLOADS))
    ap.add_argument("--onnxgrad", default=str(REPO / ".build" / "release" / "onnxgrad"))
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (about 3 minutes)")
    ap.add_argument("--json", dest="json_out", help="also write every raw result here")
    ap.add_argument("--with-compile", action="store_true", help="also time torch.compile (slow)")
    ap.add_argument("--threads", type=int, default=2, help=argparse.SUPPRESS)
    ap.add_argument("--_worker", help=argparse.SUPPRESS)
    ap.add_argument("--_cfg", help=argparse.SUPPRESS)
    ap.add_argument("--_out", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args._worker:
        worker_main(args)
        return 0

    names = [n.strip().upper() for n in args.workloads.split(",") if n.strip()]
    unknown = [n for n in names if n not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workloads {unknown}; choose from {list(WORKLOADS)}")
    binary = os.path.abspath(args.onnxgrad)
    if not Path(binary).exists():
        ap.error(f"onnxgrad binary not found: {binary} (build it with swift build -c release)")
    cfg = (dict(budget=0.25, min_calls=5, max_calls=400, w3_min_calls=3) if args.quick else
           dict(budget=1.5, min_calls=10, max_calls=3000, w3_min_calls=7))
    t_start = time.perf_counter()
    info = machine_info(binary)
    prepare(names)
    records: list[dict] = []
    for family in ("torch", "jax", "numpy"):
        for threads in (1, 2):
            records += run_worker(family, threads, names, cfg, args.with_compile and family == "torch")
    for name in names:
        records.append(onnxgrad_workload(binary, name, cfg))
    startup = {}
    for name in [n for n in ("W1", "W6") if n in names] or names[:1]:
        startup[name] = startup_time(binary, name)
    ok = report(names, records, startup, info, args.with_compile)
    total = time.perf_counter() - t_start
    print(f"Total time {total:.0f} s; command: python3 tools/bench/peers.py {' '.join(sys.argv[1:])}".rstrip())
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(dict(machine=info, config=cfg, records=records,
                                                       startup=startup, ok=ok, total_s=total),
                                                  indent=1, default=str))
    if not ok:
        print("FAIL: some results disagree with PyTorch float64 (see above).")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
