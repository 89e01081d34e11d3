#!/usr/bin/env python3
"""Golden test fixtures for onnxgrad: small PyTorch models exported with both torch.onnx
exporters, inputs, and float64 references (outputs, VJPs, per-sample Jacobians).

Usage (from the repository root):  python3 tools/make_fixtures.py [--out Tests/Fixtures] [--case NAME]

For every case writes Tests/Fixtures/<case>/:
  model_legacy.onnx                         torch.onnx.export(dynamo=False)
  model_dynamo.onnx [+ model_dynamo.onnx.data]  torch.onnx.export(dynamo=True); the .data
                                            file only where some initializer is external
  input_<inp>.npy                           B = 7 rows, in the model's dtype
  ref_output_<out>.npy                      float64 forward pass
  seed_<out>.npy                            random float64 cotangent
  ref_grad_<out>_wrt_<inp>_ones.npy         VJP with an all-ones cotangent
  ref_grad_<out>_wrt_<inp>_seed.npy         VJP with seed_<out>.npy
  ref_grad_<out>_<k>_wrt_<inp>_ones.npy     VJP of out[..., k] (ones), when out's last axis >= 2
  ref_jacobian_<out>_wrt_<inp>.npy          per-sample Jacobian [B, *out_features, *in_features]
  case.json                                 inputs, outputs, exports (ops, opset), every file's meaning
and Tests/Fixtures/VERSIONS.json. References are computed in float64 (module.double(), inputs
converted to float64) with torch.autograd.grad and torch.func.vmap(torch.func.jacrev(...)).
Each export is checked against PyTorch with onnxruntime (float32: rtol 1e-5); a mismatch aborts.
"""

from __future__ import annotations

import argparse
import copy
import json
import platform
import shutil
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import onnx
import onnxruntime
import onnxscript
import torch
import torch.nn as nn
from torch.func import jacrev, vmap

sys.path.insert(0, str(Path(__file__).resolve().parent))
import onnxgrad_models as om  # noqa: E402

B = 7
COMMAND = "python3 tools/make_fixtures.py"


@dataclass
class Case:
    name: str
    description: str
    torch_seed: int  # torch.manual_seed before building the module
    numpy_seed: int  # np.random.default_rng for inputs and cotangent seeds
    build: Callable[[], nn.Module]
    input_name: str
    sample_shape: tuple[int, ...]  # one sample, without the batch axis
    outputs: list[str]
    dtype: torch.dtype = torch.float32
    exporters: tuple[str, ...] = ("legacy", "dynamo")
    per_sample: bool = True  # rows of the batch are independent
    input_low: float = -1.0
    input_high: float = 1.0
    # Pre-activations at non-smooth points (ReLU/LeakyReLU kinks) for float64 inputs; input rows
    # are redrawn until every entry is at least `kink_margin` away from the kink.
    kinks: Callable[[nn.Module, torch.Tensor], list[torch.Tensor]] | None = None
    kink_margin: float = 0.0
    notes: list[str] = field(default_factory=list)


