"""Cases for comparisons, logic, selection and casts: Greater, Less, Equal, GreaterOrEqual,
LessOrEqual, Not, And, Or, Where, Max, Min, Cast, CastLike, Clip, PRelu, HardSigmoid, HardSwish.

Samples stay away from ties and kinks (`away_from`), so finite differences see smooth functions.
Comparisons on floats also feed a `Where` (`*_where` cases) so a float output is differentiated.
"""

import numpy as np

from onnx import TensorProto, helper

from op_cases import Const, In, OpCase, Ref, away_from

# PyTorch's hardsigmoid/hardswish α, as the float32 attribute both exporters write.
TORCH_ALPHA = float(np.float32(1 / 6))


def scalar(name, value, elem):
    return ("Constant", [], [name], {"value": helper.make_tensor(name, elem, [], [value])})


def steering(name, op, opset, dtype="float64", threshold=0.3):
    """`Where(op(x, t), x, y)`: the comparison of floats steers a differentiable output."""
    elem = TensorProto.DOUBLE if dtype == "float64" else TensorProto.FLOAT
    return OpCase(name, "Where", max(opset, 9), [Ref("c"), In("x", ("B", 3), avoid=away_from(threshold)), In("z", (3,))],
                  before=[scalar("t", threshold, elem), (op, ["x", "t"], ["c"], {})], dtype=dtype,
                  description=f"{op} (opset {opset}) on floats steering Where")


def comparisons():
    cases = []
    for op, opsets in [("Greater", [7, 9, 13]), ("Less", [7, 9, 13]), ("GreaterOrEqual", [12, 16]),
                       ("LessOrEqual", [12, 16])]:
        low, last = op.lower(), opsets[-1]
        for opset in opsets:
            cases.append(OpCase(f"{low}_f32_opset{opset}", op, opset, [In("a", ("B", 3)), In("b", (3,))],
                                dtype="float32", description="bool output, broadcasting"))
        cases.append(OpCase(f"{low}_f64", op, last, [In("a", ("B", 1, 3)), In("b", (2, 1))]))
        cases.append(OpCase(f"{low}_int64", op, last,
                            [In("a", ("B", 3), low=-3, high=3, dtype="int64", differentiable=False),
                             In("b", (3,), low=-3, high=3, dtype="int64", differentiable=False)],
                            description="int64 operands with ties"))
        cases.append(steering(f"{low}_where", op, last))
    cases += [
        OpCase("equal_int64_opset7", "Equal", 7,
               [In("a", ("B", 3), low=-2, high=2, dtype="int64", differentiable=False),
                In("b", (3,), low=-2, high=2, dtype="int64", differentiable=False)]),
        OpCase("equal_bool_opset11", "Equal", 11,
               [In("a", ("B", 3), dtype="bool", differentiable=False), In("b", ("B", 1), dtype="bool", differentiable=False)]),
        OpCase("equal_f64_opset13", "Equal", 13, [In("a", ("B", 3)), Const("b", np.array([0.5, -1.0, 2.0]))]),
        OpCase("equal_f32_opset19", "Equal", 19,
               [In("a", ("B", 3), values=np.tile([0.5, 1.0, 2.0], 5)), Const("b", np.array([0.5, -1.0, 2.0]))],
               dtype="float32", description="exact ties on floats"),
        steering("equal_where", "Equal", 13),
    ]
    return cases


def logic():
    def b(name, shape):
        return In(name, shape, dtype="bool", differentiable=False)
    return [
        OpCase("not", "Not", 1, [b("x", ("B", 3))]),
        OpCase("and_opset7", "And", 7, [b("a", ("B", 3)), b("b", (3,))]),
        OpCase("or_opset7", "Or", 7, [b("a", ("B", 1)), b("b", (1, 4))]),
        OpCase("logic_chain", "Where", 16,
               [Ref("m"), In("x", ("B", 3), avoid=away_from(-0.5, 0.5)), In("z", ("B", 3))],
               before=[scalar("lo", -0.5, TensorProto.DOUBLE), scalar("hi", 0.5, TensorProto.DOUBLE),
                       ("Greater", ["x", "lo"], ["above"], {}), ("Less", ["x", "hi"], ["below"], {}),
                       ("And", ["above", "below"], ["inside"], {}), ("Not", ["inside"], ["outside"], {}),
                       ("Or", ["outside", "above"], ["m"], {})],
               description="Greater/Less → And → Not → Or steering Where"),
    ]


