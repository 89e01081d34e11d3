"""PyTorch models and ONNX export helpers shared by tools/export_generator.py and
tools/make_fixtures.py.

Everything here is deterministic: weights come from torch.manual_seed, inputs from
numpy.random.default_rng, both with fixed seeds.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn

from export_torch import ConcatInputs, Inputs, Residual, Sin  # noqa: E402  (layers the MLP JSON format knows)

GENERATOR_SEED = 0


# --------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------


class GeneratorNet(nn.Sequential):
    """The classic GeneratorNet G(coords) = (u, v): 2 -> 100 -> 100 -> 100 -> 2.

    Subclasses nn.Sequential so parameters are named `0.weight`, `0.bias`, ... in the ONNX files.
    """

    def __init__(self) -> None:
        super().__init__(
            nn.Linear(2, 100), nn.LeakyReLU(0.2),
            nn.Linear(100, 100), nn.LeakyReLU(0.2),
            nn.Linear(100, 100), nn.LeakyReLU(0.2),
            nn.Linear(100, 2), nn.Tanh(),
        )


def make_generator() -> GeneratorNet:
    torch.manual_seed(GENERATOR_SEED)
    return GeneratorNet().eval()


class TanhSigmoid(nn.Sequential):
    def __init__(self) -> None:
        super().__init__(
            nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 16), nn.Sigmoid(), nn.Linear(16, 2)
        )


class Elementwise(nn.Module):
    """y = log(exp(-h) + 1.5) * relu(h) - h / (h*h + 2), h = Linear(2, 8)(x).

    Exercises Sub, Div, Neg, Exp, Log, Relu, Mul, Add (plus Gemm)."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(2, 8)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.lin(x)
        return torch.log(torch.exp(-h) + 1.5) * torch.relu(h) - h / (h * h + 2.0)


