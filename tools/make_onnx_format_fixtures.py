#!/usr/bin/env python3
"""Writes the ONNXFormat test fixtures and the facts the Swift tests check them against.

Usage: python3 tools/make_onnx_format_fixtures.py [--no-torch]

Models are built with onnx.helper / onnx.numpy_helper (and, unless --no-torch, exported from a tiny
torch module with both exporters). Every expected fact in expected.json is read back from the saved
files with the onnx Python package (onnx.load + numpy_helper.to_array), independent of our Swift
reader. Tensor values are written as strings (repr of float64 or str of int) so inf, nan and -0.0
survive JSON exactly.
"""

import json
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
from google.protobuf import json_format
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ONNXFormatTests", "Fixtures")

RNG = np.random.default_rng(20240611)

TO_DTYPE = {
    TensorProto.FLOAT: "float32", TensorProto.FLOAT16: "float32", TensorProto.BFLOAT16: "float32",
    TensorProto.DOUBLE: "float64",
    TensorProto.INT64: "int64", TensorProto.INT32: "int64", TensorProto.INT16: "int64",
    TensorProto.INT8: "int64", TensorProto.UINT8: "int64", TensorProto.UINT16: "int64",
    TensorProto.UINT32: "int64", TensorProto.UINT64: "int64", TensorProto.BOOL: "bool",
}


def value_strings(arr):
    arr = np.asarray(arr)
    if arr.dtype.kind in "iub":
        return [str(int(x)) for x in arr.reshape(-1)]
    if arr.dtype == np.dtype("V2") or str(arr.dtype) == "bfloat16":
        arr = arr.astype(np.float32)
    return [repr(float(x)) for x in arr.astype(np.float64).reshape(-1)]


def storage_kind(t):
    if t.data_location == TensorProto.EXTERNAL:
        return "external"
    return "raw" if t.HasField("raw_data") else "typed"


def tensor_facts(t, base_dir):
    facts = {"name": t.name, "data_type": t.data_type, "dims": list(t.dims), "storage": storage_kind(t)}
    if t.data_location == TensorProto.EXTERNAL:
        facts["external_data"] = {e.key: e.value for e in t.external_data}
    if t.data_type in TO_DTYPE:
        arr = numpy_helper.to_array(t, base_dir=base_dir)
        facts["dtype"] = TO_DTYPE[t.data_type]
        facts["values"] = value_strings(arr)
    return facts


def dim_fact(d):
    if d.HasField("dim_value"):
        return d.dim_value
    if d.HasField("dim_param"):
        return d.dim_param
    return None


def value_info_facts(v):
    facts = {"name": v.name}
    if v.type.HasField("tensor_type"):
        tt = v.type.tensor_type
        facts["elem_type"] = tt.elem_type if tt.HasField("elem_type") else None
        facts["shape"] = [dim_fact(d) for d in tt.shape.dim] if tt.HasField("shape") else None
    else:
        facts["elem_type"] = None
        facts["shape"] = None
    return facts


def attribute_facts(a, base_dir):
    A = onnx.AttributeProto
    facts = {"name": a.name, "type": a.type}
    if a.type == A.FLOAT:
        facts["value"] = repr(float(a.f))
    elif a.type == A.INT:
        facts["value"] = a.i
    elif a.type == A.STRING:
        facts["value"] = a.s.decode("utf-8")
    elif a.type == A.FLOATS:
        facts["value"] = [repr(float(x)) for x in a.floats]
    elif a.type == A.INTS:
        facts["value"] = list(a.ints)
    elif a.type == A.STRINGS:
        facts["value"] = [s.decode("utf-8") for s in a.strings]
    elif a.type == A.TENSOR:
        facts["value"] = tensor_facts(a.t, base_dir)
    elif a.type == A.TENSORS:
        facts["value"] = [tensor_facts(t, base_dir) for t in a.tensors]
    elif a.type == A.GRAPH:
        facts["value"] = graph_facts(a.g, base_dir)
    elif a.type == A.GRAPHS:
        facts["value"] = [graph_facts(g, base_dir) for g in a.graphs]
    else:
        facts["value"] = None  # a type the reader keeps as .unknown(type:)
    return facts


