"""Cases for the ai.onnx.ml ops that exporters of other frameworks emit (skl2onnx)."""

import numpy as np

from op_cases import Const, In, OpCase, Ref

CASES = [
    OpCase("array_feature_extractor_float", "ArrayFeatureExtractor", 17,
           [In("x", ("B", 4)), Const("indices", np.array([3, 0, 3], dtype=np.int64))],
           domain="ai.onnx.ml", declared_outputs={"y": ("float64", ("B", 3))},
           description="entries of the last axis at constant indices (repeated)"),
    OpCase("array_feature_extractor_labels", "ArrayFeatureExtractor", 17,
           [Const("classes", np.array([10, 20, 30], dtype=np.int64)), Ref("argmax")],
           before=[("ArgMax", ["x"], ["argmax"], {"axis": 1})], domain="ai.onnx.ml", outputs=["label"],
           graph_inputs=[In("x", ("B", 3), differentiable=False)], declared_outputs={"label": ("int64", ("n", "m"))},
           rows_independent=False,
           description="skl2onnx's class labels: classes[argmax(x)], indices computed at run time; a 1-D X gives [1, B], so the batch is not on axis 0"),
]
