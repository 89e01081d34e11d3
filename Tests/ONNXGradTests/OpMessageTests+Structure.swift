import ONNXFormat
import Testing

extension OpMessages {
  static let structureCases: [OpMessageCase] = rangeAndConstantCases + reshapeCases + selectionCases

  static let rangeAndConstantCases: [OpMessageCase] = {
    typealias M = OpModel
    func scalars(_ s: Int64, _ l: Int64, _ d: Int64) -> [ONNXFormat.ONNXTensorProto] {
      [M.ints("s", [s], shape: []), M.ints("l", [l], shape: []), M.ints("d", [d], shape: [])]
    }
    return [
      OpMessageCase(
        nodes: [M.node("Range", ["s", "l", "d"])], inputs: [M.i64("s", [1]), M.i64("l", []), M.i64("d", [])],
        expected:
          "Range node 'n': expected rank-0 start, limit and delta of one numeric dtype, got [i64[1], i64[], i64[]]"),
      OpMessageCase(
        nodes: [M.node("Range", ["s", "l", "d"])], initializers: scalars(0, 5, 0),
        expected: "Range node 'n': cannot count range(0, 5, 0)"),
      OpMessageCase(
        nodes: [M.node("Range", ["s", "l", "d"])], initializers: scalars(0, .min, -1),
        expected: "Range node 'n': range(0, -9223372036854775808, -1) has more than Int.max elements"),
      OpMessageCase(
        nodes: [M.node("Range", ["s", "l", "d"])],
        initializers: [M.floats("s", [0], shape: []), M.floats("l", [5], shape: []), M.floats("d", [0], shape: [])],
        expected: "Range node 'n': range(0.0, 5.0, 0.0) has no valid length"),
      OpMessageCase(
        nodes: [M.node("Constant", [], ["y"], ["value_float": .float(1), "value_int": .int(1)])],
        expected: "Constant node 'n': has 2 value attributes (value_float, value_int); exactly one is allowed"),
      OpMessageCase(
        nodes: [M.node("Constant", [], ["y"], ["value_string": .string("a")])],
        expected:
          "Constant node 'n': attribute 'value_string' is not supported (use value, value_float(s) or value_int(s))"),
      OpMessageCase(nodes: [M.node("Constant", [])], expected: "Constant node 'n': has no value attribute"),
      OpMessageCase(
        nodes: [M.node("ConstantOfShape", ["s"])], inputs: [M.f32("s", [2])],
        expected:
          "ConstantOfShape node 'n': expected an int64 vector of known length and a rank-0 value, got f32[2] and f32[]"),
      OpMessageCase(
        nodes: [M.node("ConstantOfShape", ["s"])], initializers: [M.ints("s", [-1, 2])],
        expected: "ConstantOfShape node 'n': shape [-1, 2] has a negative size -1"),
      OpMessageCase(
        nodes: [M.node("ConstantOfShape", ["s"], ["y"], ["value": .tensor(M.floats("v", [1, 2]))])],
        initializers: [M.ints("s", [2])],
        expected: "ConstantOfShape node 'n': attribute 'value' must hold one element, got shape [2]"),
      OpMessageCase(
        nodes: [M.node("ConstantOfShape", ["s"], ["y"], ["value": .float(1)])], initializers: [M.ints("s", [2])],
        expected: "ConstantOfShape node 'n': attribute 'value' must be a tensor"),
      OpMessageCase(
        nodes: [M.node("Concat", [])], expected: "Concat node 'n': expected at least one input"),
      OpMessageCase(
        nodes: [M.node("Concat", ["x"])], inputs: [M.f32("x", [2])],
        expected: "Concat node 'n': attribute 'axis' is required"),
      OpMessageCase(
        nodes: [M.node("Concat", ["a", "b"], ["y"], ["axis": .int(0)])], inputs: [M.f32("a", [2]), M.f64("b", [2])],
        expected: "Concat node 'n': inputs [f32[2], f64[2]] differ in dtype or rank"),
      OpMessageCase(
        nodes: [M.node("Concat", ["a", "b"], ["y"], ["axis": .int(1)])],
        inputs: [M.f32("a", [2, 3]), M.f32("b", [3, 3])],
        expected: "Concat node 'n': inputs [f32[2, 3], f32[3, 3]] differ on axis 0, which is not the concatenated one"),
    ]
  }()