def graph_facts(g, base_dir):
    return {
        "name": g.name,
        "inputs": [value_info_facts(v) for v in g.input],
        "outputs": [value_info_facts(v) for v in g.output],
        "value_info": [value_info_facts(v) for v in g.value_info],
        "nodes": [
            {
                "name": n.name, "op_type": n.op_type, "domain": n.domain,
                "inputs": list(n.input), "outputs": list(n.output),
                "attributes": [attribute_facts(a, base_dir) for a in n.attribute],
            }
            for n in g.node
        ],
        "initializers": [tensor_facts(t, base_dir) for t in g.initializer],
    }


def model_facts(path):
    m = onnx.load(path, load_external_data=False)
    base = os.path.dirname(path)
    return {
        "ir_version": m.ir_version,
        "producer_name": m.producer_name,
        "producer_version": m.producer_version,
        "domain": m.domain,
        "model_version": m.model_version,
        "doc_string": m.doc_string,
        "opset_imports": [{"domain": o.domain, "version": o.version} for o in m.opset_import],
        "metadata": [{"key": p.key, "value": p.value} for p in m.metadata_props],
        "graph": graph_facts(m.graph, base),
    }


# ---------------------------------------------------------------------------------------------
# Models built with onnx.helper


def typed_and_raw_initializers():
    """The same kinds of values stored once in raw_data and once in the typed fields."""
    inits = []
    f32 = RNG.standard_normal((2, 3)).astype(np.float32)
    f64 = RNG.standard_normal((3,)).astype(np.float64) * 1e-3
    i64 = np.array([[-(2**40), -1, 0], [7, 2**40 + 3, 123456789]], dtype=np.int64)
    i32 = np.array([-(2**31), -5, 2**31 - 1], dtype=np.int32)
    f16 = np.array([1.5, -2.0, 65504.0, 2.0**-24, -0.0, np.inf, np.nan, 0.1], dtype=np.float16)
    for suffix, raw in (("raw", True), ("typed", False)):
        inits += [
            helper.make_tensor(f"f32_{suffix}", TensorProto.FLOAT, f32.shape, f32.reshape(-1) if not raw else f32.tobytes(), raw=raw),
            helper.make_tensor(f"f64_{suffix}", TensorProto.DOUBLE, f64.shape, f64 if not raw else f64.tobytes(), raw=raw),
            helper.make_tensor(f"i64_{suffix}", TensorProto.INT64, i64.shape, i64.reshape(-1) if not raw else i64.tobytes(), raw=raw),
            helper.make_tensor(f"i32_{suffix}", TensorProto.INT32, i32.shape, i32 if not raw else i32.tobytes(), raw=raw),
            helper.make_tensor(f"f16_{suffix}", TensorProto.FLOAT16, f16.shape, f16 if not raw else f16.tobytes(), raw=raw),
        ]
    small = {
        TensorProto.INT8: np.array([-128, -1, 0, 127], dtype=np.int8),
        TensorProto.UINT8: np.array([0, 1, 200, 255], dtype=np.uint8),
        TensorProto.INT16: np.array([-32768, -2, 3, 32767], dtype=np.int16),
        TensorProto.UINT16: np.array([0, 1, 40000, 65535], dtype=np.uint16),
        TensorProto.UINT32: np.array([0, 1, 3_000_000_000, 4_294_967_295], dtype=np.uint32),
        TensorProto.BOOL: np.array([True, False, False, True]),
    }
    for dt, arr in small.items():
        name = TensorProto.DataType.Name(dt).lower()
        inits.append(numpy_helper.from_array(arr, f"{name}_raw"))
        inits.append(helper.make_tensor(f"{name}_typed", dt, arr.shape, arr, raw=False))
    bf16_bits = np.array([0x3FC0, 0xC000, 0x0000, 0x7F80], dtype=np.uint16)  # 1.5, -2, 0, inf
    inits.append(helper.make_tensor("bf16_raw", TensorProto.BFLOAT16, [4], bf16_bits.tobytes(), raw=True))
    inits.append(helper.make_tensor("bf16_typed", TensorProto.BFLOAT16, [4], [1.5, -2.0, 0.0, float("inf")], raw=False))
    inits.append(helper.make_tensor("f32_scalar", TensorProto.FLOAT, [], [3.25]))
    inits.append(helper.make_tensor("f32_empty", TensorProto.FLOAT, [0, 4], []))
    # Types the reader must refuse to materialize (but still load).
    inits.append(helper.make_tensor("str_tensor", TensorProto.STRING, [2], [b"a", b"bc"]))
    inits.append(helper.make_tensor("c64_tensor", TensorProto.COMPLEX64, [1], [complex(1, 2)]))
    return inits


