public import GraphIR
public import TensorCore

/// Sum over axes, `y = Σ_axes x` (reduced axes kept as size 1 or dropped). ONNX `ReduceSum`
/// (opsets 1–12: `axes` attribute; 13+: optional `axes` input and `noop_with_empty_axes`;
/// `keepdims` default 1; no axes reduces every axis). Also int64 (wrapping), for shape
/// arithmetic.
///
/// Linear: `ẏ = ReduceSum(ẋ)`; `x̄ = Spread(ȳ)`, `ȳ` broadcast back over the reduced axes (the
/// adjoint of the sum: InsertAxes where `keepdims` dropped them, then a broadcast, in one node).
public struct ReduceSum: FloatKernel, AxisReduction {
  public static let name = "ReduceSum"
  public let axes: [Int]
  public let keepDims: Bool

  /// `axes` counted from the end.
  public init(axes: [Int], keepDims: Bool) {
    self.axes = axes.sorted()
    self.keepDims = keepDims
  }

  public var acceptsIntegers: Bool { true }
  public var integerIdentity: Int64 { 0 }
  public func combineIntegers(_ a: Int64, _ b: Int64) -> Int64 { a &+ b }

  /// Reduced axes forming one block run the vectorised row/column kernel.
  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let layout = ReductionLayout(shape: io.inputShapes[0], axes: axes)
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    guard layout.isBlock else { return { layout.reduce(x, y, initial: 0, +) } }
    return { VectorMath.reduce(x, y, outer: layout.outer, n: layout.n, inner: layout.inner, .sum) }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.apply1(self, [$0]) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [
      try args.cotangents[0].map {
        try b.apply1(Spread(axes: axes, keepDims: keepDims, mean: false), [$0, args.primals[0]])
      }
    ]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(ReduceSum(axes: [-1], keepDims: true), [SampleInput([3, 4])]),
      ConformanceCase(ReduceSum(axes: [-2], keepDims: false), [SampleInput([2, 3, 4])]),
      ConformanceCase(ReduceSum(axes: [-3, -1], keepDims: true), [SampleInput([2, 3, 4])]),
      ConformanceCase(ReduceSum(axes: [-3, -1], keepDims: false), [SampleInput([2, 3, 4])]),
      ConformanceCase(ReduceSum(axes: [-2, -1], keepDims: false), [SampleInput([3, 4])]),
      ConformanceCase(ReduceSum(axes: [], keepDims: true), [SampleInput([3, 4])]),
    ]
  }
}

extension ReduceSum: ONNXLowering {
  public static let onnxOpTypes = ["ReduceSum"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try lowerReduction(node, &b, axesInputSince: 13) { ReduceSum(axes: $0, keepDims: $1) }
  }
}
