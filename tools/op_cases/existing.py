"""Cases for the ops onnxgrad supported before the per-op fixtures existed."""

import numpy as np

from onnx import helper

from op_cases import Const, In, OpCase, Ref, away_from

rng = np.random.default_rng(7)

CASES = [
    OpCase("gemm_transB", "Gemm", 20, [In("x", ("B", 3)), Const("w", rng.normal(size=(4, 3))), Const("b", rng.normal(size=(4,)))],
           {"transB": 1}, description="nn.Linear on 2-D input"),
    OpCase("gemm_alpha_beta_transA", "Gemm", 11, [In("x", (3, "B")), In("w", (3, 2)), In("c", (1, 2))],
           {"alpha": 0.5, "beta": 2.0, "transA": 1}, rows_independent=False),
    OpCase("matmul_3d", "MatMul", 13, [In("x", ("B", 2, 3)), Const("w", rng.normal(size=(3, 4)))]),
    OpCase("add_broadcast", "Add", 14, [In("a", ("B", 3)), In("b", (3,))]),
    OpCase("sub_broadcast", "Sub", 14, [In("a", ("B", 3)), In("b", ("B", 1))]),
    OpCase("mul_broadcast", "Mul", 14, [In("a", ("B", 1, 3)), In("b", (2, 1))], rows_independent=True),
    OpCase("div_broadcast", "Div", 14, [In("a", ("B", 3)), In("b", ("B", 3), avoid=away_from(0, margin=0.3))]),
    OpCase("neg", "Neg", 13, [In("x", ("B", 3))]),
    OpCase("relu", "Relu", 14, [In("x", ("B", 4), avoid=away_from(0))]),
    OpCase("leakyrelu", "LeakyRelu", 16, [In("x", ("B", 4), avoid=away_from(0))], {"alpha": 0.2}),
    OpCase("tanh", "Tanh", 13, [In("x", ("B", 4))]),
    OpCase("sigmoid", "Sigmoid", 13, [In("x", ("B", 4), low=-6, high=6)]),
    OpCase("exp", "Exp", 13, [In("x", ("B", 4))]),
    OpCase("log", "Log", 13, [In("x", ("B", 4), low=0.2, high=3)]),
    OpCase("identity", "Identity", 16, [In("x", ("B", 4))]),
    OpCase("dropout_inference", "Dropout", 13, [In("x", ("B", 4)), Const("ratio", np.array(0.5), keep_dtype=False)]),
    OpCase("constant", "Add", 13, [In("x", ("B", 2)), Ref("c")],
           before=[("Constant", [], ["c"], {"value": helper.make_tensor("c", 11, [2], [0.5, -1.5])})],
           description="a Constant node (value attribute) feeding Add"),
]
