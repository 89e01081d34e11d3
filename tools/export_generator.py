#!/usr/bin/env python3
"""Export the bundled GeneratorNet with both torch.onnx exporters.

Usage (from the repository root):  python3 tools/export_generator.py [--out models]

Writes
  models/generator_legacy.onnx         torch.onnx.export(dynamo=False), weights inline
  models/generator_dynamo.onnx(.data)  torch.onnx.export(dynamo=True), weights external
  models/points.npy                    100 x 2 float32 points, uniform in [-1, 1]
  models/README.md                     how each file was made

and checks that onnxruntime reproduces PyTorch on both files (fails loudly otherwise).
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import onnxscript
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import onnxgrad_models as om  # noqa: E402

POINTS_SEED = 1234
N_POINTS = 100


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent.parent / "models"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    om.set_deterministic()

    model = om.make_generator()
    n_params = sum(p.numel() for p in model.parameters())
    example = (torch.zeros(7, 2),)

    legacy = out / "generator_legacy.onnx"
    dynamo = out / "generator_dynamo.onnx"
    om.export_legacy(model, example, legacy, ["coords"], ["uv"], {"coords": 0, "uv": 0})
    renamed = om.export_dynamo(model, example, dynamo, ["coords"], ["uv"], [0])["renamed_io"]

    points = np.random.default_rng(POINTS_SEED).uniform(-1.0, 1.0, size=(N_POINTS, 2))
    points = points.astype(np.float32)
    np.save(out / "points.npy", points)

    with torch.no_grad():
        want = model(torch.from_numpy(points)).numpy()
    infos = {}
    for path in (legacy, dynamo):
        info = om.describe_onnx(path)
        infos[path.name] = info
        if info["input_names"] != ["coords"] or info["output_names"] != ["uv"]:
            raise AssertionError(f"{path}: I/O names {info['input_names']} -> {info['output_names']}")
        got = om.run_ort(path, {"coords": points})["uv"]
        err = om.assert_close(f"{path.name} (B=100)", got, want, rtol=1e-5, atol=1e-6)
        # The batch axis must be dynamic: B = 1 and B = 3 as well.
        for b in (1, 3):
            got_b = om.run_ort(path, {"coords": points[:b]})["uv"]
            om.assert_close(f"{path.name} (B={b})", got_b, want[:b], rtol=1e-5, atol=1e-6)
        print(f"{path.name}: ir_version {info['ir_version']}, opset {info['opset']}, "
              f"ops {info['op_sequence']}, ORT max abs err {err:.2e}")
        if info["external_data_files"]:
            print(f"  external data: {info['external_data_files']} "
                  f"({len(info['initializers_external'])} tensors external, "
                  f"inline: {info['initializers_inline']})")
    if infos[dynamo.name]["external_data_files"] != [dynamo.name + ".data"]:
        raise AssertionError(f"{dynamo}: expected weights in {dynamo.name}.data, "
                             f"got {infos[dynamo.name]['external_data_files']}")

    write_readme(out, infos, n_params, renamed)


def write_readme(out: Path, infos: dict, n_params: int, renamed: bool) -> None:
    def size(name: str) -> str:
        return f"{(out / name).stat().st_size:,} bytes"

    def opset(info: dict) -> str:
        return ", ".join(f"{d} {v}" for d, v in info["opset"].items())

    naming = (
        "The dynamo exporter did not honour `input_names` / `output_names`; the script renamed "
        "the graph inputs/outputs with the onnx package after export."
        if renamed else
        "The dynamo exporter honoured `input_names` / `output_names` (no renaming was needed)."
    )
    leg = infos["generator_legacy.onnx"]
    dyn = infos["generator_dynamo.onnx"]
    text = f"""# Bundled models

Made by `python3 tools/export_generator.py` (from the repository root) with
Python {platform.python_version()}, torch {torch.__version__}, onnx {onnx.__version__},
onnxscript {onnxscript.__version__}, onnxruntime {onnxruntime.__version__}, numpy {np.__version__}.
The script checks that onnxruntime reproduces PyTorch (float32, rtol 1e-5) on both files for
B = 100, 1 and 3.

## GeneratorNet

`G(coords) = (u, v)`, weights from `torch.manual_seed({om.GENERATOR_SEED})` (PyTorch's default
`nn.Linear` initialisation), {n_params:,} parameters (float32):

```
Linear(2, 100) -> LeakyReLU(0.2) -> Linear(100, 100) -> LeakyReLU(0.2)
  -> Linear(100, 100) -> LeakyReLU(0.2) -> Linear(100, 2) -> Tanh
```

Input `coords` float32 `[batch, 2]`, output `uv` float32 `[batch, 2]` (`u = uv[:, 0]`,
`v = uv[:, 1]`); `batch` is a symbolic dimension in both files. Parameters are named
`0.weight`, `0.bias`, `2.weight`, ... (the module is an `nn.Sequential`).

| file | size | how |
| --- | --- | --- |
| `generator_legacy.onnx` | {size("generator_legacy.onnx")} | `torch.onnx.export(model, (x,), f, dynamo=False, input_names=["coords"], output_names=["uv"], dynamic_axes={{"coords": {{0: "batch"}}, "uv": {{0: "batch"}}}})`; all weights inline |
| `generator_dynamo.onnx` | {size("generator_dynamo.onnx")} | `torch.onnx.export(model, (x,), f, dynamo=True, input_names=["coords"], output_names=["uv"], dynamic_shapes=({{0: torch.export.Dim("batch")}},))` (external_data=True, the default) |
| `generator_dynamo.onnx.data` | {size("generator_dynamo.onnx.data")} | raw little-endian weights referenced by `generator_dynamo.onnx` (location `generator_dynamo.onnx.data`, relative to the model) |
| `points.npy` | {size("points.npy")} | `np.random.default_rng({POINTS_SEED}).uniform(-1, 1, size=({N_POINTS}, 2)).astype(np.float32)` |

What was actually emitted:

| file | ir_version | opset | ops |
| --- | --- | --- | --- |
| `generator_legacy.onnx` | {leg["ir_version"]} | {opset(leg)} | {" ".join(leg["op_sequence"])} |
| `generator_dynamo.onnx` | {dyn["ir_version"]} | {opset(dyn)} | {" ".join(dyn["op_sequence"])} |

Both use `Gemm(transB=1)` for every `Linear`. {naming} The dynamo exporter stores {len(dyn["initializers_external"])} initializers
in the `.data` file and keeps {", ".join(f"`{n}`" for n in dyn["initializers_inline"]) or "none"}
inline (small tensors stay in the `.onnx` as `raw_data`), so one model mixes inline and external
initializers. The ONNX files carry metadata (producer, exporter node metadata); their bytes may
change with the torch version, the weights do not.
"""
    (out / "README.md").write_text(text)


if __name__ == "__main__":
    main()