class MatMul3D(nn.Module):
    """x [B, 4, 3] -> Linear(3, 5) on the last axis -> Tanh -> Linear(5, 2) -> y [B, 4, 2]."""

    def __init__(self) -> None:
        super().__init__()
        self.l1 = nn.Linear(3, 5)
        self.l2 = nn.Linear(5, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.l2(torch.tanh(self.l1(x)))


class TwoOutputs(nn.Module):
    """a = tanh(Linear(3, 2)(x)), b = sigmoid(Linear(3, 4)(x))."""

    def __init__(self) -> None:
        super().__init__()
        self.la = nn.Linear(3, 2)
        self.lb = nn.Linear(3, 4)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return torch.tanh(self.la(x)), torch.sigmoid(self.lb(x))


class BatchMix(nn.Module):
    """y = Linear(3, 2)(x - x.mean(dim=0, keepdim=True)): rows of the batch are mixed, so
    per-sample Jacobians do not exist. onnxgrad must refuse them."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.lin(x - x.mean(dim=0, keepdim=True))


class PINNTanh(Inputs):
    """u(x, t): cat(x, t) -> Linear(2, 32) -> Tanh -> Linear(32, 32) -> Tanh -> Linear(32, 1).
    Two inputs concatenated inside, as physics-informed nets are usually written."""

    def __init__(self) -> None:
        super().__init__(ConcatInputs(), nn.Linear(2, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(),
                         nn.Linear(32, 1))

    def forward(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:  # named inputs for torch.export
        return super().forward(x, t)


class Siren(nn.Sequential):
    """SIREN on coords [B, 2]: sin(30·Linear(2, 32)) -> sin(Linear(32, 32)) -> Linear(32, 1)."""

    def __init__(self) -> None:
        super().__init__(nn.Linear(2, 32), Sin(30.0), nn.Linear(32, 32), Sin(1.0), nn.Linear(32, 1))
        with torch.no_grad():  # SIREN's first-layer initialisation: U(-1/in, 1/in)
            self[0].weight.uniform_(-1 / 2, 1 / 2)


class PINNSoftplus(nn.Sequential):
    """Softplus activations (β = 1 and β = 2): the dynamo exporter adds torch's threshold as
    Greater + Where. The first layer is scaled so some pre-activations pass the threshold."""

    def __init__(self) -> None:
        super().__init__(nn.Linear(2, 16), nn.Softplus(), nn.Linear(16, 16), nn.Softplus(beta=2.0),
                         nn.Linear(16, 1))
        with torch.no_grad():
            self[0].weight.mul_(15.0)


class GeluNet(nn.Sequential):
    """GELU exact and its tanh approximation."""

    def __init__(self) -> None:
        super().__init__(nn.Linear(3, 16), nn.GELU(), nn.Linear(16, 16), nn.GELU(approximate="tanh"),
                         nn.Linear(16, 2))


class SmoothActivations(nn.Sequential):
    """ELU, SELU, CELU, Mish, Softsign and SiLU between linear layers."""

    def __init__(self) -> None:
        super().__init__(nn.Linear(3, 12), nn.ELU(0.5), nn.Linear(12, 12), nn.SELU(), nn.Linear(12, 12),
                         nn.CELU(0.7), nn.Linear(12, 12), nn.Mish(), nn.Linear(12, 12), nn.Softsign(),
                         nn.Linear(12, 12), nn.SiLU(), nn.Linear(12, 2))


class PiecewiseActivations(nn.Sequential):
    """Hardsigmoid, Hardswish, Hardtanh, ReLU6, PReLU (per channel) and LeakyReLU; inputs are
    drawn so no pre-activation sits near a kink."""

    def __init__(self) -> None:
        super().__init__(nn.Linear(3, 12), nn.Hardsigmoid(), nn.Linear(12, 12), nn.Hardswish(),
                         nn.Linear(12, 12), nn.Hardtanh(-0.5, 0.8), nn.Linear(12, 12), nn.ReLU6(),
                         nn.Linear(12, 12), nn.PReLU(12), nn.Linear(12, 12), nn.LeakyReLU(0.1),
                         nn.Linear(12, 2))
        with torch.no_grad():
            self[9].weight.uniform_(0.05, 0.4)
            for i in (0, 2, 4, 6, 8, 10):  # spread pre-activations across the kinks
                self[i].weight.mul_(4.0)


# Where each activation is not smooth (its derivative, or for ELU-like ones its second
# derivative, jumps); fixtures draw inputs whose pre-activations stay away from these points.
KINKS = {nn.Hardsigmoid: (-3.0, 3.0), nn.Hardswish: (-3.0, 3.0), nn.Hardtanh: (-0.5, 0.8),
         nn.ReLU6: (0.0, 6.0), nn.PReLU: (0.0,), nn.LeakyReLU: (0.0,), nn.ReLU: (0.0,),
         nn.ELU: (0.0,), nn.SELU: (0.0,), nn.CELU: (0.0,), nn.Softsign: (0.0,)}


def kink_distances(model: nn.Module, *xs: torch.Tensor) -> list[torch.Tensor]:
    """|z - kink| for the input z of every activation listed in KINKS, over one forward pass."""
    seen: list[torch.Tensor] = []

    def hook(module, inp, _out):
        z = inp[0].detach()
        seen.append(torch.stack([(z - k).abs() for k in KINKS[type(module)]]).amin(dim=0))

    hooks = [m.register_forward_hook(hook) for m in model.modules() if type(m) in KINKS]
    try:
        with torch.no_grad():
            model(*xs)
    finally:
        for h in hooks:
            h.remove()
    return seen or [torch.tensor([float("inf")])]


class ResidualLayerNorm(nn.Sequential):
    """Residual MLP: Linear(6, 16) -> 2 × [x + Linear(GELU(LayerNorm(x)))] -> LayerNorm -> Linear(16, 3)."""

    def __init__(self) -> None:
        def block() -> nn.Module:
            return Residual(nn.Sequential(nn.LayerNorm(16), nn.GELU(), nn.Linear(16, 16)))

        super().__init__(nn.Linear(6, 16), block(), block(), nn.LayerNorm(16), nn.Linear(16, 3))
        with torch.no_grad():
            for m in self.modules():
                if isinstance(m, nn.LayerNorm):
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.2, 0.2)


class BatchNormMLP(nn.Sequential):
    """Linear -> BatchNorm1d (eval, with non-trivial running statistics) -> ReLU -> Dropout (eval)
    -> Linear."""

    def __init__(self) -> None:
        super().__init__(nn.Linear(4, 10), nn.BatchNorm1d(10), nn.ReLU(), nn.Dropout(0.3), nn.Linear(10, 2))
        with torch.no_grad():
            bn = self[1]
            bn.running_mean.uniform_(-0.5, 0.5)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.3, 0.3)


class Classifier(nn.Module):
    """A small classifier: probabilities (softmax), log-probabilities and the class label
    (argmax, int64) of Linear(4, 16) -> Tanh -> Linear(16, 3)."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))

    def forward(self, x: torch.Tensor):
        logits = self.net(x)
        return torch.softmax(logits, dim=-1), torch.log_softmax(logits, dim=1), torch.argmax(logits, dim=1)


class TensorOps(nn.Module):
    """A surrogate that uses the tensor ops people write: chunk, split, indexing, narrow, cat,
    x**2, exp, log, sqrt, abs, a matmul with a parameter, unsqueeze/squeeze, view and flatten."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(6, 8)
        self.w = nn.Parameter(torch.randn(4, 3) * 0.5)
        self.out = nn.Linear(12, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.lin(x)
        a, b = torch.chunk(h, 2, dim=1)
        c, d = torch.split(h, [3, 5], dim=1)
        last = h[:, -1]
        mid = h.narrow(1, 2, 3)
        p = a ** 2 + torch.exp(-b.abs()) + torch.log(b * b + 1.0)
        q = torch.sqrt(c * c + 0.5) * mid
        r = (p @ self.w)  # [B, 3]
        s = d.unsqueeze(1).squeeze(1)[:, 1:4] * last.unsqueeze(1)
        t = torch.flatten(h.view(x.size(0), 2, 4)[:, :, :1], 1)  # [B, 2]
        return self.out(torch.cat([q, r, s, t, x[:, :1]], dim=1))


class Dynamics(nn.Module):
    """Learned dynamics: next_state = state + 0.1·f(state, control), energy = ½|next_state|²
    per sample. Two inputs, two outputs."""

    def __init__(self) -> None:
        super().__init__()
        self.f = nn.Sequential(nn.Linear(6, 24), nn.SiLU(), nn.Linear(24, 24), nn.Tanh(), nn.Linear(24, 4))

    def forward(self, state: torch.Tensor, control: torch.Tensor):
        nxt = state + 0.1 * self.f(torch.cat([state, control], dim=1))
        return nxt, 0.5 * (nxt * nxt).sum(dim=1, keepdim=True)


class SoftmaxOverBatch(nn.Module):
    """Softmax over dim 0 (the batch): rows mixed, per-sample Jacobians undefined."""

    def __init__(self) -> None:
        super().__init__()
        self.lin = nn.Linear(3, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.lin(x), dim=0)


class BatchNormTrain(nn.Sequential):
    """BatchNorm1d in training mode (batch statistics): rows mixed."""

    def __init__(self) -> None:
        super().__init__(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Tanh(), nn.Linear(4, 2))


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def export_legacy(model: nn.Module, example: tuple, path: Path, input_names, output_names,
                  batch_dims: dict[str, int], training: bool = False, opset: int | None = None) -> None:
    """TorchScript-based exporter (dynamo=False). `batch_dims` maps every input/output name to
    its batch axis, which becomes the symbolic dimension "batch". `training` exports training
    mode (BatchNormalization with batch statistics); `opset` another opset than the default."""
    dynamic_axes = {name: {axis: "batch"} for name, axis in batch_dims.items()}
    mode = torch.onnx.TrainingMode.TRAINING if training else torch.onnx.TrainingMode.EVAL
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, example, str(path), dynamo=False,
            input_names=list(input_names), output_names=list(output_names),
            dynamic_axes=dynamic_axes, training=mode, do_constant_folding=not training,
            **({"opset_version": opset} if opset else {}),
        )


def export_dynamo(model: nn.Module, example: tuple, path: Path, input_names, output_names,
                  input_batch_axes: list[int]) -> dict:
    """torch.export-based exporter (dynamo=True). Writes `<path>.data` with the large initializers
    (the default, external_data=True); small tensors stay inline.

    torch 2.15 honours input_names/output_names for the dynamo exporter too; we still check and
    rename graph values afterwards if it ever does not (see `_ensure_io_names`).

    When every initializer is small enough to stay inline, torch 2.15 still writes an empty
    `<path>.data` that the model does not reference; we delete it.

    Returns {"renamed_io": bool, "removed_empty_data_file": bool}."""
    batch = torch.export.Dim("batch")
    dynamic_shapes = tuple({axis: batch} for axis in input_batch_axes)
    data = Path(str(path) + ".data")
    if data.exists():
        data.unlink()
    # The dynamo exporter prints progress lines to stdout; keep the scripts' output readable.
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, example, str(path), dynamo=True,
            input_names=list(input_names), output_names=list(output_names),
            dynamic_shapes=dynamic_shapes, external_data=True,
        )
    renamed = _ensure_io_names(path, list(input_names), list(output_names))
    removed = False
    m = onnx.load(str(path), load_external_data=False)
    referenced = {e.value for t in m.graph.initializer for e in t.external_data
                  if e.key == "location"}
    if data.exists() and data.name not in referenced:
        if data.stat().st_size != 0:
            raise RuntimeError(f"{data} is not referenced by {path} but is not empty")
        data.unlink()
        removed = True
    return {"renamed_io": renamed, "removed_empty_data_file": removed}


def _ensure_io_names(path: Path, input_names: list[str], output_names: list[str]) -> bool:
    """Rename graph inputs/outputs if the exporter did not use the requested names."""
    m = onnx.load(str(path), load_external_data=False)
    have_in = [i.name for i in m.graph.input]
    have_out = [o.name for o in m.graph.output]
    if have_in == input_names and have_out == output_names:
        return False
    if len(have_in) != len(input_names) or len(have_out) != len(output_names):
        raise RuntimeError(f"{path}: unexpected graph I/O {have_in} -> {have_out}")
    rename = dict(zip(have_in + have_out, input_names + output_names))
    for v in list(m.graph.input) + list(m.graph.output) + list(m.graph.value_info):
        v.name = rename.get(v.name, v.name)
    for n in m.graph.node:
        for i, s in enumerate(n.input):
            n.input[i] = rename.get(s, s)
        for i, s in enumerate(n.output):
            n.output[i] = rename.get(s, s)
    # External-data references are kept as they are (we did not load the data).
    onnx.save(m, str(path))
    print(f"  note: renamed graph I/O of {path.name}: {rename}")
    return True


# --------------------------------------------------------------------------------------------
# Inspection / verification
# --------------------------------------------------------------------------------------------


def describe_onnx(path: Path) -> dict:
    """Opset, ir_version, ops (in order and counted), I/O names and where initializers live."""
    m = onnx.load(str(path), load_external_data=False)
    ops = [n.op_type for n in m.graph.node]
    inline, external = [], []
    locations = set()
    for t in m.graph.initializer:
        if t.data_location == onnx.TensorProto.EXTERNAL:
            info = {e.key: e.value for e in t.external_data}
            locations.add(info["location"])
            external.append(t.name)
        else:
            inline.append(t.name)
    for loc in locations:
        p = Path(loc)
        if p.is_absolute() or ".." in p.parts:
            raise RuntimeError(f"{path}: external data location {loc!r} escapes the model folder")
        if not (path.parent / p).exists():
            raise RuntimeError(f"{path}: external data file {loc!r} is missing")
    const_nodes = sum(1 for n in m.graph.node if n.op_type == "Constant")
    return {
        "file": path.name,
        "ir_version": m.ir_version,
        "opset": {(o.domain or "ai.onnx"): o.version for o in m.opset_import},
        "producer": f"{m.producer_name} {m.producer_version}".strip(),
        "input_names": [i.name for i in m.graph.input],
        "output_names": [o.name for o in m.graph.output],
        "ops": sorted(set(ops)),
        "op_counts": dict(sorted(Counter(ops).items())),
        "op_sequence": ops,
        "constant_nodes": const_nodes,
        "initializers_inline": inline,
        "initializers_external": external,
        "external_data_files": sorted(locations),
    }


def run_ort(path: Path, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    names = [o.name for o in sess.get_outputs()]
    return dict(zip(names, sess.run(names, feeds)))


def assert_close(what: str, got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> float:
    """Fail loudly unless |got - want| <= atol + rtol*|want| elementwise; returns max abs err."""
    if got.shape != want.shape:
        raise AssertionError(f"{what}: shape {got.shape} != {want.shape}")
    if got.dtype != want.dtype:
        raise AssertionError(f"{what}: dtype {got.dtype} != {want.dtype}")
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    err = np.abs(g - w)
    bad = err > atol + rtol * np.abs(w)
    if bad.any() or not np.all(np.isfinite(g)):
        raise AssertionError(
            f"{what}: onnxruntime disagrees with torch: max abs err {err.max():.3e}, "
            f"{int(bad.sum())} elements outside rtol={rtol} atol={atol}"
        )
    return float(err.max())


def set_deterministic() -> None:
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
