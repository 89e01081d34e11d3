public import GraphIR
public import TensorCore

/// Broadcasts `v` to the shape of `ref`, keeping `leading` axes: the adjoint of `SumToLike`.
///
/// `v.rank = L + ref.rank`; `y.shape = v.shape[..<L] + ref.shape`, stretching axes where `v` has
/// size 1. `ref` supplies only its shape. ONNX `Expand` with a computed shape; produced by VJP
/// rules.
///
/// Linear in `v`: `ẏ = BroadcastLike(L + d)(v̇, ref)`; `v̄ = SumToLike(d)(ȳ, v)`.
public struct BroadcastLike: FloatKernel {
  public static let name = "BroadcastLike"
  public let leading: Int

  public init(leading: Int) { self.leading = leading }

  public var description: String { "BroadcastLike(leading: \(leading))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 2 inputs, got \(inputs.count)")
    }
    let (v, ref) = (inputs[0], inputs[1])
    guard v.rank == leading + ref.rank,
      zip(v.dims.suffix(ref.rank), ref.dims).allSatisfy({ $0 == .known(1) || ($0 == $1 || $0.value == nil || $1.value == nil) })
    else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "cannot broadcast \(v) to \(ref) keeping \(leading) leading axes")
    }
    return [TensorType(v.dtype, Array(v.dims.prefix(leading)) + ref.dims)]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }


  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let outShape = io.outputShapes[0]
    let strides = Broadcasting.strides(of: io.inputShapes[0], in: outShape)
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    return { Kernels.expand(x, y, shape: outShape, xStrides: strides) }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    return [try b.apply1(BroadcastLike(leading: leading + args.directionAxes), [t, args.primals[1]])]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    return [try b.apply1(SumToLike(leading: args.directionAxes), [ct, args.primals[0]]), nil]
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    inputs[0] == .batched ? [.batched] : [inputs[1]]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(BroadcastLike(leading: 0), [SampleInput([3, 1]), SampleInput([3, 4], differentiable: false)]),
      ConformanceCase(BroadcastLike(leading: 1), [SampleInput([2, 1, 4]), SampleInput([3, 4], differentiable: false)]),
    ]
  }
}