def helper_model():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])
    # A dimension with neither dim_value nor dim_param.
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", None])
    z = helper.make_tensor_value_info("z", TensorProto.FLOAT, None)  # unknown rank
    w = numpy_helper.from_array(RNG.standard_normal((4, 3)).astype(np.float32), "W")
    b = helper.make_tensor("B", TensorProto.FLOAT, [4], RNG.standard_normal(4).astype(np.float32))

    then_g = helper.make_graph(
        [helper.make_node("Identity", ["h"], ["t_out"], name="then_id")], "then_branch", [],
        [helper.make_tensor_value_info("t_out", TensorProto.FLOAT, ["batch", 4])])
    else_g = helper.make_graph(
        [helper.make_node("Neg", ["h"], ["e_out"], name="else_neg")], "else_branch", [],
        [helper.make_tensor_value_info("e_out", TensorProto.FLOAT, ["batch", 4])])

    sparse = helper.make_sparse_tensor(
        helper.make_tensor("sv", TensorProto.FLOAT, [1], [5.0]),
        helper.make_tensor("si", TensorProto.INT64, [1], [2]), [4])
    custom_attrs = [
        helper.make_attribute("f", 0.2),
        helper.make_attribute("i", -7),
        helper.make_attribute("s", "héllo"),
        helper.make_attribute("fs", [0.5, -1.25, 1e-7]),
        helper.make_attribute("is", [1, -2, 2**40]),
        helper.make_attribute("ss", ["a", "", "ω"]),
        helper.make_attribute("t", helper.make_tensor("attr_t", TensorProto.INT64, [2], [3, -4])),
        helper.make_attribute("ts", [helper.make_tensor("attr_t0", TensorProto.DOUBLE, [1], [0.125])]),
        helper.make_attribute("gs", [then_g]),
        helper.make_attribute("sparse", sparse),  # SPARSE_TENSOR (11): kept as unknown
    ]
    nodes = [
        helper.make_node("Gemm", ["x", "W", "B"], ["g"], name="gemm0", alpha=1.0, beta=1.0, transB=1),
        helper.make_node("LeakyRelu", ["g"], ["h"], name="act0", alpha=0.2),
        helper.make_node("Constant", [], ["cond"], name="const0",
                         value=helper.make_tensor("cv", TensorProto.BOOL, [], [True])),
        helper.make_node("If", ["cond"], ["y"], name="if0", then_branch=then_g, else_branch=else_g),
        # Omitted optional input (""), kept by the reader.
        helper.make_node("Clip", ["h", "", "B"], ["z"], name="clip0"),
        helper.make_node("Custom", ["x"], ["c"], name="custom0", domain="com.example"),
    ]
    nodes[-1].attribute.extend(custom_attrs)
    graph = helper.make_graph(
        nodes, "helper_graph", [x], [y, z], initializer=[w, b] + typed_and_raw_initializers(),
        value_info=[helper.make_tensor_value_info("h", TensorProto.FLOAT, ["batch", 4])],
        doc_string="graph doc")
    model = helper.make_model(
        graph, producer_name="make_onnx_format_fixtures", producer_version="1.0",
        opset_imports=[helper.make_opsetid("", 20), helper.make_opsetid("com.example", 1)])
    model.ir_version = 9
    model.domain = "org.onnxgrad.test"
    model.model_version = 42
    model.doc_string = "model doc"
    helper.set_model_props(model, {"author": "fixtures", "purpose": "ONNXFormat tests"})
    return model