  static let reshapeCases: [OpMessageCase] = {
    typealias M = OpModel
    func reshape(_ dims: [Int], to shape: [Int64], opset: Int64 = 17, allowZero: Bool = false, _ expected: String)
      -> OpMessageCase
    {
      OpMessageCase(
        nodes: [M.node("Reshape", ["x", "s"], ["y"], allowZero ? ["allowzero": .int(1)] : [:])],
        inputs: [M.f32("x", dims)],
        initializers: [M.ints("s", shape)], opset: opset, expected: "Reshape node 'n': " + expected)
    }
    return [
      OpMessageCase(
        nodes: [M.node("Reshape", ["x", "s"])], inputs: [M.f32("x", [2]), M.f32("s", [1])],
        expected: "Reshape node 'n': shape must be an int64 vector of known length, got f32[1]"),
      reshape([6], to: [-1, -1], "shape [-1, -1] has more than one −1"),
      reshape([6], to: [2, 0, 3], "shape [2, 0, 3] copies size 1 (0) from an input of rank 1"),
      reshape([6], to: [-2, 3], "shape [-2, 3] has a negative size -2"),
      reshape([0, 3], to: [0, -1], allowZero: true, "shape [0, -1] has both 0 and −1 with allowzero = 1"),
      reshape([2, 3], to: [4, 2], "cannot reshape [2, 3] to [4, 2]: the element counts differ"),
      reshape([2, 0], to: [-1, 0], "cannot infer the −1 in [-1, 0]: the other sizes hold no elements"),
      reshape([2, 3], to: [4, -1], "cannot reshape 6 elements to [4, -1]"),
      OpMessageCase(
        nodes: [M.node("Reshape", ["x"])], inputs: [M.f32("x", [2])], opset: 4,
        expected: "Reshape node 'n': attribute 'shape' is required before opset 5"),
      OpMessageCase(
        nodes: [M.node("Expand", ["x", "s"])], inputs: [M.f32("x", [2]), M.f32("s", [1])],
        expected: "Expand node 'n': shape must be an int64 vector of known length, got f32[1]"),
      OpMessageCase(
        nodes: [M.node("Expand", ["x", "s"])], inputs: [M.f32("x", [2]), M.i64("s", [2, 1])],
        expected: "Expand node 'n': shape must be a vector of known length, got i64[2, 1]"),
      OpMessageCase(
        nodes: [M.node("Expand", ["x", "s"])], inputs: [M.f32("x", [1, 3])], initializers: [M.ints("s", [-2, 3])],
        expected: "Expand node 'n': shape [-2, 3] has a negative size"),
      OpMessageCase(
        nodes: [M.node("Expand", ["x", "s"])], inputs: [M.f32("x", [2, 3])], initializers: [M.ints("s", [4, 3])],
        expected: "Expand node 'n': cannot expand f32[2, 3] to [4, 3]"),
      OpMessageCase(
        nodes: [M.node("Transpose", ["x"], ["y"], ["perm": .ints([0, 0])])], inputs: [M.f32("x", [2, 3])],
        expected: "Transpose node 'n': perm [0, 0] is not a permutation of the 2 axes of f32[2, 3]"),
    ]
  }()

  static let selectionCases: [OpMessageCase] = {
    typealias M = OpModel
    return [
      OpMessageCase(
        nodes: [M.node("Gather", ["x", "i"])], inputs: [M.f32("x", [3]), M.f32("i", [1])],
        expected: "Gather node 'n': indices must be int64, got f32[1]"),
      OpMessageCase(
        nodes: [M.node("Gather", ["x", "i"])], inputs: [M.f32("x", [3])], initializers: [M.ints("i", [5])],
        expected: "Gather node 'n': index 5 is out of range for an axis of size 3 (valid: -3…2)"),
      OpMessageCase(
        nodes: [M.node("Slice", ["x"], ["y"], ["starts": .ints([0])])], inputs: [M.f32("x", [2])], opset: 9,
        expected: "Slice node 'n': attributes 'starts' and 'ends' are required before opset 10"),
      OpMessageCase(
        nodes: [M.node("Slice", ["x"], ["y"], ["starts": .ints([0]), "ends": .ints([1, 2])])],
        inputs: [M.f32("x", [2, 3])],
        opset: 9, expected: "Slice node 'n': 'starts' has 1 entries but 'ends' has 2"),
      OpMessageCase(
        nodes: [
          M.node("Slice", ["x"], ["y"], ["starts": .ints([0, 0]), "ends": .ints([1, 1]), "axes": .ints([0, -2])])
        ],
        inputs: [M.f32("x", [2, 3])], opset: 9, expected: "Slice node 'n': axes [0, -2] repeat an axis"),
      OpMessageCase(
        nodes: [M.node("Slice", ["x", "s", "e"])], inputs: [M.f32("x", [4]), M.f32("s", [1])],
        initializers: [M.ints("e", [2])],
        expected: "Slice node 'n': input 1 must be an int64 vector of 1 entries (one per axis), got f32[1]"),
    ]
  }()
}
