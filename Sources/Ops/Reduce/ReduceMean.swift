public import GraphIR
public import TensorCore

/// Mean over axes, `y = Σ_axes x / n` with `n` the number of elements reduced into each output.
/// ONNX `ReduceMean` (opsets 1–17: `axes` attribute; 18+: optional `axes` input and
/// `noop_with_empty_axes`; `keepdims` default 1; no axes reduces every axis).
///
/// Linear: `ẏ = ReduceMean(ẋ)`; `x̄ = Spread(ȳ) / n` (one `Spread(mean: true)` node).
public struct ReduceMean: FloatKernel, AxisReduction {
  public static let name = "ReduceMean"
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
    let (count, scale) = (layout.outputCount, 1 / T(layout.reducedCount))
    return {
      if layout.isBlock {
        VectorMath.reduce(x, y, outer: layout.outer, n: layout.n, inner: layout.inner, .sum)
      } else {
        layout.reduce(x, y, initial: 0, +)
      }
      for o in 0..<count { y[o] *= scale }
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.apply1(self, [$0]) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [
      try args.cotangents[0].map {
        try b.apply1(Spread(axes: axes, keepDims: keepDims, mean: true), [$0, args.primals[0]])
      }
    ]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(ReduceMean(axes: [-1], keepDims: true), [SampleInput([3, 4])]),
      ConformanceCase(ReduceMean(axes: [-3], keepDims: false), [SampleInput([2, 3, 4])]),
      ConformanceCase(ReduceMean(axes: [-3, -1], keepDims: false), [SampleInput([2, 3, 4])]),
    ]
  }
}

extension ReduceMean: ONNXLowering {
  public static let onnxOpTypes = ["ReduceMean"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try lowerReduction(node, &b, axesInputSince: 18) { ReduceMean(axes: $0, keepDims: $1) }
  }
}
