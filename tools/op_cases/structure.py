"""Cases for the structural and shape ops: every opset form, negative axes and indices, and the
shape-arithmetic chains PyTorch's exporters emit (torch 2.15) as `before` nodes."""

from dataclasses import dataclass

import numpy as np
from onnx import TensorProto, helper

from op_cases import ELEM, Const, In, OpCase, Ref

I64_MAX = np.iinfo(np.int64).max
I64_MIN = np.iinfo(np.int64).min


def i64(*values):
    """An int64 vector."""
    return np.array(values, dtype=np.int64)


def scalar(value):
    """An int64 scalar."""
    return np.array(value, dtype=np.int64)


def fill(value, elem=TensorProto.DOUBLE):
    """A one-element `value` attribute for ConstantOfShape."""
    return helper.make_tensor("value", elem, [1], [value])


@dataclass
class DeclaredOutput(OpCase):
    """A case whose output type ONNX's shape inference cannot tell (Concat-1 and Reshape-1 have
    no inference function): `output_dims` declares it ("B" is the batch)."""
    output_dims: tuple = ()

    def build(self, rng):
        model, feeds = super().build(rng)
        for out in model.graph.output:
            if not out.type.HasField("tensor_type"):
                dims = ["batch" if d == "B" else d for d in self.output_dims]
                out.type.CopyFrom(helper.make_tensor_type_proto(ELEM[self.dtype], dims))
        return model, feeds


