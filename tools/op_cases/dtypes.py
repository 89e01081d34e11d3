"""Cases for weights stored in 16-bit floats: FLOAT16 and BFLOAT16 initializers are read as
float32 (exactly: every 16-bit float is a float32) and cast up by the graph, as mixed-precision
exports do."""

import numpy as np
from onnx import TensorProto, helper

from op_cases import Const, In, OpCase, Ref

rng = np.random.default_rng(11)
w16 = rng.normal(size=(3, 4)).astype(np.float16)
# bfloat16: the top 16 bits of float32 values.
w32 = rng.normal(size=(3, 4)).astype(np.float32)
bf16_bits = (w32.view(np.uint32) >> 16).astype(np.uint16)
bf16 = helper.make_tensor("w", TensorProto.BFLOAT16, [3, 4], bf16_bits.tobytes(), raw=True)

CASES = [
    OpCase("float16_weights_cast_up", "MatMul", 17, [In("x", ("B", 3)), Ref("w32")], dtype="float32",
           initializers=[Const("w", w16)], before=[("Cast", ["w"], ["w32"], {"to": TensorProto.FLOAT})],
           description="a FLOAT16 initializer, Cast to FLOAT, then MatMul"),
    OpCase("bfloat16_weights_cast_up", "MatMul", 17, [In("x", ("B", 3)), Ref("w32")], dtype="float32",
           initializers=[Const("w", bf16)], before=[("Cast", ["w"], ["w32"], {"to": TensorProto.FLOAT})],
           description="a BFLOAT16 initializer, Cast to FLOAT, then MatMul"),
]
