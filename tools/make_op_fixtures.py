#!/usr/bin/env python3
"""Per-op ONNX fixtures: one tiny model per case, with ONNX Runtime's outputs as the reference.

Usage (from the repository root):  python3 tools/make_op_fixtures.py [--case NAME_PREFIX]

The cases live in tools/op_cases/*.py, one module per op family; each module defines
`CASES: list[OpCase]`. For every case this writes Tests/Fixtures/onnx_ops/<case>/:
  model.onnx          the model (onnx.helper), checked with onnx.checker
  input_<name>.npy    every graph input (batch B = 5 unless the case fixes its shapes)
  ref_<output>.npy    ONNX Runtime's output, in the case's dtype
  case.json           op type, opset, dtype, inputs (which are differentiable), outputs, versions
The Swift tests (Tests/ONNXGradTests/ONNXOpCaseTests.swift) run each model through onnxgrad and
compare with the reference, then check its derivatives against central finite differences.
Every ONNX op onnxgrad supports must have at least one case (a test checks that).
Cases whose op has no float64 kernel in ONNX Runtime run in float32 (`dtype="float32"`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from op_cases import OpCase  # noqa: E402

OUT = ROOT / "Tests" / "Fixtures" / "onnx_ops"
COMMAND = "python3 tools/make_op_fixtures.py"


def load_cases() -> list[OpCase]:
    cases: list[OpCase] = []
    for path in sorted((Path(__file__).parent / "op_cases").glob("*.py")):
        if path.stem == "__init__":
            continue
        module = importlib.import_module(f"op_cases.{path.stem}")
        for c in module.CASES:
            c.module = path.stem
            cases.append(c)
    names = [c.name for c in cases]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise SystemExit(f"duplicate case names: {sorted(dupes)}")
    return cases


def write_case(case: OpCase) -> None:
    folder = OUT / case.name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    rng = np.random.default_rng(case.seed)
    model, feeds = case.build(rng)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, folder / "model.onnx")
    options = ort.SessionOptions()
    # ORT's graph optimiser has given wrong answers here (a Range with a computed start): the
    # reference is the unoptimised graph.
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
    outputs = session.run(None, feeds)
    out_names = [o.name for o in model.graph.output]
    inputs = []
    for name, value in feeds.items():
        np.save(folder / f"input_{name}.npy", value)
        spec = case.input_spec(name)
        inputs.append({"name": name, "file": f"input_{name}.npy", "dtype": str(value.dtype),
                       "shape": list(value.shape),
                       "differentiable": bool(spec.differentiable) if spec else False})
    outs = []
    for name, value in zip(out_names, outputs):
        value = np.asarray(value)
        if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
            raise SystemExit(f"{case.name}: ONNX Runtime gave non-finite values for {name}")
        np.save(folder / f"ref_{name}.npy", value)
        outs.append({"name": name, "file": f"ref_{name}.npy", "dtype": str(value.dtype),
                     "shape": list(value.shape)})
    meta = {
        "case": case.name, "module": case.module, "op_type": case.op_type, "opset": case.opset,
        "ops": sorted({n.op_type if n.domain in ("", "ai.onnx") else f"{n.domain}.{n.op_type}" for n in model.graph.node}),
        "dtype": case.dtype, "description": case.description, "inputs": inputs, "outputs": outs,
        "rows_independent": case.rows_independent,
        "reference": f"onnxruntime {ort.__version__} (CPUExecutionProvider, graph optimisations off)",
        "onnx": onnx.__version__, "numpy": np.__version__, "command": COMMAND,
    }
    (folder / "case.json").write_text(json.dumps(meta, indent=1) + "\n")
    print(f"{case.name}: {case.op_type} opset {case.opset} {case.dtype} -> "
          f"{[o['shape'] for o in outs]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", help="only cases whose name starts with this")
    args = parser.parse_args()
    cases = load_cases()
    if args.case:
        cases = [c for c in cases if c.name.startswith(args.case)]
    else:
        if OUT.exists():
            shutil.rmtree(OUT)
    OUT.mkdir(parents=True, exist_ok=True)
    for case in cases:
        write_case(case)


if __name__ == "__main__":
    main()
