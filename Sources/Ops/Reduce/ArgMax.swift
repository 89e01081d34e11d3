public import GraphIR
public import TensorCore

/// Index of the maximum along one axis, as int64: `y = argmax_axis x`, the first index among
/// ties (the last when `selectLast`). ONNX `ArgMax` (opset 1+: `axis` default 0, `keepdims`
/// default 1; 12+: `select_last_index`). f32, f64 and int64 inputs.
///
/// Integer valued: no derivatives (symbolic zero tangents and cotangents).
public struct ArgMax: Primitive {
  public static let name = "ArgMax"
  public let axis: Int
  public let keepDims: Bool
  public let selectLast: Bool

  /// `axis` counted from the end.
  public init(axis: Int, keepDims: Bool, selectLast: Bool) {
    self.axis = axis
    self.keepDims = keepDims
    self.selectLast = selectLast
  }

  public var description: String { "ArgMax(axis: \(axis), keepDims: \(keepDims), selectLast: \(selectLast))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    try argExtremumTypes(inputs, axis: axis, keepDims: keepDims, op: Self.name)
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    argExtremumKernel(io, axis: axis, max: true, selectLast: selectLast)
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] { [nil] }
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] { [nil] }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    reductionBatchRoles(inputs[0], rank: types[0].rank, axes: [axis])
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(
        ArgMax(axis: -1, keepDims: true, selectLast: false), [SampleInput([3, 4], differentiable: false)]),
      ConformanceCase(
        ArgMax(axis: -2, keepDims: false, selectLast: true), [SampleInput([2, 3, 4], differentiable: false)]),
    ]
  }
}

extension ArgMax: ONNXLowering {
  public static let onnxOpTypes = ["ArgMax"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let (axis, keep, last) = try argExtremumAttributes(node, b)
    return [try b.apply1(ArgMax(axis: axis, keepDims: keep, selectLast: last), [node.input(0)], name: node.name)]
  }
}

/// The shape rule of `ArgMax` / `ArgMin`: one f32, f64 or int64 input with a non-empty `axis`.
func argExtremumTypes(_ inputs: [TensorType], axis: Int, keepDims: Bool, op: String) throws -> [TensorType] {
  guard inputs.count == 1, inputs[0].dtype != .bool else {
    throw GraphError.invalidInputs(op: op, node: "", reason: "expected one f32, f64 or i64 input, got \(inputs)")
  }
  let x = inputs[0]
  try checkReducedAxes([axis], rank: x.rank, op: op)
  guard x.dims[x.rank + axis] != .known(0) else {
    throw GraphError.invalidInputs(
      op: op, node: "", reason: "axis \(axis) of \(x) is empty: there is no extremum to index")
  }
  return [TensorType(.int64, reducedDims(x.dims, axes: [axis], keepDims: keepDims))]
}

/// The kernel of `ArgMax` (`max`) / `ArgMin`: the first index of the extremum along `axis`, or
/// the last with `selectLast`.
func argExtremumKernel(_ io: KernelIO, axis: Int, max: Bool, selectLast: Bool) -> Kernel? {
  let layout = ReductionLayout(shape: io.inputShapes[0], axes: [axis])
  let (y, n) = (io.output(0, as: Int64.self), layout.reducedCount)
  func kernel<T: Comparable>(_ x: UnsafePointer<T>) -> Kernel {
    {
      layout.forEachGroup { o, index in
        var best = 0
        for j in stride(from: 1, to: n, by: 1) {
          let (v, b) = (x[index(j)], x[index(best)])
          if (max ? v > b : v < b) || (selectLast && v == b) { best = j }
        }
        y[o] = Int64(best)
      }
    }
  }
  switch io.inputDTypes[0] {
  case .float32: return kernel(io.input(0, as: Float.self))
  case .float64: return kernel(io.input(0, as: Double.self))
  case .int64: return kernel(io.input(0, as: Int64.self))
  case .bool: return nil
  }
}

/// `axis` (counted from the end), `keepdims` and `select_last_index` of an ONNX `ArgMax` /
/// `ArgMin` node.
func argExtremumAttributes(_ node: ImportedNode, _ b: GraphBuilder) throws -> (Int, Bool, Bool) {
  try node.expectInputs(1...1)
  let rank = b.type(of: try node.input(0)).rank
  let axis = try node.axisFromEnd(node.int("axis", default: 0), rank: rank)
  let last = node.opset >= 12 ? try node.int("select_last_index", default: 0) != 0 : false
  return (axis, try node.int("keepdims", default: 1) != 0, last)
}