def _leaky_relu_inputs(model: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    seen: list[torch.Tensor] = []
    hooks = [
        m.register_forward_hook(lambda _m, inp, _out: seen.append(inp[0].detach()))
        for m in model.modules()
        if isinstance(m, (nn.LeakyReLU, nn.ReLU))
    ]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
    return seen


def _elementwise_kinks(model: nn.Module, x: torch.Tensor) -> list[torch.Tensor]:
    with torch.no_grad():
        return [model.lin(x)]


CASES = [
    Case(
        name="generator",
        description="GeneratorNet (the bundled models/generator_*.onnx, same weights): "
        "Linear(2,100), LeakyReLU(0.2), Linear(100,100), LeakyReLU(0.2), Linear(100,100), "
        "LeakyReLU(0.2), Linear(100,2), Tanh. uv[:, 0] = u, uv[:, 1] = v.",
        torch_seed=om.GENERATOR_SEED, numpy_seed=100,
        build=om.GeneratorNet, input_name="coords", sample_shape=(2,), outputs=["uv"],
        kinks=_leaky_relu_inputs, kink_margin=1e-3,
    ),
    Case(
        name="tanh_sigmoid",
        description="Linear(3,16), Tanh, Linear(16,16), Sigmoid, Linear(16,2).",
        torch_seed=1, numpy_seed=101,
        build=om.TanhSigmoid, input_name="x", sample_shape=(3,), outputs=["y"],
        input_low=-2.0, input_high=2.0,
    ),
    Case(
        name="elementwise",
        description="h = Linear(2,8)(x); y = log(exp(-h) + 1.5) * relu(h) - h / (h*h + 2). "
        "Inputs are chosen so that |h| >= 0.1 everywhere (away from relu's kink).",
        torch_seed=2, numpy_seed=102,
        build=om.Elementwise, input_name="x", sample_shape=(2,), outputs=["y"],
        input_low=-2.0, input_high=2.0, kinks=_elementwise_kinks, kink_margin=0.1,
    ),
    Case(
        name="matmul3d",
        description="x [B,4,3]; Linear(3,5) on the last axis, Tanh, Linear(5,2); y [B,4,2]. "
        "Linear on a 3-D input exports as MatMul + Add.",
        torch_seed=3, numpy_seed=103,
        build=om.MatMul3D, input_name="x", sample_shape=(4, 3), outputs=["y"],
    ),
    Case(
        name="two_outputs",
        description="a = tanh(Linear(3,2)(x)), b = sigmoid(Linear(3,4)(x)).",
        torch_seed=4, numpy_seed=104,
        build=om.TwoOutputs, input_name="x", sample_shape=(3,), outputs=["a", "b"],
        input_low=-2.0, input_high=2.0,
    ),
    Case(
        name="double",
        description="tanh_sigmoid's architecture (Linear(3,16), Tanh, Linear(16,16), Sigmoid, "
        "Linear(16,2)) with its own weights, in float64 (module.double()); input float64.",
        torch_seed=5, numpy_seed=105,
        build=om.TanhSigmoid, input_name="x", sample_shape=(3,), outputs=["y"],
        dtype=torch.float64, input_low=-2.0, input_high=2.0,
    ),
    Case(
        name="batchmix",
        description="y = Linear(3,2)(x - x.mean(dim=0, keepdim=True)): mixes rows of the batch, "
        "so per-sample Jacobians do not exist; onnxgrad must refuse them (and point at --full). "
        "Legacy exporter only.",
        torch_seed=6, numpy_seed=106,
        build=om.BatchMix, input_name="x", sample_shape=(3,), outputs=["y"],
        exporters=("legacy",), per_sample=False,
        notes=["No ref_jacobian_* (per-sample Jacobians are undefined). Whole-batch "
               "references are given instead: ref_full_jacobian_y_wrt_x.npy [B,2,B,3] and the "
               "VJPs (which are well defined for the whole graph).",
               "ref_grad_y_wrt_x_ones.npy is exactly zero: sum_b W(x_b - mean) does not depend "
               "on x. The seed and component VJPs are not zero.",
               "Applying the model to one row at a time (what a per-sample vmap would do) gives "
               "y = bias for every row, which is why onnxgrad must refuse per-sample results.",
               "Emits ReduceMean(keepdims=1) with axes from a Constant [0] (opset 18+ form), "
               "outside the supported op list."],
    ),
]

NP_DTYPE = {torch.float32: np.float32, torch.float64: np.float64}
DTYPE_NAME = {torch.float32: "float32", torch.float64: "float64"}


# --------------------------------------------------------------------------------------------


def make_inputs(case: Case, model64: nn.Module, rng: np.random.Generator) -> np.ndarray:
    """B rows in the model dtype; rows violating the kink margin are redrawn (bounded tries)."""
    np_dtype = NP_DTYPE[case.dtype]
    rows = []
    tries = 0
    while len(rows) < B:
        tries += 1
        if tries > 10_000:
            raise RuntimeError(f"{case.name}: could not draw well-conditioned inputs")
        row = rng.uniform(case.input_low, case.input_high, size=case.sample_shape).astype(np_dtype)
        if case.kinks is not None:
            x64 = torch.from_numpy(row.astype(np.float64))[None]
            if min(float(t.abs().min()) for t in case.kinks(model64, x64)) < case.kink_margin:
                continue
        rows.append(row)
    return np.stack(rows)


def as_tuple(out) -> tuple[torch.Tensor, ...]:
    return out if isinstance(out, tuple) else (out,)


def compute_references(case: Case, model64: nn.Module, x_np: np.ndarray,
                       rng: np.random.Generator, folder: Path) -> list[dict]:
    inp = case.input_name
    refs: list[dict] = []

    def save(name: str, arr: np.ndarray, **meta) -> None:
        assert arr.dtype == np.float64, name
        np.save(folder / name, np.ascontiguousarray(arr))
        refs.append({"file": name, **meta, "dtype": "float64", "shape": list(arr.shape)})

    x = torch.from_numpy(x_np.astype(np.float64)).requires_grad_(True)
    outs = as_tuple(model64(x))
    assert len(outs) == len(case.outputs)
    for name, out in zip(case.outputs, outs):
        save(f"ref_output_{name}.npy", out.detach().numpy(), kind="output", output=name,
             meaning=f"{name} = model(input_{inp}.npy) computed in float64")
        ones = torch.ones_like(out)
        (g,) = torch.autograd.grad(out, x, grad_outputs=ones, retain_graph=True)
        save(f"ref_grad_{name}_wrt_{inp}_ones.npy", g.numpy(), kind="vjp", output=name,
             input=inp, cotangent="ones",
             meaning=f"d(sum {name})/d{inp} = torch.autograd.grad({name}, {inp}, "
             f"grad_outputs=ones_like({name})); same shape as {inp}")
        seed = rng.standard_normal(size=tuple(out.shape))  # float64
        np.save(folder / f"seed_{name}.npy", seed)
        refs.append({"file": f"seed_{name}.npy", "kind": "cotangent_seed", "output": name,
                     "dtype": "float64", "shape": list(seed.shape),
                     "meaning": f"random cotangent for {name} (standard normal, float64)"})
        (g,) = torch.autograd.grad(out, x, grad_outputs=torch.from_numpy(seed),
                                   retain_graph=True)
        save(f"ref_grad_{name}_wrt_{inp}_seed.npy", g.numpy(), kind="vjp", output=name,
             input=inp, cotangent=f"seed_{name}.npy",
             meaning=f"torch.autograd.grad({name}, {inp}, grad_outputs=seed_{name}); "
             f"same shape as {inp}")
        if out.shape[-1] >= 2:
            for k in range(out.shape[-1]):
                comp = out[..., k]
                (g,) = torch.autograd.grad(comp, x, grad_outputs=torch.ones_like(comp),
                                           retain_graph=True)
                save(f"ref_grad_{name}_{k}_wrt_{inp}_ones.npy", g.numpy(), kind="vjp_component",
                     output=name, component=k, input=inp, cotangent="ones",
                     meaning=f"d(sum {name}[..., {k}])/d{inp} (ones cotangent on component "
                     f"{k} of the last axis); same shape as {inp}")

    if case.per_sample:
        def single(xs: torch.Tensor) -> tuple[torch.Tensor, ...]:
            return tuple(o.squeeze(0) for o in as_tuple(model64(xs.unsqueeze(0))))

        jacs = vmap(jacrev(single))(x.detach())
        for name, out, jac in zip(case.outputs, outs, jacs):
            n_out = out.dim() - 1
            # Consistency: summing the Jacobian over the output features gives the ones-VJP.
            (g,) = torch.autograd.grad(out, x, torch.ones_like(out), retain_graph=True)
            summed = jac.sum(dim=tuple(range(1, 1 + n_out)))
            if not torch.allclose(summed, g, rtol=1e-12, atol=1e-12):
                raise AssertionError(f"{case.name}: jacobian of {name} disagrees with its VJP")
            save(f"ref_jacobian_{name}_wrt_{inp}.npy", jac.detach().numpy(), kind="jacobian",
                 output=name, input=inp,
                 meaning=f"per-sample Jacobian J[b, *out_idx, *in_idx] = "
                 f"d{name}[b, *out_idx]/d{inp}[b, *in_idx], via "
                 f"torch.func.vmap(torch.func.jacrev(f)) on single samples; "
                 f"shape [B, *{name}_features, *{inp}_features]")
    else:
        for name, idx in zip(case.outputs, range(len(case.outputs))):
            full = torch.autograd.functional.jacobian(
                lambda xx: as_tuple(model64(xx))[idx], x.detach())
            save(f"ref_full_jacobian_{name}_wrt_{inp}.npy", full.numpy(), kind="full_jacobian",
                 output=name, input=inp,
                 meaning=f"whole-batch Jacobian J[b, *out_idx, c, *in_idx] = "
                 f"d{name}[b, *out_idx]/d{inp}[c, *in_idx] (rows are mixed, so it is not "
                 f"block-diagonal); torch.autograd.functional.jacobian")
    return refs


def export_and_check(case: Case, model: nn.Module, x_np: np.ndarray, folder: Path) -> dict:
    inp = case.input_name
    example = (torch.from_numpy(x_np),)
    with torch.no_grad():
        want_full = [o.numpy() for o in as_tuple(model(example[0]))]
    if case.dtype == torch.float32:
        rtol, atol = 1e-5, 1e-6
    else:
        rtol, atol = 1e-10, 1e-12
    result: dict = {}
    for exporter in ("legacy", "dynamo"):
        if exporter not in case.exporters:
            result[exporter] = {"ok": False, "skipped": True,
                                "reason": "not exported for this case (by design)"}
            continue
        path = folder / f"model_{exporter}.onnx"
        extra: dict = {"renamed_io_after_export": False}
        try:
            if exporter == "legacy":
                axes = {n: 0 for n in [inp, *case.outputs]}
                om.export_legacy(model, example, path, [inp], case.outputs, axes)
            else:
                r = om.export_dynamo(model, example, path, [inp], case.outputs, [0])
                extra = {"renamed_io_after_export": r["renamed_io"],
                         "exporter_wrote_empty_unreferenced_data_file_removed":
                             r["removed_empty_data_file"]}
        except Exception as e:  # report and continue: the fixture records the failure
            for p in (path, Path(str(path) + ".data")):
                if p.exists():
                    p.unlink()
            msg = "".join(traceback.format_exception_only(type(e), e)).strip()
            print(f"  {exporter}: EXPORT FAILED: {msg.splitlines()[0]}")
            result[exporter] = {"ok": False, "error": msg[:2000]}
            continue
        info = om.describe_onnx(path)
        if info["input_names"] != [inp] or info["output_names"] != case.outputs:
            raise AssertionError(f"{path}: I/O names {info['input_names']} -> "
                                 f"{info['output_names']}")
        # Cross-check with onnxruntime: all B rows, and smaller batches (dynamic axis).
        errs = []
        for b in (B, 1, 3):
            xb = x_np[:b]
            with torch.no_grad():
                want = [o.numpy() for o in as_tuple(model(torch.from_numpy(xb)))] \
                    if b != B else want_full
            got = om.run_ort(path, {inp: xb})
            for name, w in zip(case.outputs, want):
                errs.append(om.assert_close(f"{case.name}/{path.name} {name} (B={b})",
                                            got[name], w, rtol, atol))
        info["ok"] = True
        info.update(extra)
        info["ort_max_abs_err_vs_torch"] = max(errs)
        info["nodes"] = describe_nodes(path)
        print(f"  {exporter}: ir {info['ir_version']} opset {info['opset']} ops "
              f"{info['op_counts']} outside-list {info['ops_outside_supported_list']} "
              f"external {len(info['initializers_external'])}/"
              f"{len(info['initializers_external']) + len(info['initializers_inline'])} "
              f"ORT err {max(errs):.1e}")
        result[exporter] = info
    return result


def describe_nodes(path: Path) -> list[dict]:
    m = onnx.load(str(path), load_external_data=False)
    nodes = []
    for n in m.graph.node:
        attrs = {}
        for a in n.attribute:
            v = onnx.helper.get_attribute_value(a)
            if isinstance(v, onnx.TensorProto):
                arr = onnx.numpy_helper.to_array(v)
                v = {"tensor": {"dtype": str(arr.dtype), "shape": list(arr.shape),
                                "values": arr.ravel().tolist()[:16]}}
            elif isinstance(v, bytes):
                v = v.decode("utf-8", "replace")
            elif isinstance(v, list):
                v = [x.decode() if isinstance(x, bytes) else x for x in v]
            attrs[a.name] = v
        nodes.append({"op": n.op_type, "inputs": list(n.input), "outputs": list(n.output),
                      "attributes": attrs})
    return nodes


def make_case(case: Case, root: Path) -> dict:
    print(f"[{case.name}]")
    folder = root / case.name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)

    torch.manual_seed(case.torch_seed)
    model = case.build().eval()
    if case.dtype == torch.float64:
        model = model.double()
    model64 = copy.deepcopy(model).double().eval()
    rng = np.random.default_rng(case.numpy_seed)

    x_np = make_inputs(case, model64, rng)
    inp_file = f"input_{case.input_name}.npy"
    np.save(folder / inp_file, x_np)

    exports = export_and_check(case, model, x_np, folder)
    refs = compute_references(case, model64, x_np, rng, folder)

    # The float64 references must agree with the model run in its own dtype.
    with torch.no_grad():
        outs_native = [o.numpy() for o in as_tuple(model(torch.from_numpy(x_np)))]
    for name, o in zip(case.outputs, outs_native):
        ref = np.load(folder / f"ref_output_{name}.npy")
        tol = 1e-5 if case.dtype == torch.float32 else 1e-12
        om.assert_close(f"{case.name} native vs f64 {name}", o.astype(np.float64), ref, tol, tol)

    kink_min = None
    if case.kinks is not None:
        x64 = torch.from_numpy(x_np.astype(np.float64))
        kink_min = min(float(t.abs().min()) for t in case.kinks(model64, x64))

    out_shapes = [list(t.shape) for t in as_tuple(model64(torch.from_numpy(
        x_np.astype(np.float64))))]
    meta = {
        "case": case.name,
        "description": case.description,
        "architecture": repr(model),
        "model_dtype": DTYPE_NAME[case.dtype],
        "batch_size": B,
        "batch_axis": 0,
        "rows_independent": case.per_sample,
        "seeds": {"torch_manual_seed": case.torch_seed,
                  "numpy_default_rng": case.numpy_seed,
                  "order": "inputs drawn first (row by row, uniform, redrawn if a row is near "
                           "a kink), then the cotangent seeds, one per output in order"},
        "inputs": [{"name": case.input_name, "dtype": DTYPE_NAME[case.dtype],
                    "shape": ["batch", *case.sample_shape], "file": inp_file,
                    "file_shape": list(x_np.shape),
                    "range": [case.input_low, case.input_high]}],
        "outputs": [{"name": n, "dtype": DTYPE_NAME[case.dtype], "shape": ["batch", *s[1:]]}
                    for n, s in zip(case.outputs, out_shapes)],
        "exporters_succeeded": [e for e in ("legacy", "dynamo") if exports[e].get("ok")],
        "exports": exports,
        "references": refs,
        "references_note": "all references are float64, computed from module.double() on the "
                           "inputs converted to float64",
        "notes": list(case.notes),
    }
    if kink_min is not None:
        meta["min_abs_preactivation_at_kinks"] = kink_min
    (folder / "case.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent
                                         / "Tests" / "Fixtures"))
    ap.add_argument("--case", action="append", help="only this case (repeatable)")
    args = ap.parse_args()
    root = Path(args.out)
    root.mkdir(parents=True, exist_ok=True)
    om.set_deterministic()

    cases = [c for c in CASES if not args.case or c.name in args.case]
    summary = {}
    for case in cases:
        meta = make_case(case, root)
        summary[case.name] = {e: meta["exports"][e].get("ops_outside_supported_list")
                              for e in meta["exporters_succeeded"]}

    versions = {
        "command": COMMAND,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "onnx": onnx.__version__,
        "onnxscript": onnxscript.__version__,
        "onnxruntime": onnxruntime.__version__,
        "numpy": np.__version__,
        "batch_size": B,
        "cases": [c.name for c in CASES],
    }
    (root / "VERSIONS.json").write_text(json.dumps(versions, indent=1) + "\n")
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    print(f"ops outside the supported list: {summary}")
    print(f"total fixture size: {total:,} bytes")


if __name__ == "__main__":
    main()
