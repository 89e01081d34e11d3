public import GraphIR
public import TensorCore

/// Euclidean norm over axes, `y = √(Σ_axes x²)`. ONNX `ReduceL2` (opsets 1–17: `axes`
/// attribute; 18+: optional `axes` input and `noop_with_empty_axes`, where reducing nothing
/// gives `|x|`; `keepdims` default 1).
///
/// `ẏ = ReduceSum(x·ẋ) · ReciprocalOrZero(y)`; `x̄ = x · Spread(ȳ · ReciprocalOrZero(y))`.
/// Where the norm is 0 the derivative is 0, as PyTorch's `norm` / `vector_norm` give (a
/// composite `Sqrt(ReduceSumSquare)` would give NaN there), hence a primitive.
public struct ReduceL2: FloatKernel, AxisReduction {
  public static let name = "ReduceL2"
  public let axes: [Int]
  public let keepDims: Bool

  /// `axes` counted from the end.
  public init(axes: [Int], keepDims: Bool) {
    self.axes = axes.sorted()
    self.keepDims = keepDims
  }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let layout = ReductionLayout(shape: io.inputShapes[0], axes: axes)
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    let count = layout.outputCount
    return {
      if layout.isBlock {
        VectorMath.reduce(x, y, outer: layout.outer, n: layout.n, inner: layout.inner, .sumOfSquares)
      } else {
        layout.reduce(x, y, initial: 0) { $0 + $1 * $1 }
      }
      for o in 0..<count { y[o] = y[o].squareRoot() }
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    let inverse = try b.apply1(ReciprocalOrZero(), [args.outputs[0]])
    return [try b.mul(b.apply1(ReduceSum(axes: axes, keepDims: keepDims), [b.mul(t, args.primals[0])]), inverse)]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil] }
    let x = args.primals[0]
    let inverse = try b.apply1(ReciprocalOrZero(), [args.outputs[0]])
    let spread = try b.apply1(Spread(axes: axes, keepDims: keepDims, mean: false), [b.mul(ct, inverse), x])
    return [try b.mul(spread, x)]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(ReduceL2(axes: [-1], keepDims: true), [SampleInput([3, 4])]),
      ConformanceCase(ReduceL2(axes: [-3, -1], keepDims: false), [SampleInput([2, 3, 4])]),
      ConformanceCase(ReduceL2(axes: [], keepDims: true), [SampleInput([3, 4])]),
    ]
  }
}

extension ReduceL2: ONNXLowering {
  public static let onnxOpTypes = ["ReduceL2"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let axes = try onnxReducedAxes(node, b, axesInputSince: 18) ?? []
    return [
      try b.apply1(
        ReduceL2(axes: axes, keepDims: node.int("keepdims", default: 1) != 0), [node.input(0)], name: node.name)
    ]
  }
}
