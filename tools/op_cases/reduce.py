"""Cases for reductions, softmax, normalisation, ArgMax/ArgMin and MatMul with 1-D operands.

Reductions are checked at every opset form: the `axes` attribute (before opset 13 for ReduceSum,
18 for the others) and the `axes` input after, `keepdims` 0/1, `noop_with_empty_axes`, negative
axes, several axes, and axis 0 (which mixes rows: rows_independent=False). Samples are
continuous, so maxima and minima have no ties; ArgMax/ArgMin use fixed values with ties.
"""

import numpy as np

from onnx import helper

from op_cases import Const, In, OpCase, Ref, away_from

rng = np.random.default_rng(11)


def axes(*values):
    return Const("axes", np.array(values, dtype=np.int64))


X3 = ("B", 3, 4)
MAX_TIES = np.array([[1, 3, 3, 0], [2, 2, 1, 2], [0, -1, 4, 4]])
MIN_TIES = np.array([[1, 0, 3, 0], [2, 2, 1, 1], [0, 0, 4, 4]])

CASES = [
    # ReduceSum: attribute form (1–12), input form (13+).
    OpCase("reducesum_opset1_axes_keep", "ReduceSum", 1, [In("x", X3)], {"axes": [1]}),
    OpCase("reducesum_opset11_negative_nokeep", "ReduceSum", 11, [In("x", X3)], {"axes": [-1], "keepdims": 0}),
    OpCase("reducesum_opset11_all_axes", "ReduceSum", 11, [In("x", X3)], {"keepdims": 0}, rows_independent=False),
    OpCase("reducesum_opset13_axes_input", "ReduceSum", 13, [In("x", X3), axes(-1, 1)], {"keepdims": 1}),
    OpCase("reducesum_opset13_no_axes", "ReduceSum", 13, [In("x", X3)], {"keepdims": 0}, rows_independent=False),
    OpCase("reducesum_opset13_noop", "ReduceSum", 13, [In("x", X3)], {"noop_with_empty_axes": 1}),
    OpCase("reducesum_opset13_noop_empty_axes", "ReduceSum", 13, [In("x", X3), axes()], {"noop_with_empty_axes": 1}),
    OpCase("reducesum_opset13_empty_axes_all", "ReduceSum", 13, [In("x", X3), axes()], {"keepdims": 1},
           rows_independent=False),
    OpCase("reducesum_axis0", "ReduceSum", 13, [In("x", X3), axes(0)], {"keepdims": 0}, rows_independent=False),
    OpCase("reducesum_axes_0_2", "ReduceSum", 13, [In("x", X3), axes(0, 2)], {"keepdims": 1}, rows_independent=False),
    OpCase("reducesum_int64", "ReduceSum", 13, [In("x", (3, 4), dtype="int64", low=-5, high=5, differentiable=False),
                                                axes(1)], {"keepdims": 0}),
    # ReduceMean: attribute form (1–17), input form (18+); x − x.mean(0) as PyTorch exports it.
    OpCase("reducemean_opset11_nokeep", "ReduceMean", 11, [In("x", X3)], {"axes": [-2], "keepdims": 0}),
    OpCase("reducemean_opset13_several", "ReduceMean", 13, [In("x", ("B", 2, 3, 4))], {"axes": [1, 3]}),
    OpCase("reducemean_opset18_axes_input", "ReduceMean", 18, [In("x", X3), axes(-1)], {"keepdims": 0}),
    OpCase("reducemean_opset18_noop", "ReduceMean", 18, [In("x", X3)], {"noop_with_empty_axes": 1}),
    OpCase("reducemean_opset18_all", "ReduceMean", 18, [In("x", X3)], {"keepdims": 1}, rows_independent=False),
    OpCase("reducemean_center_batch", "Sub", 18, [In("x", ("B", 3)), Ref("m")],
           before=[("Constant", [], ["axes0"], {"value": helper.make_tensor("axes0", 7, [1], [0])}),
                   ("ReduceMean", ["x", "axes0"], ["m"], {"keepdims": 1})],
           rows_independent=False, description="x - x.mean(dim=0, keepdim=True): mixes rows"),
    # ReduceMax / ReduceMin: attribute form (1–17), input form (18, 20).
    OpCase("reducemax_opset11_keep", "ReduceMax", 11, [In("x", X3)], {"axes": [1]}),
    OpCase("reducemax_opset13_all", "ReduceMax", 13, [In("x", X3)], {"keepdims": 0}, rows_independent=False),
    OpCase("reducemax_opset18_axes_input", "ReduceMax", 18, [In("x", X3), axes(-1, -2)], {"keepdims": 0}),
    OpCase("reducemax_opset20_axis0", "ReduceMax", 20, [In("x", X3), axes(0)], {"keepdims": 1},
           rows_independent=False),
    OpCase("reducemax_opset18_noop", "ReduceMax", 18, [In("x", X3)], {"noop_with_empty_axes": 1}),
    OpCase("reducemax_int64", "ReduceMax", 18, [In("x", (3, 4), dtype="int64", low=-9, high=9, differentiable=False),
                                                axes(0)], {"keepdims": 0}),
    OpCase("reducemin_opset11_nokeep", "ReduceMin", 11, [In("x", X3)], {"axes": [-1], "keepdims": 0}),
    OpCase("reducemin_opset18_axes_input", "ReduceMin", 18, [In("x", X3), axes(1)], {"keepdims": 1}),
    OpCase("reducemin_opset20_several", "ReduceMin", 20, [In("x", ("B", 2, 3, 4)), axes(1, 3)], {"keepdims": 0}),
    # ReduceL2, ReduceSumSquare, ReduceLogSumExp.
    OpCase("reducel2_opset11", "ReduceL2", 11, [In("x", X3)], {"axes": [-1], "keepdims": 0}),
    OpCase("reducel2_opset13_several", "ReduceL2", 13, [In("x", X3)], {"axes": [1, 2]}),
    OpCase("reducel2_opset18_axes_input", "ReduceL2", 18, [In("x", X3), axes(1)], {"keepdims": 0}),
    OpCase("reducel2_opset18_noop_abs", "ReduceL2", 18, [In("x", X3, avoid=away_from(0))],
           {"noop_with_empty_axes": 1}, description="reducing nothing gives |x|"),
    OpCase("reducesumsquare_opset11", "ReduceSumSquare", 11, [In("x", X3)], {"axes": [-1]}),
    OpCase("reducesumsquare_opset18_nokeep", "ReduceSumSquare", 18, [In("x", X3), axes(1, 2)], {"keepdims": 0}),
    OpCase("reducesumsquare_opset18_noop", "ReduceSumSquare", 18, [In("x", X3)], {"noop_with_empty_axes": 1}),
    OpCase("reducelogsumexp_opset11", "ReduceLogSumExp", 11, [In("x", X3)], {"axes": [-1]}),
    OpCase("reducelogsumexp_opset13_nokeep", "ReduceLogSumExp", 13, [In("x", ("B", 2, 3, 4))],
           {"axes": [1, 3], "keepdims": 0}),
    OpCase("reducelogsumexp_opset18_axes_input", "ReduceLogSumExp", 18, [In("x", X3), axes(-2)], {"keepdims": 0}),
    OpCase("reducelogsumexp_opset18_all", "ReduceLogSumExp", 18, [In("x", X3)], {"keepdims": 0},
           rows_independent=False),
    # Softmax / LogSoftmax: opsets 1–12 flatten axis… to the end; 13+ normalise one axis.
    OpCase("softmax_opset11_axis1_rank3", "Softmax", 11, [In("x", X3)], {"axis": 1},
           description="old semantics: normalised over axes 1 and 2 together"),
    OpCase("softmax_opset11_default_axis", "Softmax", 11, [In("x", ("B", 2, 3))]),
    OpCase("softmax_opset1_negative_axis", "Softmax", 1, [In("x", X3)], {"axis": -1}),
    OpCase("softmax_opset13_middle_axis", "Softmax", 13, [In("x", X3)], {"axis": 1}),
    OpCase("softmax_opset13_default", "Softmax", 13, [In("x", X3, low=-6, high=6)]),
    OpCase("softmax_opset13_axis0", "Softmax", 13, [In("x", ("B", 3))], {"axis": 0}, rows_independent=False),
    OpCase("softmax_opset11_axis0", "Softmax", 11, [In("x", ("B", 3))], {"axis": 0}, rows_independent=False),
    OpCase("logsoftmax_opset11_axis1_rank3", "LogSoftmax", 11, [In("x", X3)], {"axis": 1}),
    OpCase("logsoftmax_opset13_middle_axis", "LogSoftmax", 13, [In("x", X3)], {"axis": -2}),
    OpCase("logsoftmax_opset13_default", "LogSoftmax", 13, [In("x", ("B", 5), low=-6, high=6)]),
    # ArgMax / ArgMin: ties in fixed values.
    OpCase("argmax_opset11_keep", "ArgMax", 11, [In("x", (3, 4), differentiable=False,
                                                     values=MAX_TIES)],
           {"axis": 1}),
    OpCase("argmax_opset12_select_last", "ArgMax", 12, [In("x", (3, 4), differentiable=False,
                                                            values=MAX_TIES)],
           {"axis": -1, "keepdims": 0, "select_last_index": 1}),
    OpCase("argmax_opset13_axis0", "ArgMax", 13, [In("x", X3, differentiable=False)], {"keepdims": 0},
           rows_independent=False),
    OpCase("argmax_int64", "ArgMax", 13, [In("x", (3, 4), dtype="int64", low=0, high=2, differentiable=False)],
           {"axis": 1, "select_last_index": 1}),
    OpCase("argmin_opset13_select_last", "ArgMin", 13, [In("x", (3, 4), differentiable=False,
                                                             values=MIN_TIES)],
           {"axis": 1, "keepdims": 0, "select_last_index": 1}),
    OpCase("argmin_opset1_first", "ArgMin", 1, [In("x", (3, 4), differentiable=False,
                                                    values=MIN_TIES)],
           {"axis": 1}),
    # LayerNormalization (opset 17).
    OpCase("layernorm_last_axis", "LayerNormalization", 17,
           [In("x", ("B", 3, 8)), Const("scale", rng.normal(size=(8,))), Const("bias", rng.normal(size=(8,)))]),
    OpCase("layernorm_axis_minus2_scale_only", "LayerNormalization", 17,
           [In("x", ("B", 3, 4)), Const("scale", rng.normal(size=(3, 4)))], {"axis": -2, "epsilon": 1e-3}),
    OpCase("layernorm_scale_bias_inputs", "LayerNormalization", 20,
           [In("x", ("B", 6)), In("scale", (6,)), In("bias", (6,))]),
    OpCase("layernorm_broadcast_scale", "LayerNormalization", 17,
           [In("x", ("B", 3, 4)), In("scale", (3, 1)), In("bias", (4,))], description="scale broadcast over features"),
    OpCase("layernorm_mean_invstd_outputs", "LayerNormalization", 17,
           [In("x", ("B", 2, 5)), Const("scale", rng.normal(size=(5,)))], {"axis": 1},
           outputs=["y", "mean", "inv_std_dev"], dtype="float32"),
    # BatchNormalization: inference folds the statistics; training uses the batch's.
    OpCase("batchnorm_opset9_rank2", "BatchNormalization", 9,
           [In("x", ("B", 3)), Const("scale", rng.normal(size=(3,))), Const("b", rng.normal(size=(3,))),
            Const("mean", rng.normal(size=(3,))), Const("var", rng.uniform(0.5, 2, size=(3,)))]),
    OpCase("batchnorm_opset15_rank3", "BatchNormalization", 15,
           [In("x", ("B", 3, 4)), Const("scale", rng.normal(size=(3,))), Const("b", rng.normal(size=(3,))),
            Const("mean", rng.normal(size=(3,))), Const("var", rng.uniform(0.5, 2, size=(3,)))], {"epsilon": 1e-3}),
    OpCase("batchnorm_opset15_variable_stats", "BatchNormalization", 15,
           [In("x", ("B", 3, 2)), In("scale", (3,)), In("b", (3,)), In("mean", (3,)),
            In("var", (3,), low=0.5, high=2)], description="statistics as graph inputs"),
    OpCase("batchnorm_opset7_spatial0", "BatchNormalization", 7,
           [In("x", ("B", 3, 2)), Const("scale", rng.normal(size=(3, 2))), Const("b", rng.normal(size=(3, 2))),
            Const("mean", rng.normal(size=(3, 2))), Const("var", rng.uniform(0.5, 2, size=(3, 2)))], {"spatial": 0}),
    OpCase("batchnorm_opset15_training", "BatchNormalization", 15,
           [In("x", ("B", 3, 4)), Const("scale", rng.normal(size=(3,))), Const("b", rng.normal(size=(3,))),
            Const("mean", rng.normal(size=(3,))), Const("var", rng.uniform(0.5, 2, size=(3,)))],
           {"training_mode": 1, "momentum": 0.75}, outputs=["y", "running_mean", "running_var"],
           rows_independent=False, description="batch statistics: mixes rows"),
    OpCase("batchnorm_opset14_training_rank2", "BatchNormalization", 14,
           [In("x", ("B", 3)), Const("scale", rng.normal(size=(3,))), Const("b", rng.normal(size=(3,))),
            Const("mean", rng.normal(size=(3,))), Const("var", rng.uniform(0.5, 2, size=(3,)))],
           {"training_mode": 1}, outputs=["y", "running_mean", "running_var"], rows_independent=False),
    # MatMul with 1-D operands (NumPy semantics).
    OpCase("matmul_vector_matrix", "MatMul", 13, [In("v", (3,)), Const("w", rng.normal(size=(3, 4)))],
           rows_independent=False),
    OpCase("matmul_matrix_vector", "MatMul", 13, [In("x", ("B", 3)), Const("v", rng.normal(size=(3,)))]),
    OpCase("matmul_batched_vector", "MatMul", 13, [In("x", ("B", 2, 3)), In("v", (3,))]),
    OpCase("matmul_vector_batched", "MatMul", 9, [In("v", (2,)), In("x", ("B", 2, 3))]),
    OpCase("matmul_vector_vector", "MatMul", 1, [In("a", (4,)), In("b", (4,))], rows_independent=False),
]