def mlp_graph(name="mlp"):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 2])
    inits = [
        numpy_helper.from_array(RNG.standard_normal((4, 3)).astype(np.float32), "W1"),
        numpy_helper.from_array(RNG.standard_normal(4).astype(np.float64), "B1d"),
        numpy_helper.from_array(RNG.standard_normal((2, 4)).astype(np.float32), "W2"),
        numpy_helper.from_array(np.array([1, 2, 3], dtype=np.int64), "shape_i64"),
        numpy_helper.from_array(np.array([1.5, -0.25], dtype=np.float16), "h16"),
    ]
    nodes = [
        helper.make_node("Gemm", ["x", "W1"], ["g"], transB=1),
        helper.make_node("LeakyRelu", ["g"], ["h"], alpha=0.2),
        helper.make_node("Gemm", ["h", "W2"], ["y"], transB=1),
    ]
    model = helper.make_model(helper.make_graph(nodes, name, [x], [y], initializer=inits),
                              opset_imports=[helper.make_opsetid("", 20)], producer_name="fixture")
    model.ir_version = 9
    return model


def mark_external(t, location, offset=None, length=None):
    t.ClearField("raw_data")
    t.data_location = TensorProto.EXTERNAL
    del t.external_data[:]
    for k, v in (("location", location), ("offset", offset), ("length", length)):
        if v is not None:
            e = t.external_data.add()
            e.key, e.value = k, str(v)


def write(name, model_or_bytes):
    path = os.path.join(OUT, name)
    with open(path, "wb") as f:
        f.write(model_or_bytes if isinstance(model_or_bytes, bytes) else model_or_bytes.SerializeToString())
    return path