def where():
    ints = dict(dtype="int64", differentiable=False)
    bools = dict(dtype="bool", differentiable=False)
    return [
        OpCase("where_opset9", "Where", 9, [In("c", ("B", 3), **bools), In("x", ("B", 3)), In("z", ("B", 3))]),
        OpCase("where_broadcast", "Where", 16, [In("c", ("B", 1), **bools), In("x", (3,)), In("z", ("B", 3))]),
        OpCase("where_broadcast_all", "Where", 16, [In("c", (2, 1), **bools), In("x", ("B", 1, 1)), In("z", (1, 3))]),
        OpCase("where_scalar_branch", "Where", 16,
               [In("c", ("B", 4), **bools), In("x", ("B", 4)), Const("zero", np.array(0.0))]),
        OpCase("where_int64", "Where", 16,
               [In("c", ("B", 3), **bools), In("x", ("B", 3), low=-9, high=9, **ints), In("z", (3,), low=-9, high=9, **ints)]),
        OpCase("where_softplus_threshold", "Where", 16,
               [Ref("big"), In("x", ("B", 4), low=-5, high=25, avoid=away_from(20)), Ref("soft")],
               before=[scalar("twenty", 20.0, TensorProto.DOUBLE), ("Greater", ["x", "twenty"], ["big"], {}),
                       ("Exp", ["x"], ["ex"], {}), scalar("one", 1.0, TensorProto.DOUBLE),
                       ("Add", ["ex", "one"], ["ex1"], {}), ("Log", ["ex1"], ["soft"], {})],
               description="dynamo's softplus threshold: Where(x > 20, x, log(1 + exp(x)))"),
        OpCase("where_shape_arithmetic", "Mul", 16, [In("x", ("B", 2)), Ref("scale")],
               before=[("Constant", [], ["shape"], {"value": helper.make_tensor("shape", TensorProto.INT64, [2], [-1, 3])}),
                       ("Constant", [], ["neg"], {"value": helper.make_tensor("neg", TensorProto.INT64, [], [-1])}),
                       ("Constant", [], ["ones"], {"value": helper.make_tensor("ones", TensorProto.INT64, [2], [1, 1])}),
                       ("Equal", ["shape", "neg"], ["unknown"], {}), ("Where", ["unknown", "ones", "shape"], ["sizes"], {}),
                       ("Max", ["sizes", "ones"], ["at_least_one"], {}),
                       ("Cast", ["at_least_one"], ["scale"], {"to": TensorProto.DOUBLE})],
               description="legacy size arithmetic: Where(Equal(shape, -1), ones, shape) → Max → Cast, folded at load"),
    ]


def extrema():
    cases = []
    for op in ["Max", "Min"]:
        low = op.lower()
        cases += [
            OpCase(f"{low}_one_input_opset6", op, 6, [In("a", ("B", 3))], dtype="float32"),
            OpCase(f"{low}_two_opset6", op, 6, [In("a", ("B", 3)), In("b", ("B", 3))], dtype="float32"),
            OpCase(f"{low}_three_opset8", op, 8, [In("a", ("B", 3)), In("b", (3,)), In("c", ("B", 1))]),
            OpCase(f"{low}_two_opset12", op, 12, [In("a", ("B", 1, 3)), In("b", (2, 1))]),
            OpCase(f"{low}_int64_opset12", op, 12,
                   [In("a", ("B", 3), low=-5, high=5, dtype="int64", differentiable=False),
                    In("b", (3,), low=-5, high=5, dtype="int64", differentiable=False)]),
            OpCase(f"{low}_const_opset13", op, 13,
                   [In("a", ("B", 3), avoid=away_from(0.25, -0.75, 1.0)), Const("b", np.array([0.25, -0.75, 1.0]))]),
        ]
    return cases


def casts():
    T = TensorProto
    cases = []
    for opset in [6, 9, 13, 19, 21]:
        cases.append(OpCase(f"cast_f64_to_f32_opset{opset}", "Cast", opset, [In("x", ("B", 3))], {"to": T.FLOAT}))
    cases += [
        OpCase("cast_f32_to_f64", "Cast", 13, [In("x", ("B", 3))], {"to": T.DOUBLE}, dtype="float32"),
        OpCase("cast_f64_to_int64", "Cast", 13, [In("x", ("B", 3), low=-4, high=4, avoid=away_from(-3, -2, -1, 0, 1, 2, 3))],
               {"to": T.INT64}),
        OpCase("cast_f64_to_int32", "Cast", 19, [In("x", ("B", 3), low=-4, high=4, avoid=away_from(-3, -2, -1, 0, 1, 2, 3))],
               {"to": T.INT32}),
        OpCase("cast_int64_to_f64", "Cast", 13, [In("x", ("B", 3), low=-100, high=100, dtype="int64", differentiable=False)],
               {"to": T.DOUBLE}),
        OpCase("cast_int64_to_uint8", "Cast", 13, [In("x", ("B", 3), low=-300, high=300, dtype="int64", differentiable=False)],
               {"to": T.UINT8}, description="wraps to 8 bits"),
        OpCase("cast_f64_to_bool", "Cast", 13, [In("x", ("B", 3), values=np.tile([0.0, -0.5, 2.0], 5))], {"to": T.BOOL}),
        OpCase("cast_bool_to_f32", "Cast", 13, [In("x", ("B", 3), dtype="bool", differentiable=False)], {"to": T.FLOAT},
               dtype="float32"),
        OpCase("cast_int64_to_bool", "Cast", 21, [In("x", ("B", 3), low=-2, high=2, dtype="int64", differentiable=False)],
               {"to": T.BOOL}),
        OpCase("cast_round_trip", "Mul", 13, [In("x", ("B", 3)), Ref("back")], dtype="float32",
               before=[("Cast", ["x"], ["d"], {"to": T.DOUBLE}), ("Cast", ["d"], ["back"], {"to": T.FLOAT})],
               description="x · x.double().float()"),
    ]
    for opset in [15, 19, 21]:
        cases.append(OpCase(f"castlike_f64_like_f32_opset{opset}", "CastLike", opset,
                            [In("x", ("B", 3)), Const("like", np.zeros(1, dtype=np.float32), keep_dtype=True)]))
    cases.append(OpCase("castlike_int64_like_f64", "CastLike", 15,
                        [In("x", ("B", 3), low=-9, high=9, dtype="int64", differentiable=False), Const("like", np.zeros(1))]))
    return cases


