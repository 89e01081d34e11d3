public import GraphIR
public import TensorCore

/// Sums `x` down to the shape of `ref`, keeping `leading` axes: the adjoint of broadcasting.
///
/// `y.shape = x.shape[..<L] + ref.shape`. The `x.rank − L − ref.rank` axes after the first `L`
/// are summed away, then every axis where `ref` has size 1 and `x` does not. `ref` supplies only
/// its shape. No ONNX counterpart (ONNX's `ReduceSum` with computed axes); produced by VJP rules.
///
/// Linear in `x`: `ẏ = SumToLike(L + d)(ẋ, ref)`; `x̄ = BroadcastLike(d)(InsertAxes(ȳ), x)`.
public struct SumToLike: FloatKernel {
  public static let name = "SumToLike"
  public let leading: Int

  public init(leading: Int) { self.leading = leading }

  public var description: String { "SumToLike(leading: \(leading))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 2 inputs, got \(inputs.count)")
    }
    let (x, ref) = (inputs[0], inputs[1])
    guard x.rank >= leading + ref.rank else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "cannot sum \(x) to \(ref) keeping \(leading) leading axes")
    }
    for (dx, dr) in zip(x.dims.suffix(ref.rank), ref.dims) where dr != .known(1) {
      guard Dim.broadcast(dx, dr) != nil, dx != .known(1) || dr.value == nil else {
        throw GraphError.invalidInputs(op: Self.name, node: "", reason: "cannot sum \(x) to \(ref)")
      }
    }
    return [TensorType(x.dtype, Array(x.dims.prefix(leading)) + ref.dims)]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }


  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let (xShape, refShape) = (io.inputShapes[0], io.inputShapes[1])
    let extra = xShape.count - leading - refShape.count
    let target = Array(xShape.prefix(leading)) + [Int](repeating: 1, count: extra) + refShape
    let strides = Broadcasting.strides(of: target, in: xShape)
    let count = io.outputCount(0)
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    return { Kernels.sumTo(x, y, shape: xShape, yStrides: strides, yCount: count) }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    return [try b.apply1(SumToLike(leading: leading + args.directionAxes), [t, args.primals[1]])]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    let (x, ref) = (args.primals[0], args.primals[1])
    let d = args.directionAxes
    let extra = b.type(of: x).rank - leading - b.type(of: ref).rank
    var v = ct
    if extra > 0 { v = try b.apply1(InsertAxes(at: d + leading, count: extra), [v]) }
    return [try b.apply1(BroadcastLike(leading: d), [v, x]), nil]
  }

  /// Appears only in derivative graphs; conservatively row-mixing when it may sum axis 0.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    inputs[0] == .shared ? [.shared] : (leading > 0 ? [.batched] : nil)
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(SumToLike(leading: 0), [SampleInput([2, 3, 4]), SampleInput([3, 1], differentiable: false)]),
      ConformanceCase(SumToLike(leading: 1), [SampleInput([2, 3, 4]), SampleInput([1, 4], differentiable: false)]),
      ConformanceCase(SumToLike(leading: 1), [SampleInput([2, 3, 4]), SampleInput([4], differentiable: false)]),
    ]
  }
}
