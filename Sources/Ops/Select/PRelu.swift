public import GraphIR
public import TensorCore

/// Parametric ReLU, `y = x > 0 ? x : s·x`, the slope `s` broadcast unidirectionally to `x`
/// (a scalar, or per channel: `[C]` on a trailing channel axis, `[C, 1, …]` before spatial
/// axes). ONNX `PRelu` (opset 1/6 slope of size 1 or x's shape, 7+ unidirectional NumPy
/// broadcasting, 9+ integers, which are refused here).
///
/// With `p = x > 0` (PyTorch's convention at 0: the slope side), the primal masks
/// `dₓ = Where(p, 1, s)` and `d_s = Where(p, 0, x)`: `ẏ = dₓ·ẋ + d_s·ṡ`; `x̄ = dₓ·ȳ`,
/// `s̄ = Σ_bcast d_s·ȳ`. Both masks are built from graph ops, so second derivatives
/// (`∂²y/∂x∂s = x > 0 ? 0 : 1`) follow from `Where`'s rules.
public struct PRelu: BinaryBroadcasting {
  public static let name = "PRelu"
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ x: T, _ s: T) -> T { x > 0 ? x : s * x }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 2 inputs, got \(inputs.count)")
    }
    let (x, s) = (inputs[0], inputs[1])
    guard x.dtype == s.dtype, x.dtype.isFloatingPoint else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "", reason: "input and slope must both be f32 or both f64, got \(x.dtype) and \(s.dtype)")
    }
    let fits =
      s.rank <= x.rank
      && zip(s.dims, x.dims.suffix(s.rank)).allSatisfy { ds, dx in
        ds == .known(1) || ds == dx || (Dim.broadcast(ds, dx) != nil && (ds.value == nil || dx.value == nil))
      }
    guard fits else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "", reason: "slope \(s) does not broadcast to the input \(x) (unidirectional)")
    }
    return [TensorType(x.dtype, x.dims)]
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let t = try alignedTangents(&b, args)
    let (x, s) = (args.primals[0], args.primals[1])
    let positive = try b.greater(x, b.scalar(0, like: x))
    let dx = try t[0].map { try b.mul($0, b.where(positive, b.scalar(1, like: x), s)) }
    let ds = try t[1].map { try b.mul($0, b.selectOrZero(positive, x, otherwise: true)) }
    return [try b.add(dx, ds)]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    let (x, s) = (args.primals[0], args.primals[1])
    let positive = try b.greater(x, b.scalar(0, like: x))
    return [
      try b.mul(ct, b.where(positive, b.scalar(1, like: x), s)),
      try b.reduceCotangent(
        b.mul(ct, b.selectOrZero(positive, x, otherwise: true)), to: s, directionAxes: args.directionAxes),
    ]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(PRelu(), [SampleInput([3, 4]), SampleInput([])]),
      ConformanceCase(PRelu(), [SampleInput([2, 3, 4]), SampleInput([3, 1])]),
      ConformanceCase(PRelu(), [SampleInput([3, 4]), SampleInput([4])]),
      ConformanceCase(PRelu(), [SampleInput([3, 4]), SampleInput.constant(Tensor.scalar(0.25, dtype: .float64))]),
    ]
  }
}

extension PRelu: ONNXLowering {
  public static let onnxOpTypes = ["PRelu"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(2...2)
    return [try b.apply1(PRelu(), [node.input(0), node.input(1)], name: node.name)]
  }
}