def clips():
    bounds = away_from(-0.5, 0.7)
    lo, hi = Const("lo", np.array(-0.5)), Const("hi", np.array(0.7))
    return [
        OpCase("clip_attributes_opset6", "Clip", 6, [In("x", ("B", 4), avoid=bounds)], {"min": -0.5, "max": 0.7},
               dtype="float32"),
        OpCase("clip_attribute_min_opset6", "Clip", 6, [In("x", ("B", 4), avoid=bounds)], {"min": -0.5}, dtype="float32"),
        OpCase("clip_min_max_opset11", "Clip", 11, [In("x", ("B", 4), avoid=bounds), lo, hi], dtype="float32"),
        OpCase("clip_min_opset11", "Clip", 11, [In("x", ("B", 4), avoid=bounds), lo], dtype="float32"),
        OpCase("clip_max_opset11", "Clip", 11, [In("x", ("B", 4), avoid=bounds), None, hi], dtype="float32"),
        OpCase("clip_min_max_opset13", "Clip", 13, [In("x", ("B", 4), avoid=bounds), lo, hi]),
        OpCase("clip_min_opset13", "Clip", 13, [In("x", ("B", 4), avoid=bounds), lo]),
        OpCase("clip_max_opset13", "Clip", 13, [In("x", ("B", 4), avoid=bounds), None, hi]),
        OpCase("clip_bounds_as_inputs", "Clip", 13,
               [In("x", ("B", 4), low=-2, high=2), In("lo", (), values=np.array(-0.5)), In("hi", (), values=np.array(0.7))],
               description="differentiable bounds (x drawn near neither)", seed=3),
        OpCase("clip_int64_opset12", "Clip", 12,
               [In("x", ("B", 4), low=-9, high=9, dtype="int64", differentiable=False),
                Const("lo", np.array(-3, dtype=np.int64)), Const("hi", np.array(4, dtype=np.int64))]),
        OpCase("clip_relu6", "Clip", 13, [In("x", ("B", 4), low=-3, high=9, avoid=away_from(0, 6)),
                                          Const("zero", np.array(0.0)), Const("six", np.array(6.0))],
               description="F.relu6 as both exporters write it"),
    ]


def activations():
    return [
        OpCase("prelu_scalar_opset7", "PRelu", 7, [In("x", ("B", 4), avoid=away_from(0)), Const("s", np.array([0.25]))],
               dtype="float32"),
        OpCase("prelu_channel_opset9", "PRelu", 9, [In("x", ("B", 3), avoid=away_from(0)), In("s", (3,))],
               dtype="float32"),
        OpCase("prelu_channel_spatial_opset16", "PRelu", 16,
               [In("x", ("B", 3, 4), avoid=away_from(0)), In("s", (3, 1), low=0.05, high=0.5)]),
        OpCase("hardsigmoid_default_opset6", "HardSigmoid", 6, [In("x", ("B", 4), low=-4, high=4, avoid=away_from(-2.5, 2.5))],
               dtype="float32"),
        OpCase("hardsigmoid_torch_opset20", "HardSigmoid", 20,
               [In("x", ("B", 4), low=-5, high=5, avoid=away_from(-3, 3))], {"alpha": TORCH_ALPHA, "beta": 0.5},
               dtype="float32"),
        OpCase("hardswish_opset14", "HardSwish", 14, [In("x", ("B", 4), low=-5, high=5, avoid=away_from(-3, 3))],
               dtype="float32"),
        OpCase("hardswish_opset20", "HardSwish", 20, [In("x", ("B", 4), low=-5, high=5, avoid=away_from(-3, 3))],
               dtype="float32"),
    ]


CASES = comparisons() + logic() + where() + extrema() + casts() + clips() + activations()