def main():
    use_torch = "--no-torch" not in sys.argv
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    os.makedirs(OUT)
    expected = {
        "models": {},
        "versions": {"onnx": onnx.__version__, "numpy": np.__version__},
        "data_types": {str(v): k for k, v in TensorProto.DataType.items()},
        "attribute_types": {str(v): k for k, v in onnx.AttributeProto.AttributeType.items()},
    }

    # 1. Inline initializers in every storage form, attributes of every kind, symbolic shapes.
    m = helper_model()
    expected["models"]["helper.onnx"] = model_facts(write("helper.onnx", m))

    # 2. All initializers external in one file, at increasing offsets (onnx's own writer).
    m = mlp_graph("external_graph")
    onnx.save_model(m, os.path.join(OUT, "external.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="external.onnx.data", size_threshold=0)
    expected["models"]["external.onnx"] = model_facts(os.path.join(OUT, "external.onnx"))

    # 3. External data in a subfolder, without an explicit length (read to the tensor's size).
    os.makedirs(os.path.join(OUT, "weights"))
    m = mlp_graph("subdir_graph")
    blob = b"PAD!" * 3
    for t in m.graph.initializer:
        raw = numpy_helper.to_array(t).tobytes()
        mark_external(t, "weights/../weights/./subdir.bin", offset=len(blob))
        blob += raw
        break  # only W1 external; the rest stay inline
    with open(os.path.join(OUT, "weights", "subdir.bin"), "wb") as f:
        f.write(blob)
    expected["models"]["subdir.onnx"] = model_facts(write("subdir.onnx", m))

    # 4. Error fixtures.
    m = mlp_graph("outside_graph")
    mark_external(m.graph.initializer[0], "../outside.bin", offset=0, length=48)
    write("outside.onnx", m)

    m = mlp_graph("truncated_graph")
    w1 = numpy_helper.to_array(m.graph.initializer[0]).tobytes()  # 48 bytes
    mark_external(m.graph.initializer[0], "truncated.bin", offset=16, length=len(w1))
    with open(os.path.join(OUT, "truncated.bin"), "wb") as f:
        f.write(b"\0" * 16 + w1[:40])  # 8 bytes short
    write("truncated.onnx", m)

    m = mlp_graph("badlength_graph")
    mark_external(m.graph.initializer[0], "truncated.bin", offset=0, length=44)  # dims need 48
    write("badlength.onnx", m)

    m = mlp_graph("missing_graph")
    mark_external(m.graph.initializer[0], "does_not_exist.bin", offset=0, length=48)
    write("missing.onnx", m)

    m = mlp_graph("count_graph")
    m.graph.initializer[2].raw_data = m.graph.initializer[2].raw_data[:-4]  # W2: 7 of 8 floats
    write("badcount.onnx", m)

    write("garbage.onnx", b"\xff\xff\xff\xff this is not a protobuf \x07\x0f" + bytes(range(200, 256)))
    write("empty.onnx", b"")
    nograph = onnx.ModelProto(ir_version=9, producer_name="no graph")
    write("nograph.onnx", nograph)

    # 5. Real exporter output: a tiny Linear + LeakyReLU MLP from both torch exporters.
    if use_torch:
        expected["versions"].update(torch_fixtures(expected["models"]))

    # 6. Every readable model in protobuf's JSON mapping, as json_format writes it: lowerCamelCase
    #    keys (<stem>.json) and proto field names (<stem>.snake.json). Decoding either must give
    #    the same model as the protobuf file.
    expected["json_forms"] = {}
    for name in sorted(expected["models"]):
        model = onnx.load(os.path.join(OUT, name), load_external_data=False)
        stem = name[: -len(".onnx")]
        for suffix, keep in ((".json", False), (".snake.json", True)):
            with open(os.path.join(OUT, stem + suffix), "w") as f:
                f.write(json_format.MessageToJson(model, preserving_proto_field_name=keep))
            expected["json_forms"][stem + suffix] = name
    write("syntax_error.json", b'{\n  "irVersion": "9",\n  "graph": {\n    "node" []\n  }\n}\n')
    write("wrong_type.json", b'{"irVersion": "9", "graph": {"node": [{"opType": "Relu", "attribute": [{"name": "alpha", "type": "INT", "i": "x"}]}]}}')

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(d, n)) for d, _, ns in os.walk(OUT) for n in ns)
    print(f"wrote {OUT} ({total} bytes)")


def torch_fixtures(models):
    import warnings

    import torch

    torch.manual_seed(0)

    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(3, 16)  # 192-byte weight: inline under dynamo
            self.act = torch.nn.LeakyReLU(0.2)
            self.fc2 = torch.nn.Linear(16, 8)  # 512-byte weight: external under dynamo

        def forward(self, x):
            return self.fc2(self.act(self.fc1(x)))

    net = MLP().eval()
    x = torch.randn(5, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        legacy = os.path.join(OUT, "torch_legacy.onnx")
        torch.onnx.export(net, (x,), legacy, dynamo=False, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "batch"}, "y": {0: "batch"}})
        models["torch_legacy.onnx"] = model_facts(legacy)

        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "torch_dynamo.onnx")
            torch.onnx.export(net, (x,), path, dynamo=True, input_names=["x"], output_names=["y"],
                              dynamic_shapes={"x": {0: torch.export.Dim("batch")}})
            for name in os.listdir(tmp):
                shutil.copy(os.path.join(tmp, name), os.path.join(OUT, name))
        dynamo = os.path.join(OUT, "torch_dynamo.onnx")
        models["torch_dynamo.onnx"] = model_facts(dynamo)
    return {"torch": torch.__version__}


if __name__ == "__main__":
    main()
