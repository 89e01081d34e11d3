"""Cases for the elementwise math ops: Sqrt, Reciprocal, Abs, Sign, Sin, Cos, Erf, Softplus, Elu,
Pow (primitives) and Selu, Celu, Softsign, Mish, Gelu (composites).

ONNX Runtime has no float64 kernel for Erf, Softplus, Elu, Selu, Celu, Softsign, exact Gelu (and Mish
at opset 22): those cases run in float32. It runs none of the opset-1 forms (Pow's broadcast/axis,
Selu's old defaults): Tests/ONNXGradTests/MathLoweringTests.swift checks those. Inputs stay away
from the kinks at 0 (Abs, Sign, Elu, Selu, Celu) and inside each op's domain (Sqrt, Pow with a real
exponent: positive base).
"""

import numpy as np

from op_cases import Const, In, OpCase, away_from

rng = np.random.default_rng(11)

KINK = away_from(0, margin=0.05)
POLE = away_from(0, margin=0.3)

CASES = [
    OpCase("sqrt", "Sqrt", 13, [In("x", ("B", 4), low=0.2, high=3)]),
    OpCase("sqrt_opset6", "Sqrt", 6, [In("x", ("B", 2, 3), low=0.2, high=3)]),
    OpCase("reciprocal", "Reciprocal", 13, [In("x", ("B", 4), avoid=POLE)]),
    OpCase("reciprocal_opset6", "Reciprocal", 6, [In("x", ("B", 3), avoid=POLE)]),
    OpCase("abs", "Abs", 13, [In("x", ("B", 4), avoid=KINK)]),
    OpCase("abs_opset6", "Abs", 6, [In("x", ("B", 3), avoid=KINK)]),
    OpCase("abs_int64", "Abs", 13, [In("x", ("B", 4), low=-9, high=9, dtype="int64", differentiable=False)],
           dtype="int64", description="int64 (shape arithmetic)"),
    OpCase("sign", "Sign", 13, [In("x", ("B", 4), avoid=KINK)]),
    OpCase("sign_opset9", "Sign", 9, [In("x", ("B", 3), avoid=KINK)]),
    OpCase("sign_int64", "Sign", 13, [In("x", ("B", 4), low=-3, high=3, dtype="int64", differentiable=False)],
           dtype="int64", description="int64, zeros included"),
    OpCase("sin", "Sin", 7, [In("x", ("B", 4), low=-4, high=4)]),
    OpCase("sin_opset22", "Sin", 22, [In("x", ("B", 2, 3), low=-4, high=4)]),
    OpCase("cos", "Cos", 7, [In("x", ("B", 4), low=-4, high=4)]),
    OpCase("cos_opset22", "Cos", 22, [In("x", ("B", 2, 3), low=-4, high=4)]),
    OpCase("erf", "Erf", 13, [In("x", ("B", 4), low=-3, high=3)], dtype="float32"),
    OpCase("erf_opset9", "Erf", 9, [In("x", ("B", 3), low=-3, high=3)], dtype="float32"),
    OpCase("softplus", "Softplus", 1, [In("x", ("B", 4), low=-8, high=8)], dtype="float32"),
    OpCase("softplus_opset22", "Softplus", 22, [In("x", ("B", 2, 3), low=-8, high=8)], dtype="float32"),
    OpCase("elu", "Elu", 6, [In("x", ("B", 4), low=-4, high=3, avoid=KINK)], dtype="float32",
           description="alpha defaults to 1"),
    OpCase("elu_alpha", "Elu", 6, [In("x", ("B", 4), low=-4, high=3, avoid=KINK)], {"alpha": 0.3}, dtype="float32"),
    OpCase("elu_opset22", "Elu", 22, [In("x", ("B", 2, 3), low=-4, high=3, avoid=KINK)], {"alpha": 1.7},
           dtype="float32"),
    # Pow: same-type operands (7), exponents of another type (12+), broadcasting both ways.
    OpCase("pow", "Pow", 7, [In("a", ("B", 3), low=0.2, high=3), In("b", (3,), low=-2, high=2)]),
    OpCase("pow_const_exponent", "Pow", 7, [In("a", ("B", 4)), Const("b", np.array(2.0))],
           description="x² with a negative base"),
    OpCase("pow_scalar_base", "Pow", 13, [Const("a", np.array(1.7)), In("b", ("B", 3))],
           description="a constant base, the exponent differentiated"),
    OpCase("pow_int64_exponent", "Pow", 12,
           [In("a", ("B", 4), avoid=POLE), Const("b", np.array([-1, 0, 2, 3], dtype=np.int64), keep_dtype=True)],
           description="int64 exponents (with 0) on a float64 base of either sign"),
    OpCase("pow_float32_exponent", "Pow", 13,
           [In("a", ("B", 3), low=0.2, high=3), Const("b", np.array(0.5, dtype=np.float32), keep_dtype=True)],
           description="a float32 exponent on a float64 base"),
    OpCase("pow_int64_scalar_exponent", "Pow", 15,
           [In("a", ("B", 2, 3)), Const("b", np.array(3, dtype=np.int64), keep_dtype=True)]),
    OpCase("pow_zero_exponent", "Pow", 15, [In("a", ("B", 3)), Const("b", np.array(0.0))],
           description="a constant exponent 0: zero gradient"),
    OpCase("pow_float32", "Pow", 15,
           [In("a", ("B", 3), low=0.2, high=3), In("b", ("B", 1), low=-2, high=2)], dtype="float32"),
    OpCase("pow_float32_double_exponent", "Pow", 15,
           [In("a", ("B", 3), low=0.2, high=3), Const("b", np.array([1.5, -0.5, 2.5]), keep_dtype=True)],
           dtype="float32", description="a float64 exponent on a float32 base"),
    OpCase("pow_int64", "Pow", 15,
           [In("a", ("B", 4), low=-4, high=4, dtype="int64", differentiable=False),
            Const("b", np.array([0, 1, 2, 5], dtype=np.int64))],
           dtype="int64", description="int64 base and exponent (shape arithmetic)"),
    # Composites.
    OpCase("selu", "Selu", 6, [In("x", ("B", 4), low=-3, high=3, avoid=KINK)], dtype="float32",
           description="default alpha and gamma"),
    OpCase("selu_custom", "Selu", 6, [In("x", ("B", 4), low=-3, high=3, avoid=KINK)], {"alpha": 2.0, "gamma": 0.5},
           dtype="float32"),
    OpCase("selu_opset22", "Selu", 22, [In("x", ("B", 2, 3), low=-3, high=3, avoid=KINK)], dtype="float32"),
    OpCase("celu", "Celu", 12, [In("x", ("B", 4), low=-3, high=3, avoid=KINK)], dtype="float32"),
    OpCase("celu_alpha", "Celu", 12, [In("x", ("B", 4), low=-3, high=3, avoid=KINK)], {"alpha": 2.5}, dtype="float32"),
    OpCase("softsign", "Softsign", 1, [In("x", ("B", 4), low=-4, high=4)], dtype="float32"),
    OpCase("softsign_opset22", "Softsign", 22, [In("x", ("B", 2, 3), low=-4, high=4)], dtype="float32"),
    OpCase("mish", "Mish", 18, [In("x", ("B", 4), low=-6, high=4)]),
    OpCase("mish_opset22", "Mish", 22, [In("x", ("B", 2, 3), low=-6, high=4)], dtype="float32"),
    OpCase("gelu", "Gelu", 20, [In("x", ("B", 4), low=-5, high=3)], dtype="float32", description="exact (erf)"),
    OpCase("gelu_tanh", "Gelu", 20, [In("x", ("B", 4), low=-5, high=3)], {"approximate": "tanh"}, dtype="float32",
           description="float32: ONNX Runtime's float64 Gelu expands the spec's function body, whose constants "
                       "are float32 (√(2/π) to 5e-8), while onnxgrad uses the exact ones"),
]
