#!/usr/bin/env python3
"""Golden test fixtures for onnxgrad: small PyTorch models exported with both torch.onnx
exporters (and written in both JSON forms), inputs, and float64 references (outputs, VJPs,
per-sample or whole-batch Jacobians).

Usage (from the repository root):  python3 tools/make_fixtures.py [--out Tests/Fixtures] [--case NAME]

For every case writes Tests/Fixtures/<case>/:
  model_legacy.onnx                         torch.onnx.export(dynamo=False)
  model_dynamo.onnx [+ model_dynamo.onnx.data]  torch.onnx.export(dynamo=True); the .data
                                            file only where some initializer is external
  model_legacy.json, model_dynamo.json      the same models in protobuf's JSON mapping
                                            (json_format: lowerCamelCase keys for legacy,
                                            proto field names for dynamo)
  model.mlp.json [+ model.weights.npz]      onnxgrad's MLP JSON (tools/export_torch.py), when the
                                            module is built from the layers that format has
  input_<inp>.npy                           B = 7 rows per input, in the model's dtype
  ref_output_<out>.npy                      float64 forward pass (int64 for integer outputs)
  seed_<out>.npy                            random float64 cotangent (float outputs)
  ref_grad_<out>_wrt_<inp>_ones.npy         VJP with an all-ones cotangent
  ref_grad_<out>_wrt_<inp>_seed.npy         VJP with seed_<out>.npy
  ref_grad_<out>_<k>_wrt_<inp>_ones.npy     VJP of out[..., k] (ones), when out's last axis >= 2
  ref_jacobian_<out>_wrt_<inp>.npy          per-sample Jacobian [B, *out_features, *in_features]
  ref_full_jacobian_<out>_wrt_<inp>.npy     whole-batch Jacobian, for cases whose rows mix
  case.json                                 inputs, outputs, exports (file, ops, opset), every file's meaning
and Tests/Fixtures/VERSIONS.json. References are computed in float64 (module.double(), inputs
converted to float64) with torch.autograd.grad and torch.func.vmap(torch.func.jacrev(...)),
for every float output and every input. Each ONNX export is checked against PyTorch with
onnxruntime (float32: rtol 1e-5 on the outputs); a mismatch aborts.
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
from google.protobuf import json_format
import onnxscript
import torch
import torch.nn as nn
from torch.func import jacrev, vmap

sys.path.insert(0, str(Path(__file__).resolve().parent))
import export_torch  # noqa: E402
import foreign_models  # noqa: E402
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
    input_name: str  # the first input (the only one, usually)
    sample_shape: tuple[int, ...]  # one sample of it, without the batch axis
    outputs: list[str]
    dtype: torch.dtype = torch.float32
    exporters: tuple[str, ...] = ("legacy", "dynamo")
    per_sample: bool = True  # rows of the batch are independent
    input_low: float = -1.0
    input_high: float = 1.0
    # Distances of pre-activations from the non-smooth points (kinks) for float64 inputs (one
    # tensor per activation, already as |z - kink|); input rows are redrawn until every entry
    # is at least `kink_margin` away.
    kinks: Callable[..., list[torch.Tensor]] | None = None
    kink_margin: float = 0.0
    notes: list[str] = field(default_factory=list)
    # Further inputs after the first: (name, sample shape); drawn from the same range.
    more_inputs: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    # Export and evaluate in training mode (BatchNorm with batch statistics; legacy only).
    training: bool = False
    # Weights of the MLP JSON form: "inline" (nested lists) or "npz" (model.weights.npz).
    mlp_weights: str = "inline"
    # Exports that compute new weights in the model's float32 (dynamo folds eval BatchNorm into
    # the Gemm; skl2onnx stores scikit-learn's float64 weights as float32): run in float64 they
    # match the float64 reference only to float32 accuracy.
    weights_rounded_by: tuple[str, ...] = ()
    # Older opsets the legacy exporter also writes (model_legacy_opset<N>.onnx): ops whose form
    # changed (Split, Squeeze, Slice, ReduceSum at 13; Softmax at 13; LayerNorm, GELU, Mish
    # decomposed before 17, 20, 18; training BatchNorm before 14).
    legacy_opsets: tuple[int, ...] = ()
    # Also pass the legacy export through onnxsim and onnxslim (model_onnxsim.onnx, model_onnxslim.onnx).
    simplified: bool = False
    # A model from another framework (scikit-learn, Keras): builds it and returns a
    # foreign_models.Foreign (its ONNX exports, a float64 torch equivalent for the references, and
    # its own predictions to check that equivalent against). `build` is unused then.
    foreign: Callable[[], "foreign_models.Foreign"] | None = None

    @property
    def input_specs(self) -> list[tuple[str, tuple[int, ...]]]:
        return [(self.input_name, self.sample_shape), *self.more_inputs]


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
               "Emits ReduceMean(keepdims=1) with axes from a Constant [0] (opset 18+ form)."],
    ),
    Case(
        name="pinn_tanh",
        legacy_opsets=(11,),
        description="u(x, t) = Linear(32,1)(tanh(Linear(32,32)(tanh(Linear(2,32)(cat(x, t)))))): "
        "a physics-informed net with two inputs concatenated inside.",
        torch_seed=10, numpy_seed=110, build=om.PINNTanh, input_name="x", sample_shape=(1,),
        more_inputs=[("t", (1,))], outputs=["u"], mlp_weights="npz", simplified=True,
    ),
    Case(
        name="pinn_tanh_f64",
        description="pinn_tanh's architecture with its own weights, in float64.",
        torch_seed=11, numpy_seed=111, build=om.PINNTanh, input_name="x", sample_shape=(1,),
        more_inputs=[("t", (1,))], outputs=["u"], dtype=torch.float64,
    ),
    Case(
        name="siren",
        description="SIREN: sin(30·Linear(2,32)(coords)) -> sin(Linear(32,32)) -> Linear(32,1).",
        torch_seed=12, numpy_seed=112, build=om.Siren, input_name="coords", sample_shape=(2,),
        outputs=["u"],
    ),
    Case(
        name="pinn_softplus",
        description="Softplus (β = 1, then β = 2) MLP 2 -> 16 -> 16 -> 1 whose first layer is scaled "
        "so some pre-activations exceed torch's threshold (20): dynamo exports Greater + Where.",
        torch_seed=13, numpy_seed=113, build=om.PINNSoftplus, input_name="x", sample_shape=(2,),
        outputs=["u"], input_low=-2.0, input_high=2.0,
    ),
    Case(
        name="gelu",
        legacy_opsets=(13,),
        description="GELU (exact) and GELU (tanh approximation) MLP 3 -> 16 -> 16 -> 2.",
        torch_seed=14, numpy_seed=114, build=om.GeluNet, input_name="x", sample_shape=(3,),
        outputs=["y"], input_low=-2.0, input_high=2.0,
    ),
    Case(
        name="smooth_activations",
        legacy_opsets=(13,),
        description="ELU(0.5), SELU, CELU(0.7), Mish, Softsign and SiLU between Linear(12,12) layers.",
        torch_seed=15, numpy_seed=115, build=om.SmoothActivations, input_name="x", sample_shape=(3,),
        outputs=["y"], input_low=-2.0, input_high=2.0, kinks=om.kink_distances, kink_margin=0.02,
    ),
    Case(
        name="piecewise_activations",
        legacy_opsets=(11,),
        description="Hardsigmoid, Hardswish, Hardtanh(-0.5, 0.8), ReLU6, PReLU(12) and LeakyReLU(0.1); "
        "inputs drawn so no pre-activation is within 0.02 of a kink.",
        torch_seed=16, numpy_seed=116, build=om.PiecewiseActivations, input_name="x", sample_shape=(3,),
        outputs=["y"], input_low=-2.0, input_high=2.0, kinks=om.kink_distances, kink_margin=0.02,
    ),
    Case(
        name="residual_layernorm",
        legacy_opsets=(13,),
        description="Residual MLP: Linear(6,16), two blocks x + Linear(GELU(LayerNorm(x))), LayerNorm, "
        "Linear(16,3).",
        torch_seed=17, numpy_seed=117, build=om.ResidualLayerNorm, input_name="x", sample_shape=(6,),
        outputs=["y"], input_low=-2.0, input_high=2.0, mlp_weights="npz", simplified=True,
    ),
    Case(
        name="batchnorm_mlp",
        description="Linear(4,10) -> BatchNorm1d (eval) -> ReLU -> Dropout(0.3) (eval) -> Linear(10,2).",
        torch_seed=18, numpy_seed=118, build=om.BatchNormMLP, input_name="x", sample_shape=(4,),
        outputs=["y"], input_low=-2.0, input_high=2.0, kinks=om.kink_distances, kink_margin=0.02,
        weights_rounded_by=("dynamo",),
        notes=["The dynamo exporter folds the eval-mode BatchNorm into the first Gemm's weights, "
               "computed in float32."],
    ),
    Case(
        name="classifier",
        legacy_opsets=(11,),
        description="Linear(4,16) -> Tanh -> Linear(16,3); outputs softmax probabilities, log-softmax "
        "and the argmax label (int64: it runs, and has no derivative).",
        torch_seed=19, numpy_seed=119, build=om.Classifier, input_name="x", sample_shape=(4,),
        outputs=["probs", "logp", "label"], input_low=-2.0, input_high=2.0, simplified=True,
    ),
    Case(
        name="tensor_ops",
        legacy_opsets=(11, 13),
        description="A surrogate using chunk, split, indexing, narrow, cat, x**2, exp, log, sqrt, abs, "
        "a parameter matmul, unsqueeze/squeeze, view and flatten (om.TensorOps).",
        torch_seed=20, numpy_seed=120, build=om.TensorOps, input_name="x", sample_shape=(6,),
        outputs=["y"], input_low=-2.0, input_high=2.0,
        kinks=lambda m, x: [m.lin(x)[:, 4:8]], kink_margin=0.05, simplified=True,
    ),
    Case(
        name="dynamics",
        legacy_opsets=(11,),
        description="Learned dynamics: next_state = state + 0.1·f(cat(state, control)), "
        "energy = 0.5·sum(next_state², dim=1); f = Linear(6,24), SiLU, Linear(24,24), Tanh, Linear(24,4).",
        torch_seed=21, numpy_seed=121, build=om.Dynamics, input_name="state", sample_shape=(4,),
        more_inputs=[("control", (2,))], outputs=["next_state", "energy"],
    ),
    Case(
        name="softmax_batch",
        description="softmax(Linear(3,2)(x), dim=0): normalises over the batch, so rows mix.",
        torch_seed=22, numpy_seed=122, build=om.SoftmaxOverBatch, input_name="x", sample_shape=(3,),
        outputs=["y"], per_sample=False,
    ),
    Case(
        name="batchnorm_train",
        legacy_opsets=(11,),
        description="Linear(3,4) -> BatchNorm1d in training mode (batch statistics) -> Tanh -> "
        "Linear(4,2), exported with training=TrainingMode.TRAINING (legacy): rows mix.",
        torch_seed=23, numpy_seed=123, build=om.BatchNormTrain, input_name="x", sample_shape=(3,),
        outputs=["y"], per_sample=False, training=True, exporters=("legacy",),
        notes=["The exported BatchNormalization (training_mode=1) also lists the updated running "
               "statistics as outputs; nothing reads them."],
    ),
    Case(
        name="sklearn_regressor",
        description="scikit-learn MLPRegressor(16, 8), tanh, exported by skl2onnx (float32).",
        torch_seed=30, numpy_seed=130, build=None, input_name="x", sample_shape=(3,), outputs=["variable"],
        exporters=(), foreign=lambda: foreign_models.sklearn_regressor("float32"), weights_rounded_by=("skl2onnx",),
    ),
    Case(
        name="sklearn_regressor_f64",
        description="scikit-learn MLPRegressor(16, 8), tanh, exported by skl2onnx in float64.",
        torch_seed=31, numpy_seed=131, build=None, input_name="x", sample_shape=(3,), outputs=["variable"],
        dtype=torch.float64, exporters=(), foreign=lambda: foreign_models.sklearn_regressor("float64"),
    ),
    Case(
        name="sklearn_classifier",
        description="scikit-learn MLPClassifier(16), ReLU, 3 classes, exported by skl2onnx with zipmap "
        "off: an int64 label (through ai.onnx.ml ArrayFeatureExtractor) and the probabilities.",
        torch_seed=32, numpy_seed=132, build=None, input_name="x", sample_shape=(4,),
        outputs=["label", "probabilities"], exporters=(), foreign=lambda: foreign_models.sklearn_classifier(False),
        kinks=om.kink_distances, kink_margin=0.02, weights_rounded_by=("skl2onnx",),
    ),
    Case(
        name="sklearn_classifier_binary",
        description="scikit-learn MLPClassifier(8), logistic, 2 classes, exported by skl2onnx with zipmap "
        "off (probabilities [1 - p, p] through Sub and Concat).",
        torch_seed=33, numpy_seed=133, build=None, input_name="x", sample_shape=(4,),
        outputs=["label", "probabilities"], exporters=(), foreign=lambda: foreign_models.sklearn_classifier(True),
        weights_rounded_by=("skl2onnx",),
    ),
    Case(
        name="keras_dense",
        description="Keras Sequential Dense(16, tanh), Dense(16, relu), Dense(2) with random weights and "
        "biases, converted by tf2onnx.",
        torch_seed=34, numpy_seed=134, build=None, input_name="x", sample_shape=(3,), outputs=["y"],
        exporters=(), kinks=om.kink_distances, kink_margin=0.02,
        foreign=lambda: foreign_models.keras([("dense", (16, "tanh")), ("dense", (16, "relu")),
                                              ("dense", (2, "linear"))], 3, 34),
    ),
    Case(
        name="keras_activations",
        description="Keras Dense layers with swish, softplus, elu, selu and sigmoid, a LayerNormalization "
        "and a softmax output, converted by tf2onnx.",
        torch_seed=35, numpy_seed=135, build=None, input_name="x", sample_shape=(4,), outputs=["y"],
        exporters=(), kinks=om.kink_distances, kink_margin=0.02,
        foreign=lambda: foreign_models.keras(
            [("dense", (8, "swish")), ("dense", (8, "softplus")), ("dense", (8, "elu")), ("dense", (8, "selu")),
             ("dense", (8, "sigmoid")), ("norm", None), ("dense", (3, "softmax"))], 4, 35),
    ),
]

NP_DTYPE = {torch.float32: np.float32, torch.float64: np.float64}
DTYPE_NAME = {torch.float32: "float32", torch.float64: "float64"}


# --------------------------------------------------------------------------------------------


def make_inputs(case: Case, model64: nn.Module, rng: np.random.Generator) -> list[np.ndarray]:
    """B rows per input in the model dtype, drawn row by row (each input of a row in order);
    rows violating the kink margin are redrawn (bounded tries)."""
    np_dtype = NP_DTYPE[case.dtype]
    rows: list[list[np.ndarray]] = []
    tries = 0
    while len(rows) < B:
        tries += 1
        if tries > 10_000:
            raise RuntimeError(f"{case.name}: could not draw well-conditioned inputs")
        row = [rng.uniform(case.input_low, case.input_high, size=shape).astype(np_dtype)
               for _, shape in case.input_specs]
        if case.kinks is not None:
            xs = [torch.from_numpy(r.astype(np.float64))[None] for r in row]
            if min(float(t.abs().min()) for t in case.kinks(model64, *xs)) < case.kink_margin:
                continue
        rows.append(row)
    return [np.stack([r[i] for r in rows]) for i in range(len(case.input_specs))]


def as_tuple(out) -> tuple[torch.Tensor, ...]:
    return out if isinstance(out, tuple) else (out,)


def compute_references(case: Case, model64: nn.Module, xs_np: list[np.ndarray],
                       rng: np.random.Generator, folder: Path) -> list[dict]:
    names = [n for n, _ in case.input_specs]
    refs: list[dict] = []

    def save(name: str, arr: np.ndarray, **meta) -> None:
        np.save(folder / name, np.ascontiguousarray(arr))
        refs.append({"file": name, **meta, "dtype": str(arr.dtype), "shape": list(arr.shape)})

    xs = [torch.from_numpy(x.astype(np.float64)).requires_grad_(True) for x in xs_np]
    outs = as_tuple(model64(*xs))
    assert len(outs) == len(case.outputs)
    float_outputs = []
    for name, out in zip(case.outputs, outs):
        if not out.dtype.is_floating_point:
            save(f"ref_output_{name}.npy", out.detach().numpy().astype(np.int64), kind="output", output=name,
                 meaning=f"{name} = model(inputs) (integer output: no derivatives)")
            continue
        float_outputs.append(name)
        save(f"ref_output_{name}.npy", out.detach().numpy(), kind="output", output=name,
             meaning=f"{name} = model(inputs) computed in float64")
        seed = rng.standard_normal(size=tuple(out.shape))  # float64
        np.save(folder / f"seed_{name}.npy", seed)
        refs.append({"file": f"seed_{name}.npy", "kind": "cotangent_seed", "output": name,
                     "dtype": "float64", "shape": list(seed.shape),
                     "meaning": f"random cotangent for {name} (standard normal, float64)"})
        for inp, x in zip(names, xs):
            (g,) = torch.autograd.grad(out, x, grad_outputs=torch.ones_like(out), retain_graph=True)
            save(f"ref_grad_{name}_wrt_{inp}_ones.npy", g.numpy(), kind="vjp", output=name,
                 input=inp, cotangent="ones",
                 meaning=f"d(sum {name})/d{inp} = torch.autograd.grad({name}, {inp}, "
                 f"grad_outputs=ones_like({name})); same shape as {inp}")
            (g,) = torch.autograd.grad(out, x, grad_outputs=torch.from_numpy(seed), retain_graph=True)
            save(f"ref_grad_{name}_wrt_{inp}_seed.npy", g.numpy(), kind="vjp", output=name,
                 input=inp, cotangent=f"seed_{name}.npy",
                 meaning=f"torch.autograd.grad({name}, {inp}, grad_outputs=seed_{name}); "
                 f"same shape as {inp}")
            if out.dim() >= 2 and out.shape[-1] >= 2:
                for k in range(out.shape[-1]):
                    comp = out[..., k]
                    (g,) = torch.autograd.grad(comp, x, grad_outputs=torch.ones_like(comp),
                                               retain_graph=True)
                    save(f"ref_grad_{name}_{k}_wrt_{inp}_ones.npy", g.numpy(), kind="vjp_component",
                         output=name, component=k, input=inp, cotangent="ones",
                         meaning=f"d(sum {name}[..., {k}])/d{inp} (ones cotangent on component "
                         f"{k} of the last axis); same shape as {inp}")

    index = {n: i for i, n in enumerate(case.outputs)}
    if case.per_sample:
        def single(*samples: torch.Tensor) -> tuple[torch.Tensor, ...]:
            results = as_tuple(model64(*(s.unsqueeze(0) for s in samples)))
            return tuple(results[index[n]].squeeze(0) for n in float_outputs)

        detached = [x.detach() for x in xs]
        for k, inp in enumerate(names):
            try:
                jacs = vmap(jacrev(single, argnums=k))(*detached)
            except RuntimeError:  # some modules (PReLU) fail under vmap: one sample at a time
                per = [jacrev(single, argnums=k)(*(x[b] for x in detached)) for b in range(B)]
                jacs = tuple(torch.stack([p[i] for p in per]) for i in range(len(float_outputs)))
            for name, jac in zip(float_outputs, jacs):
                out = outs[index[name]]
                n_out = out.dim() - 1
                (g,) = torch.autograd.grad(out, xs[k], torch.ones_like(out), retain_graph=True)
                summed = jac.sum(dim=tuple(range(1, 1 + n_out)))
                if not torch.allclose(summed, g, rtol=1e-12, atol=1e-12):
                    raise AssertionError(f"{case.name}: jacobian of {name} disagrees with its VJP")
                save(f"ref_jacobian_{name}_wrt_{inp}.npy", jac.detach().numpy(), kind="jacobian",
                     output=name, input=inp,
                     meaning=f"per-sample Jacobian J[b, *out_idx, *in_idx] = "
                     f"d{name}[b, *out_idx]/d{inp}[b, *in_idx], via "
                     f"torch.func.vmap(torch.func.jacrev(f, argnums={k})) on single samples; "
                     f"shape [B, *{name}_features, *{inp}_features]")
    else:
        detached = [x.detach() for x in xs]
        for name in float_outputs:
            for k, inp in enumerate(names):
                def f(xk, k=k, name=name):
                    args = list(detached)
                    args[k] = xk
                    return as_tuple(model64(*args))[index[name]]
                full = torch.autograd.functional.jacobian(f, detached[k])
                save(f"ref_full_jacobian_{name}_wrt_{inp}.npy", full.numpy(), kind="full_jacobian",
                     output=name, input=inp,
                     meaning=f"whole-batch Jacobian J[b, *out_idx, c, *in_idx] = "
                     f"d{name}[b, *out_idx]/d{inp}[c, *in_idx] (rows are mixed, so it is not "
                     f"block-diagonal); torch.autograd.functional.jacobian")
    return refs


def export_and_check(case: Case, model: nn.Module, xs_np: list[np.ndarray], folder: Path) -> dict:
    names = [n for n, _ in case.input_specs]
    example = tuple(torch.from_numpy(x) for x in xs_np)
    with torch.no_grad():
        want_full = [o.numpy() for o in as_tuple(model(*example))]
    if case.dtype == torch.float32:
        rtol, atol = 1e-5, 1e-6
    else:
        rtol, atol = 1e-10, 1e-12
    result: dict = {}
    variants = [("legacy", None), *((f"legacy_opset{o}", o) for o in case.legacy_opsets), ("dynamo", None)]
    for exporter, opset in variants:
        if exporter.split("_")[0] not in case.exporters:
            result[exporter] = {"ok": False, "skipped": True,
                                "reason": "not exported for this case (by design)"}
            continue
        path = folder / f"model_{exporter}.onnx"
        extra: dict = {"renamed_io_after_export": False}
        try:
            if exporter.startswith("legacy"):
                axes = {n: 0 for n in [*names, *case.outputs]}
                om.export_legacy(model, example, path, names, case.outputs, axes, training=case.training, opset=opset)
            else:
                r = om.export_dynamo(model, example, path, names, case.outputs, [0] * len(names))
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
        if info["input_names"] != names or info["output_names"] != case.outputs:
            raise AssertionError(f"{path}: I/O names {info['input_names']} -> "
                                 f"{info['output_names']}")
        # Cross-check with onnxruntime: all B rows, and smaller batches (dynamic axis).
        errs = []
        for b in (B, 1, 3) if case.per_sample else (B,):
            xb = [x[:b] for x in xs_np]
            with torch.no_grad():
                want = [o.numpy() for o in as_tuple(model(*(torch.from_numpy(x) for x in xb)))] \
                    if b != B else want_full
            got = om.run_ort(path, dict(zip(names, xb)))
            for name, w in zip(case.outputs, want):
                if w.dtype.kind != "f":
                    if not np.array_equal(got[name], w):
                        raise AssertionError(f"{case.name}/{path.name} {name}: ORT differs from torch")
                    continue
                errs.append(om.assert_close(f"{case.name}/{path.name} {name} (B={b})",
                                            got[name], w, rtol, atol))
        info["ok"] = True
        info.update(extra)
        info["ort_max_abs_err_vs_torch"] = max(errs) if errs else 0.0
        info["nodes"] = describe_nodes(path)
        print(f"  {exporter}: ir {info['ir_version']} opset {info['opset']} ops "
              f"{info['op_counts']} external {len(info['initializers_external'])}/"
              f"{len(info['initializers_external']) + len(info['initializers_inline'])} "
              f"ORT err {info['ort_max_abs_err_vs_torch']:.1e}")
        result[exporter] = info
        if opset:
            continue
        # The same model in protobuf's JSON mapping: legacy with lowerCamelCase keys, dynamo
        # with the proto field names.
        proto = onnx.load(str(path), load_external_data=False)
        json_path = folder / f"model_{exporter}.json"
        json_path.write_text(json_format.MessageToJson(proto, preserving_proto_field_name=exporter == "dynamo"))
        result[f"{exporter}_json"] = {"ok": True, "file": json_path.name,
                                      "of": path.name, "keys": "proto field names" if exporter == "dynamo"
                                      else "lowerCamelCase"}
    try:
        inputs = [(n, int(np.prod(shape))) for n, shape in case.input_specs]
        if any(len(shape) != 1 for _, shape in case.input_specs) or len(case.outputs) != 1:
            raise ValueError("the MLP JSON format has [batch, features] inputs and one output")
        doc, arrays = export_torch.to_mlp_json(model, inputs, DTYPE_NAME[case.dtype], case.mlp_weights,
                                               "model.weights.npz")
        doc["layers"][-1]["name"] = case.outputs[0]
        doc["outputs"] = [case.outputs[0]]
        (folder / "model.mlp.json").write_text(json.dumps(doc, indent=1) + "\n")
        if arrays:
            np.savez(folder / "model.weights.npz", **arrays)
        result["mlp_json"] = {"ok": True, "file": "model.mlp.json", "weights": case.mlp_weights}
    except ValueError as e:
        result["mlp_json"] = {"ok": False, "skipped": True, "reason": str(e)}
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
    foreign = case.foreign() if case.foreign else None
    model = foreign.reference if foreign else case.build().eval()
    if case.dtype == torch.float64:
        model = model.double()
    model64 = copy.deepcopy(model).double().eval()
    rng = np.random.default_rng(case.numpy_seed)

    if case.training:
        model.train()
        model64.train()
    xs_np = make_inputs(case, model64, rng)
    for (inp, _), x in zip(case.input_specs, xs_np):
        np.save(folder / f"input_{inp}.npy", x)

    if foreign:
        exports = foreign_models.write_exports(foreign, case, xs_np, folder)
    else:
        exports = export_and_check(case, model, xs_np, folder)
        if case.simplified:
            exports.update(foreign_models.simplified_exports(folder / "model_legacy.onnx", case, xs_np, folder))
    refs = compute_references(case, model64, xs_np, rng, folder)

    # The float64 references must agree with the model run in its own dtype (for a model from
    # another framework: with that framework's own predictions).
    with torch.no_grad():
        outs_native = foreign.predict(*xs_np) if foreign else \
            [o.numpy() for o in as_tuple(model(*(torch.from_numpy(x) for x in xs_np)))]
    for name, o in zip(case.outputs, outs_native):
        ref = np.load(folder / f"ref_output_{name}.npy")
        if o.dtype.kind != "f":
            if not np.array_equal(o.astype(np.int64), ref):
                raise AssertionError(f"{case.name}: {name} differs between float32 and float64")
            continue
        tol = 1e-5 if case.dtype == torch.float32 else 1e-12
        om.assert_close(f"{case.name} native vs f64 {name}", o.astype(np.float64), ref, tol, tol)

    xs64 = [torch.from_numpy(x.astype(np.float64)) for x in xs_np]
    kink_min = None
    if case.kinks is not None:
        kink_min = min(float(t.abs().min()) for t in case.kinks(model64, *xs64))

    with torch.no_grad():
        outs64 = as_tuple(model64(*xs64))
    out_shapes = [list(t.shape) for t in outs64]
    out_dtypes = ["int64" if not t.dtype.is_floating_point else DTYPE_NAME[case.dtype] for t in outs64]
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
        "inputs": [{"name": inp, "dtype": DTYPE_NAME[case.dtype],
                    "shape": ["batch", *shape], "file": f"input_{inp}.npy",
                    "file_shape": list(x.shape),
                    "range": [case.input_low, case.input_high]}
                   for (inp, shape), x in zip(case.input_specs, xs_np)],
        "outputs": [{"name": n, "dtype": d, "shape": ["batch", *s[1:]]}
                    for n, s, d in zip(case.outputs, out_shapes, out_dtypes)],
        "training_mode": case.training,
        "weights_rounded_by": [e for e in (*case.weights_rounded_by, *(f"{w}_json" for w in case.weights_rounded_by))],
        "exporters_succeeded": [e for e, info in exports.items() if info.get("ok")],
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
        summary[case.name] = {e: meta["exports"][e].get("ops") for e in meta["exporters_succeeded"]
                              if "ops" in meta["exports"][e]}

    versions = {
        "command": COMMAND,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "onnx": onnx.__version__,
        "onnxscript": onnxscript.__version__,
        "onnxruntime": onnxruntime.__version__,
        "numpy": np.__version__,
        **foreign_models.versions(),
        "batch_size": B,
        "cases": [c.name for c in CASES],
    }
    (root / "VERSIONS.json").write_text(json.dumps(versions, indent=1) + "\n")
    total = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    print(f"ops per export: {json.dumps(summary, indent=1)}")
    print(f"total fixture size: {total:,} bytes")


if __name__ == "__main__":
    main()
