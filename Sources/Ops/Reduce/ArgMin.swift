public import GraphIR
public import TensorCore

/// Index of the minimum along one axis, as int64: `y = argmin_axis x`, the first index among
/// ties (the last when `selectLast`). ONNX `ArgMin` (opset 1+: `axis` default 0, `keepdims`
/// default 1; 12+: `select_last_index`). f32, f64 and int64 inputs.
///
/// Integer valued: no derivatives (symbolic zero tangents and cotangents).
public struct ArgMin: Primitive {
  public static let name = "ArgMin"
  public let axis: Int
  public let keepDims: Bool
  public let selectLast: Bool

  /// `axis` counted from the end.
  public init(axis: Int, keepDims: Bool, selectLast: Bool) {
    self.axis = axis
    self.keepDims = keepDims
    self.selectLast = selectLast
  }

  public var description: String { "ArgMin(axis: \(axis), keepDims: \(keepDims), selectLast: \(selectLast))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    try argExtremumTypes(inputs, axis: axis, keepDims: keepDims, op: Self.name)
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    argExtremumKernel(io, axis: axis, max: false, selectLast: selectLast)
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] { [nil] }
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] { [nil] }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    reductionBatchRoles(inputs[0], rank: types[0].rank, axes: [axis])
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(
        ArgMin(axis: -1, keepDims: false, selectLast: false), [SampleInput([3, 4], differentiable: false)]),
      ConformanceCase(
        ArgMin(axis: -3, keepDims: true, selectLast: true), [SampleInput([2, 3, 4], differentiable: false)]),
    ]
  }
}

extension ArgMin: ONNXLowering {
  public static let onnxOpTypes = ["ArgMin"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let (axis, keep, last) = try argExtremumAttributes(node, b)
    return [try b.apply1(ArgMin(axis: axis, keepDims: keep, selectLast: last), [node.input(0)], name: node.name)]
  }
}
