public import GraphIR
public import TensorCore

/// Logarithm of the softmax over a block of axes, `y = x − m − log Σ exp(x − m)` with `m` the
/// maximum over the block. ONNX `LogSoftmax`: opsets 1–12 normalise over the flattened axes
/// `axis…` to the end (default axis 1); opset 13+ over the single `axis` (default −1).
///
/// With `s = exp(y)` (the softmax): `ẏ = ẋ − Σ s·ẋ`; `x̄ = ȳ − s·Σ ȳ` (sums over the block,
/// kept as size-1 axes), with graph ops. A primitive for accuracy: no `log` of a rounded softmax.
public struct LogSoftmax: FloatKernel {
  public static let name = "LogSoftmax"
  /// The normalised axes, counted from the end.
  public let axes: ClosedRange<Int>

  public init(axes: ClosedRange<Int>) { self.axes = axes }

  public var description: String { "LogSoftmax(axes: \(axes.lowerBound)...\(axes.upperBound))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    try softmaxTypes(inputs, axes: axes, op: Self.name)
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    softmaxKernel(io, axes: axes, log: true, T.self)
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    let s = try b.apply1(Exp(), [args.outputs[0]])
    return [try b.sub(t, b.reduceSum(b.mul(s, t), axes: Array(axes)))]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil] }
    let s = try b.apply1(Exp(), [args.outputs[0]])
    return [try b.sub(ct, b.mul(s, b.reduceSum(ct, axes: Array(axes))))]
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    reductionBatchRoles(inputs[0], rank: types[0].rank, axes: Array(axes))
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(LogSoftmax(axes: -1 ... -1), [SampleInput([3, 4])]),
      ConformanceCase(LogSoftmax(axes: -2 ... -2), [SampleInput([2, 3, 4])]),
      ConformanceCase(LogSoftmax(axes: -2 ... -1), [SampleInput([2, 3, 4])]),
    ]
  }
}

extension LogSoftmax: ONNXLowering {
  public static let onnxOpTypes = ["LogSoftmax"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    [try b.apply1(LogSoftmax(axes: onnxSoftmaxAxes(node, b)), [node.input(0)], name: node.name)]
  }
}