CASES = [
    # Concat
    OpCase("concat_axis1", "Concat", 13, [In("a", ("B", 2)), In("b", ("B", 3))], {"axis": 1}),
    OpCase("concat_negative_axis_const", "Concat", 11,
           [In("a", ("B", 2, 3)), Const("c", np.linspace(-1, 1, 10).reshape(5, 2, 1)), In("b", ("B", 2, 2))],
           {"axis": -1}, description="three inputs, one constant (its tangent is materialised as zeros)"),
    OpCase("concat_opset4_axis0", "Concat", 4, [In("a", ("B", 3)), In("b", (2, 3))], {"axis": 0},
           rows_independent=False),

    # Slice
    OpCase("slice_opset1_attributes", "Slice", 1, [In("x", ("B", 5))],
           {"starts": [1], "ends": [4], "axes": [1]}),
    OpCase("slice_opset9_default_axes", "Slice", 9, [In("x", ("B", 5))],
           {"starts": [0, -3], "ends": [int(I64_MAX), -1]}, description="axes omitted: 0 and 1; axis 0 whole"),
    OpCase("slice_opset10_inputs", "Slice", 10,
           [In("x", ("B", 6)), Const("starts", i64(1)), Const("ends", i64(5)), Const("axes", i64(1))]),
    OpCase("slice_opset11_steps", "Slice", 11,
           [In("x", ("B", 7)), Const("starts", i64(1)), Const("ends", i64(I64_MAX)), Const("axes", i64(-1)),
            Const("steps", i64(2))], description="INT64_MAX end, step 2, negative axis"),
    OpCase("slice_opset13_negative_step", "Slice", 13,
           [In("x", ("B", 6)), Const("starts", i64(-1)), Const("ends", i64(I64_MIN)), Const("axes", i64(1)),
            Const("steps", i64(-2))]),
    OpCase("slice_reverse_clamped", "Slice", 13,
           [In("x", ("B", 3, 4)), Const("starts", i64(10, 2)), Const("ends", i64(-10, 0)), Const("axes", i64(-1, 1)),
            Const("steps", i64(-1, -1))], description="starts past the end and ends before the start, clamped"),
    OpCase("slice_axis0", "Slice", 13,
           [In("x", ("B", 3)), Const("starts", i64(1)), Const("ends", i64(3)), Const("axes", i64(0))],
           rows_independent=False),
    OpCase("chunk_legacy", "Concat", 20,
           [Ref("first"), Ref("second"), In("x", ("B", 5))], {"axis": 1},
           before=[
               ("Shape", ["x"], ["shape"], {}),
               ("Constant", [], ["one"], {"value": helper.make_tensor("one", TensorProto.INT64, [1], [1])}),
               ("Gather", ["shape", "one"], ["size"], {"axis": 0}),
               ("Add", ["size", "one"], ["sum"], {}),
               ("Constant", [], ["two"], {"value": helper.make_tensor("two", TensorProto.INT64, [1], [2])}),
               ("Div", ["sum", "two"], ["chunk"], {}),
               ("Mul", ["chunk", "one"], ["end0"], {}),
               ("Constant", [], ["zero"], {"value": helper.make_tensor("zero", TensorProto.INT64, [1], [0])}),
               ("Slice", ["x", "zero", "end0", "one"], ["first"], {}),
               ("Mul", ["chunk", "two"], ["end1"], {}),
               ("Slice", ["x", "end0", "end1", "one"], ["second"], {}),
           ],
           description="legacy torch.chunk(x, 2, dim=1): Shape → Gather → Add/Div/Mul → Slice, batch symbolic"),

    # Gather
    OpCase("gather_scalar_negative", "Gather", 13, [In("x", ("B", 4)), Const("i", scalar(-1))], {"axis": 1},
           description="x[:, -1]"),
    OpCase("gather_vector_repeated", "Gather", 11, [In("x", ("B", 4)), Const("i", i64(2, 0, 2, -4))], {"axis": -1}),
    OpCase("gather_opset1_axis0_matrix", "Gather", 1,
           [In("x", (4, 3)), Const("i", np.array([[0, 3], [3, 1]], dtype=np.int64))], rows_independent=False),
    OpCase("gather_axis0_of_batch", "Gather", 13, [In("x", ("B", 3)), Const("i", i64(4, 0))], {"axis": 0},
           rows_independent=False),

    # Reshape and the legacy x.view(x.size(0), -1) chain
    DeclaredOutput("reshape_opset1_attribute", "Reshape", 1, [In("x", ("B", 2, 3))], {"shape": [0, 3, -1]},
                   output_dims=("B", 3, 2)),
    OpCase("reshape_opset5_zero_minus1", "Reshape", 5, [In("x", ("B", 2, 3)), Const("s", i64(0, -1))]),
    OpCase("reshape_opset13_split_axis", "Reshape", 13, [In("x", ("B", 4)), Const("s", i64(-1, 2, 2))],
           description="−1 infers the batch from known trailing sizes"),
    OpCase("reshape_opset14_allowzero", "Reshape", 14, [In("x", ("B", 4)), Const("s", i64(-1, 4))], {"allowzero": 1}),
    OpCase("reshape_opset21_merge_batch", "Reshape", 21, [In("x", ("B", 2)), Const("s", i64(-1))],
           rows_independent=False),
    OpCase("view_legacy", "Reshape", 20, [In("x", ("B", 2, 3)), Ref("target")],
           before=[
               ("Shape", ["x"], ["shape"], {}),
               ("Constant", [], ["zero"], {"value": helper.make_tensor("zero", TensorProto.INT64, [], [0])}),
               ("Gather", ["shape", "zero"], ["batch"], {"axis": 0}),
               ("Constant", [], ["axes"], {"value": helper.make_tensor("axes", TensorProto.INT64, [1], [0])}),
               ("Unsqueeze", ["batch", "axes"], ["batch1"], {}),
               ("Constant", [], ["minus1"], {"value": helper.make_tensor("minus1", TensorProto.INT64, [1], [-1])}),
               ("Concat", ["batch1", "minus1"], ["target"], {"axis": 0}),
           ],
           description="legacy x.view(x.size(0), -1): Shape → Gather → Unsqueeze → Concat → Reshape"),
    OpCase("identity_int64_shape", "Reshape", 16, [In("x", ("B", 6)), Ref("kept")],
           before=[
               ("Shape", ["x"], ["shape"], {}),
               ("Identity", ["shape"], ["same"], {}),
               ("Constant", [], ["tail"], {"value": helper.make_tensor("tail", TensorProto.INT64, [2], [2, 3])}),
               ("Constant", [], ["start"], {"value": helper.make_tensor("start", TensorProto.INT64, [1], [0])}),
               ("Constant", [], ["end"], {"value": helper.make_tensor("end", TensorProto.INT64, [1], [1])}),
               ("Slice", ["same", "start", "end"], ["batch"], {}),
               ("Concat", ["batch", "tail"], ["kept"], {"axis": 0}),
           ],
           description="Identity keeps an int64 shape value; Slice of a shape vector"),

    # Expand
    OpCase("expand_opset8", "Expand", 8, [In("x", ("B", 1)), Const("s", i64(1, 4))]),
    OpCase("expand_opset13_rank_up", "Expand", 13, [In("x", (3, 1)), Const("s", i64(2, 3, 4))],
           rows_independent=False, description="the shape is longer than the input: leading axes are added"),
    OpCase("ones_like_dynamo", "Add", 20, [In("x", ("B", 3)), Ref("ones")],
           before=[("Shape", ["x"], ["shape"], {"start": 0}),
                   ("Constant", [], ["one"], {"value": helper.make_tensor("one", TensorProto.DOUBLE, [], [1.0])}),
                   ("Expand", ["one", "shape"], ["ones"], {})],
           description="dynamo ones_like: Shape → Expand of a scalar"),
    OpCase("expand_to_shape_of_batch", "Mul", 13, [In("x", ("B", 3)), Ref("rows")],
           before=[("Shape", ["x"], ["shape"], {}),
                   ("Constant", [], ["v"],
                    {"value": helper.make_tensor("v", TensorProto.DOUBLE, [1, 3], [0.5, -1, 2])}),
                   ("Expand", ["v", "shape"], ["rows"], {})]),

    # Transpose
    OpCase("transpose_opset1_default_perm", "Transpose", 1, [In("x", ("B", 3))], rows_independent=False),
    OpCase("transpose_opset13_keep_batch", "Transpose", 13, [In("x", ("B", 2, 3))], {"perm": [0, 2, 1]}),
    OpCase("transpose_opset21_move_batch", "Transpose", 21, [In("x", ("B", 2, 3))], {"perm": [1, 0, 2]},
           rows_independent=False),

    # Shape
    OpCase("shape_opset1", "Shape", 1, [In("x", ("B", 3))]),
    OpCase("shape_opset15_start_end", "Shape", 15, [In("x", ("B", 2, 3, 4))], {"start": 1, "end": -1}),
    OpCase("shape_opset19_negative_start", "Shape", 19, [In("x", ("B", 2, 3))], {"start": -1}),
    OpCase("shape_opset21_clamped", "Shape", 21, [In("x", ("B", 2))], {"start": -10, "end": 10}),

    # ConstantOfShape
    OpCase("constantofshape_opset9_default", "ConstantOfShape", 9, [Const("s", i64(2, 3))],
           description="value defaults to float32 0"),
    OpCase("ones_like_legacy", "Add", 20, [In("x", ("B", 3)), Ref("ones")],
           before=[("Shape", ["x"], ["shape"], {}), ("ConstantOfShape", ["shape"], ["ones"], {"value": fill(1.0)})],
           description="legacy ones_like: Shape → ConstantOfShape"),
    OpCase("ones_like_legacy_f32", "Add", 20, [In("x", ("B", 3)), Ref("ones")], dtype="float32",
           before=[("Shape", ["x"], ["shape"], {}),
                   ("ConstantOfShape", ["shape"], ["ones"], {"value": fill(1.0, TensorProto.FLOAT)})],
           description="a float32 fill, which must follow the model into float64"),
    OpCase("zeros_legacy", "Concat", 20, [In("x", ("B", 2)), Ref("zeros")], {"axis": 1},
           before=[
               ("Shape", ["x"], ["shape"], {}),
               ("Constant", [], ["zero"], {"value": helper.make_tensor("zero", TensorProto.INT64, [], [0])}),
               ("Gather", ["shape", "zero"], ["batch"], {"axis": 0}),
               ("Constant", [], ["axes"], {"value": helper.make_tensor("axes", TensorProto.INT64, [1], [0])}),
               ("Unsqueeze", ["batch", "axes"], ["batch1"], {}),
               ("Constant", [], ["four"], {"value": helper.make_tensor("four", TensorProto.INT64, [1], [4])}),
               ("Concat", ["batch1", "four"], ["target"], {"axis": 0}),
               ("ConstantOfShape", ["target"], ["zeros"], {"value": fill(0.0)}),
           ],
           description="legacy torch.zeros(x.shape[0], 4): "
                       "Shape → Gather → Unsqueeze → Concat → ConstantOfShape"),
    OpCase("constantofshape_opset21_int64", "ConstantOfShape", 21, [Const("s", i64(3))],
           {"value": fill(7, TensorProto.INT64)}),

    # Range
    OpCase("range_float", "Range", 11, [Const("start", np.array(1.0)), Const("limit", np.array(4.0)),
                                        Const("delta", np.array(0.5))]),
    OpCase("range_int64_negative_delta", "Range", 11,
           [Const("start", scalar(10)), Const("limit", scalar(4)), Const("delta", scalar(-2))]),
    OpCase("range_of_size_gather", "Gather", 13, [In("x", ("B", 4)), Ref("order")], {"axis": 1},
           before=[
               ("Shape", ["x"], ["shape"], {}),
               ("Constant", [], ["one"], {"value": helper.make_tensor("one", TensorProto.INT64, [], [1])}),
               ("Gather", ["shape", "one"], ["size"], {"axis": 0}),
               ("Constant", [], ["minus1"], {"value": helper.make_tensor("minus1", TensorProto.INT64, [], [-1])}),
               ("Sub", ["minus1", "size"], ["stop"], {}),
               ("Range", ["minus1", "stop", "minus1"], ["order"], {}),
           ],
           description="int64 Range(−1, −1 − size, −1) with the size read by Shape: columns reversed through "
                       "negative indices (ONNX Runtime 1.32's optimiser gets a Range whose start is computed "
                       "wrong, so the start here is a constant)"),

    # Squeeze / Unsqueeze
    OpCase("unsqueeze_opset1", "Unsqueeze", 1, [In("x", ("B", 3))], {"axes": [1]}),
    OpCase("unsqueeze_opset11_negative", "Unsqueeze", 11, [In("x", ("B", 3))], {"axes": [-1, 1]}),
    OpCase("unsqueeze_opset13_input", "Unsqueeze", 13, [In("x", ("B", 3)), Const("axes", i64(3, 1))]),
    OpCase("unsqueeze_opset21_front", "Unsqueeze", 21, [In("x", ("B", 3)), Const("axes", i64(0))],
           rows_independent=False),
    OpCase("squeeze_opset1", "Squeeze", 1, [In("x", ("B", 1, 3))], {"axes": [1]}),
    OpCase("squeeze_opset11_negative", "Squeeze", 11, [In("x", ("B", 3, 1))], {"axes": [-1]}),
    OpCase("squeeze_opset13_all", "Squeeze", 13, [In("x", (2, 1, 3, 1))], description="no axes: every size-1 axis"),
    OpCase("squeeze_opset21_input", "Squeeze", 21, [In("x", ("B", 1, 3, 1)), Const("axes", i64(-1, 1))]),

    # Flatten
    OpCase("flatten_opset1_default", "Flatten", 1, [In("x", ("B", 2, 3))]),
    OpCase("flatten_opset9_axis0", "Flatten", 9, [In("x", ("B", 2, 3))], {"axis": 0}, rows_independent=False),
    OpCase("flatten_opset11_negative", "Flatten", 11, [In("x", ("B", 2, 3))], {"axis": -1}, rows_independent=False),
    OpCase("flatten_opset13_axis3", "Flatten", 13, [In("x", ("B", 2, 3))], {"axis": 3}, rows_independent=False),
    OpCase("flatten_opset21_computed", "Flatten", 21, [In("x", ("B", 3, "B"))], {"axis": 2}, rows_independent=False,
           description="symbolic sizes on both sides: the shape is computed with Shape → Gather → Mul"),

    # Split
    OpCase("split_opset2_attribute", "Split", 2, [In("x", ("B", 4))], {"axis": 1, "split": [1, 3]},
           outputs=["y0", "y1"]),
    OpCase("split_opset11_equal_negative", "Split", 11, [In("x", ("B", 6))], {"axis": -1},
           outputs=["y0", "y1", "y2"]),
    OpCase("split_opset13_input", "Split", 13, [In("x", ("B", 4)), Const("split", i64(2, 1, 1))], {"axis": 1},
           outputs=["y0", "y1", "y2"], description="legacy torch.split with sizes"),
    OpCase("split_opset18_num_outputs", "Split", 18, [In("x", ("B", 5))], {"axis": 1, "num_outputs": 3},
           outputs=["y0", "y1", "y2"], description="dynamo chunk: parts of ⌈5/3⌉, the last smaller"),
    OpCase("split_opset18_batch_axis", "Split", 18, [In("x", ("B", 2))], {"axis": 0, "num_outputs": 2},
           outputs=["y0", "y1"], rows_independent=False, description="a symbolic size split with Shape arithmetic"),
]
