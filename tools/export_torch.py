#!/usr/bin/env python3
"""Exports a PyTorch MLP to onnxgrad's MLP JSON format and to ONNX with both torch exporters.

Usage (from the repository root):
  python3 tools/export_torch.py FILE.py:FACTORY --inputs x:1,t:1 --out DIR [--state WEIGHTS.pt]
                                [--weights inline|npz] [--dtype float32|float64] [--name NAME]

FACTORY is a function in FILE.py returning the nn.Module (weights loaded from --state with
load_state_dict if given). Writes DIR/NAME.mlp.json (+ DIR/NAME.weights.npz with --weights npz),
DIR/NAME_legacy.onnx (dynamo=False) and DIR/NAME_dynamo.onnx (dynamo=True); every input is
[batch, features] and the batch axis is dynamic in all three.

The module must be built from layers the format has (docs/mlp-json.md): nn.Sequential of
Linear, ReLU, LeakyReLU, Tanh, Sigmoid, SiLU, GELU, Softplus, ELU, SELU, CELU, Mish, Softsign,
Hardsigmoid, Hardswish, Hardtanh, ReLU6, Identity, Dropout, Softmax/LogSoftmax (feature axis),
LayerNorm (over the features), BatchNorm1d, and the modules below: Inputs (an nn.Sequential
taking several inputs) starting with ConcatInputs, Residual(block) (x + block(x)) and
Sin(frequency) (SIREN).
From Python: `from export_torch import to_mlp_json, export_all`.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import inspect
import io
import json
import os
import sys
import warnings
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn


class ConcatInputs(nn.Module):
    """Concatenates several [batch, n_i] inputs along the features (a PINN's x and t)."""

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.cat(inputs, dim=1)


class Inputs(nn.Sequential):
    """nn.Sequential whose first layer takes several inputs (ConcatInputs): forward(x, t)."""

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        x = self[0](*inputs)
        for layer in list(self)[1:]:
            x = layer(x)
        return x


class Residual(nn.Module):
    """x + block(x): a skip connection around `block`."""

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        self.block = block

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.block(x)


class Sin(nn.Module):
    """sin(frequency · x): SIREN's activation."""

    def __init__(self, frequency: float = 1.0) -> None:
        super().__init__()
        self.frequency = frequency

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sin(self.frequency * x)


class _Writer:
    def __init__(self, weights: str) -> None:
        self.weights = weights
        self.layers: list[dict] = []
        self.arrays: dict[str, np.ndarray] = {}

    def array(self, name: str, t: torch.Tensor):
        a = t.detach().cpu().double().numpy()
        if self.weights == "inline":
            return a.tolist()
        self.arrays[name] = a
        return name

    def add(self, layer: dict) -> str:
        layer.setdefault("name", f"layer{len(self.layers)}")
        self.layers.append(layer)
        return layer["name"]


_SIMPLE = {
    nn.ReLU: "relu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid", nn.SiLU: "silu", nn.Mish: "mish",
    nn.Softsign: "softsign", nn.SELU: "selu", nn.Hardsigmoid: "hardsigmoid", nn.Hardswish: "hardswish",
    nn.Identity: "identity", nn.ReLU6: "relu6",
}


def _emit(module: nn.Module, w: _Writer, current: str | None, path: str) -> str | None:
    if isinstance(module, nn.Sequential):
        for i, child in enumerate(module):
            current = _emit(child, w, current, f"{path}.{i}" if path else str(i))
        return current
    layer: dict = {}
    if isinstance(module, nn.Linear):
        layer = {"type": "linear", "weight": w.array(f"{path}.weight", module.weight)}
        if module.bias is not None:
            layer["bias"] = w.array(f"{path}.bias", module.bias)
    elif type(module) in _SIMPLE:
        layer = {"type": _SIMPLE[type(module)]}
    elif isinstance(module, nn.Dropout):
        layer = {"type": "dropout", "p": module.p}
    elif isinstance(module, nn.LeakyReLU):
        layer = {"type": "leaky_relu", "negative_slope": module.negative_slope}
    elif isinstance(module, (nn.ELU, nn.CELU)):
        layer = {"type": "elu" if isinstance(module, nn.ELU) else "celu", "alpha": module.alpha}
    elif isinstance(module, nn.GELU):
        layer = {"type": "gelu", "approximate": module.approximate}
    elif isinstance(module, nn.Softplus):
        layer = {"type": "softplus", "beta": float(module.beta), "threshold": float(module.threshold)}
    elif isinstance(module, nn.Hardtanh):
        layer = {"type": "hardtanh", "min_val": module.min_val, "max_val": module.max_val}
    elif isinstance(module, (nn.Softmax, nn.LogSoftmax)):
        if module.dim not in (1, -1):
            raise ValueError(f"{path}: only softmax over the features (dim 1 or -1) is in the format")
        layer = {"type": "softmax" if isinstance(module, nn.Softmax) else "log_softmax", "dim": module.dim}
    elif isinstance(module, Sin):
        layer = {"type": "sin", "frequency": float(module.frequency)}
    elif isinstance(module, nn.LayerNorm):
        if len(module.normalized_shape) != 1:
            raise ValueError(f"{path}: LayerNorm must normalise the last axis only")
        layer = {"type": "layer_norm", "eps": module.eps}
        if module.weight is not None:
            layer["weight"] = w.array(f"{path}.weight", module.weight)
        if module.bias is not None:
            layer["bias"] = w.array(f"{path}.bias", module.bias)
    elif isinstance(module, nn.BatchNorm1d):
        if module.training:
            raise ValueError(f"{path}: BatchNorm1d in training mode (batch statistics) is not in the format")
        if module.running_mean is None:
            raise ValueError(f"{path}: BatchNorm1d without running statistics is not in the format")
        layer = {"type": "batch_norm", "eps": module.eps,
                 "running_mean": w.array(f"{path}.running_mean", module.running_mean),
                 "running_var": w.array(f"{path}.running_var", module.running_var)}
        if module.weight is not None:
            layer["weight"] = w.array(f"{path}.weight", module.weight)
            layer["bias"] = w.array(f"{path}.bias", module.bias)
    elif isinstance(module, Residual):
        before = current
        inner = _emit(module.block, w, current, f"{path}.block")
        return w.add({"type": "residual", "input": inner, "from": before})
    else:
        raise ValueError(f"{path}: {type(module).__name__} is not a layer of the onnxgrad MLP format")
    if current is not None:
        layer["input"] = current
    return w.add(layer)


def to_mlp_json(module: nn.Module, inputs: list[tuple[str, int]], dtype: str = "float32",
                weights: str = "inline", weights_file: str = "weights.npz") -> tuple[dict, dict]:
    """The MLP JSON document for `module` and, with weights="npz", the arrays for `weights_file`."""
    w = _Writer(weights)
    children = list(module) if isinstance(module, nn.Sequential) else [module]
    current: str | None = inputs[0][0] if len(inputs) == 1 else None
    if len(inputs) > 1:
        if not children or not isinstance(children[0], ConcatInputs):
            raise ValueError("a model with several inputs must start with ConcatInputs")
        current = w.add({"type": "concat", "inputs": [n for n, _ in inputs]})
        children = children[1:]
    for i, child in enumerate(children):
        offset = i + (1 if len(inputs) > 1 else 0)
        current = _emit(child, w, current, str(offset))
    doc = {"format": "onnxgrad-mlp", "version": 1, "dtype": dtype,
           "inputs": [{"name": n, "features": f} for n, f in inputs], "layers": w.layers,
           "outputs": [current]}
    if weights == "npz":
        doc["weights"] = weights_file
    return doc, w.arrays


def export_all(module: nn.Module, inputs: list[tuple[str, int]], out: Path, name: str,
               dtype: str = "float32", weights: str = "inline", output_name: str = "y") -> dict:
    """Writes NAME.mlp.json (+ NAME.weights.npz), NAME_legacy.onnx and NAME_dynamo.onnx."""
    out.mkdir(parents=True, exist_ok=True)
    module = module.eval().double() if dtype == "float64" else module.eval().float()
    doc, arrays = to_mlp_json(module, inputs, dtype, weights, f"{name}.weights.npz")
    doc["layers"][-1]["name"] = output_name
    doc["outputs"] = [output_name]
    (out / f"{name}.mlp.json").write_text(json.dumps(doc, indent=1) + "\n")
    if arrays:
        np.savez(out / f"{name}.weights.npz", **arrays)
    torch_dtype = torch.float64 if dtype == "float64" else torch.float32
    example = tuple(torch.zeros(3, f, dtype=torch_dtype) for _, f in inputs)
    names = [n for n, _ in inputs]
    written = {"mlp_json": f"{name}.mlp.json"}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        legacy = out / f"{name}_legacy.onnx"
        torch.onnx.export(module, example, str(legacy), dynamo=False, input_names=names, output_names=[output_name],
                          dynamic_axes={n: {0: "batch"} for n in names + [output_name]})
        written["legacy"] = legacy.name
        batch = torch.export.Dim("batch")
        shapes = tuple({0: batch} for _ in names)
        variadic = any(p.kind == inspect.Parameter.VAR_POSITIONAL for p in inspect.signature(module.forward).parameters.values())
        program = torch.onnx.export(module, example, dynamo=True, input_names=names, output_names=[output_name],
                                    dynamic_shapes=(shapes,) if variadic else shapes)
        dynamo = out / f"{name}_dynamo.onnx"
        program.save(str(dynamo))
        written["dynamo"] = dynamo.name
    data = Path(str(dynamo) + ".data")
    if data.exists() and data.stat().st_size == 0:
        data.unlink()
    return written


def _load_factory(spec: str):
    file, _, factory = spec.partition(":")
    if not factory:
        raise SystemExit("give the module as FILE.py:FACTORY")
    loader = importlib.util.spec_from_file_location(Path(file).stem, file)
    if loader is None or loader.loader is None:
        raise SystemExit(f"cannot import {file}")
    mod = importlib.util.module_from_spec(loader)
    # The factory imports ConcatInputs/Residual/Sin from `export_torch`: the very classes here.
    sys.modules.setdefault("export_torch", sys.modules[__name__])
    loader.loader.exec_module(mod)
    return getattr(mod, factory)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("module", help="FILE.py:FACTORY returning the nn.Module")
    parser.add_argument("--inputs", required=True, help="name:features,… in forward()'s argument order")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--name", default="model")
    parser.add_argument("--state", help="a state_dict saved with torch.save")
    parser.add_argument("--weights", choices=["inline", "npz"], default="inline")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--output", default="y", help="name of the model's output")
    args = parser.parse_args()
    module = _load_factory(args.module)()
    if args.state:
        module.load_state_dict(torch.load(args.state, map_location="cpu"))
    inputs = []
    for item in args.inputs.split(","):
        n, _, f = item.partition(":")
        inputs.append((n, int(f)))
    written = export_all(module, inputs, args.out, args.name, args.dtype, args.weights, args.output)
    print(json.dumps(written))


if __name__ == "__main__":
    main()
