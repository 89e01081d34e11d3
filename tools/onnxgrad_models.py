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

# Ops onnxgrad supports (see the brief / DESIGN.md). Anything else found in an export is reported.
SUPPORTED_OPS = frozenset(
    [
        "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Neg", "Relu", "LeakyRelu",
        "Tanh", "Sigmoid", "Exp", "Log", "Identity", "Constant",
    ]
)

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


# --------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------


def export_legacy(model: nn.Module, example: tuple, path: Path, input_names, output_names,
                  batch_dims: dict[str, int]) -> None:
    """TorchScript-based exporter (dynamo=False). `batch_dims` maps every input/output name to
    its batch axis, which becomes the symbolic dimension "batch"."""
    dynamic_axes = {name: {axis: "batch"} for name, axis in batch_dims.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            model, example, str(path), dynamo=False,
            input_names=list(input_names), output_names=list(output_names),
            dynamic_axes=dynamic_axes,
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
        "ops_outside_supported_list": sorted(set(ops) - SUPPORTED_OPS),
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
