"""Case definitions for tools/make_op_fixtures.py: one module per op family, each with CASES.

An OpCase is one ONNX node (or a few, via `nodes`) with graph inputs (`In`, sampled), initializers
(`Const`) and omitted optional inputs (`None`). The first dimension "B" of an input is the batch:
declared as the symbolic dim "batch" and drawn with B = 5 rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

B = 5
NP = {"float64": np.float64, "float32": np.float32, "int64": np.int64, "bool": np.bool_}
ELEM = {"float64": TensorProto.DOUBLE, "float32": TensorProto.FLOAT, "int64": TensorProto.INT64,
        "bool": TensorProto.BOOL}


@dataclass
class In:
    """A graph input drawn uniformly from [low, high] (or `values`), in the case dtype unless
    `dtype` says otherwise. `avoid(x)` returns a mask of elements to redraw (kinks, ties)."""
    name: str
    shape: tuple
    low: float = -2.0
    high: float = 2.0
    differentiable: bool = True
    dtype: str | None = None
    avoid: Callable[[np.ndarray], np.ndarray] | None = None
    values: np.ndarray | None = None


@dataclass
class Const:
    """An initializer; float values are converted to the case dtype unless `keep_dtype`. A
    TensorProto is used as it is (bfloat16, which NumPy lacks)."""
    name: str
    value: np.ndarray
    keep_dtype: bool = False


@dataclass
class Ref:
    """An input produced by one of the case's `before` nodes."""
    name: str


@dataclass
class OpCase:
    name: str
    op_type: str
    opset: int
    inputs: list
    attrs: dict = field(default_factory=dict)
    outputs: list = field(default_factory=lambda: ["y"])
    dtype: str = "float64"
    description: str = ""
    seed: int = 0
    rows_independent: bool = True
    # Extra nodes run before the op node (e.g. a Shape → Gather chain feeding it); each is
    # (op_type, inputs, outputs, attrs).
    before: list = field(default_factory=list)
    # Graph inputs and initializers only `before` nodes read (not inputs of the op node itself).
    graph_inputs: list = field(default_factory=list)
    initializers: list = field(default_factory=list)
    # Output types to declare where ONNX's shape inference gives none: name → (dtype, dims).
    declared_outputs: dict = field(default_factory=dict)
    # The op node's domain ("" is the default ai.onnx) and the opset imported for it.
    domain: str = ""
    domain_opset: int = 1
    module: str = ""

    def input_spec(self, name: str) -> In | None:
        return next((i for i in self.inputs + self.graph_inputs if isinstance(i, In) and i.name == name), None)

    def build(self, rng: np.random.Generator) -> tuple[onnx.ModelProto, dict]:
        graph_inputs, initializers, feeds, names = [], [], {}, []
        for spec in self.initializers:
            initializers.append(spec.value if isinstance(spec.value, onnx.TensorProto)
                                else numpy_helper.from_array(np.asarray(spec.value), spec.name))
        for spec in self.graph_inputs:
            dtype = spec.dtype or self.dtype
            shape = tuple(B if d == "B" else d for d in spec.shape)
            feeds[spec.name] = self.draw(spec, shape, dtype, rng)
            dims = ["batch" if d == "B" else d for d in spec.shape]
            graph_inputs.append(helper.make_tensor_value_info(spec.name, ELEM[dtype], dims))
        for spec in self.inputs:
            if spec is None:
                names.append("")
            elif isinstance(spec, Ref):
                names.append(spec.name)
            elif isinstance(spec, Const) and isinstance(spec.value, onnx.TensorProto):
                initializers.append(spec.value)
                names.append(spec.name)
            elif isinstance(spec, Const):
                value = np.asarray(spec.value)
                if value.dtype.kind == "f" and not spec.keep_dtype:
                    value = value.astype(NP[self.dtype])
                initializers.append(numpy_helper.from_array(value, spec.name))
                names.append(spec.name)
            else:
                dtype = spec.dtype or self.dtype
                shape = tuple(B if d == "B" else d for d in spec.shape)
                value = self.draw(spec, shape, dtype, rng)
                feeds[spec.name] = value
                dims = ["batch" if d == "B" else d for d in spec.shape]
                graph_inputs.append(helper.make_tensor_value_info(spec.name, ELEM[dtype], dims))
                names.append(spec.name)
        nodes = [helper.make_node(op, ins, outs, **attrs) for op, ins, outs, attrs in self.before]
        nodes.append(helper.make_node(self.op_type, names, self.outputs, name="op", domain=self.domain, **self.attrs))
        outputs = [helper.make_empty_tensor_value_info(o) for o in self.outputs]
        graph = helper.make_graph(nodes, self.name, graph_inputs, outputs, initializers)
        imports = [helper.make_opsetid("", self.opset)]
        if self.domain:
            imports.append(helper.make_opsetid(self.domain, self.domain_opset))
        model = helper.make_model(graph, opset_imports=imports, producer_name="onnxgrad make_op_fixtures")
        model.ir_version = min(model.ir_version, 9)
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
        types = {v.name: v.type for v in inferred.graph.value_info}
        for out in model.graph.output:
            if out.name in types:
                out.type.CopyFrom(types[out.name])
            if out.name in self.declared_outputs and not out.type.tensor_type.HasField("shape"):
                dtype, dims = self.declared_outputs[out.name]
                out.type.CopyFrom(helper.make_tensor_type_proto(ELEM[dtype], ["batch" if d == "B" else d for d in dims]))
        return model, feeds

    def draw(self, spec: In, shape: tuple, dtype: str, rng: np.random.Generator) -> np.ndarray:
        if spec.values is not None:
            return np.asarray(spec.values, dtype=NP[dtype]).reshape(shape)
        if dtype == "bool":
            return rng.random(shape) < 0.5
        if dtype == "int64":
            return rng.integers(int(spec.low), int(spec.high) + 1, size=shape).astype(np.int64)
        x = rng.uniform(spec.low, spec.high, size=shape)
        for _ in range(1000):
            if spec.avoid is None:
                break
            bad = spec.avoid(x)
            if not np.any(bad):
                break
            x[bad] = rng.uniform(spec.low, spec.high, size=int(np.sum(bad)))
        else:
            raise SystemExit(f"{self.name}: could not draw {spec.name} away from the points to avoid")
        return x.astype(NP[dtype])


def away_from(*points: float, margin: float = 0.05) -> Callable[[np.ndarray], np.ndarray]:
    """An `avoid` that keeps samples at least `margin` from each point (kinks)."""
    return lambda x: np.any([np.abs(x - p) < margin for p in points], axis=0)
