public import GraphIR
public import TensorCore

/// Maximum over axes, `y = max_axes x`. ONNX `ReduceMax` (opsets 1–17: `axes` attribute; 18+:
/// optional `axes` input and `noop_with_empty_axes`; `keepdims` default 1; an empty reduction
/// gives −∞). Also int64. Bool inputs (opset 20) are not supported.
///
/// With `w = TieWeights(x)` (1/k on each of the k elements equal to the maximum, 0 elsewhere):
/// `ẏ = ReduceSum(w·ẋ)`; `x̄ = w·Spread(ȳ)`. Ties share the derivative evenly, as PyTorch's
/// `amax` does.
public struct ReduceMax: FloatKernel, AxisReduction {
  public static let name = "ReduceMax"
  public let axes: [Int]
  public let keepDims: Bool

  /// `axes` counted from the end.
  public init(axes: [Int], keepDims: Bool) {
    self.axes = axes.sorted()
    self.keepDims = keepDims
  }

  public var acceptsIntegers: Bool { true }
  public var integerIdentity: Int64 { .min }
  public func combineIntegers(_ a: Int64, _ b: Int64) -> Int64 { Swift.max(a, b) }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let layout = ReductionLayout(shape: io.inputShapes[0], axes: axes)
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    guard layout.isBlock else { return { layout.reduce(x, y, initial: -.infinity) { $1 > $0 ? $1 : $0 } } }
    return { VectorMath.reduce(x, y, outer: layout.outer, n: layout.n, inner: layout.inner, .max) }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [
      try args.tangents[0].map {
        try extremumJVP(&b, $0, x: args.primals[0], axes: axes, keepDims: keepDims, max: true)
      }
    ]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [
      try args.cotangents[0].map {
        try extremumVJP(&b, $0, x: args.primals[0], axes: axes, keepDims: keepDims, max: true)
      }
    ]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(ReduceMax(axes: [-1], keepDims: true), [SampleInput([3, 4])]),
      ConformanceCase(ReduceMax(axes: [-3], keepDims: false), [SampleInput([2, 3, 4])]),
      ConformanceCase(ReduceMax(axes: [-3, -1], keepDims: false), [SampleInput([2, 3, 4])]),
    ]
  }
}

extension ReduceMax: ONNXLowering {
  public static let onnxOpTypes = ["ReduceMax"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try lowerReduction(node, &b, axesInputSince: 18) { ReduceMax(axes: $0, keepDims: $1) }
  }
}

/// `ReduceSum(TieWeights(x)·ẋ)`: the JVP of `ReduceMax` / `ReduceMin`.
func extremumJVP(_ b: inout GraphBuilder, _ t: Value, x: Value, axes: [Int], keepDims: Bool, max: Bool) throws -> Value
{
  let w = try b.apply1(TieWeights(axes: axes, max: max), [x])
  return try b.apply1(ReduceSum(axes: axes, keepDims: keepDims), [b.mul(t, w)])
}

/// `TieWeights(x)·Spread(ȳ)`: the VJP of `ReduceMax` / `ReduceMin`.
func extremumVJP(_ b: inout GraphBuilder, _ ct: Value, x: Value, axes: [Int], keepDims: Bool, max: Bool) throws -> Value
{
  let w = try b.apply1(TieWeights(axes: axes, max: max), [x])
  return try b.mul(b.apply1(Spread(axes: axes, keepDims: keepDims, mean: false), [ct, x]), w)
}
