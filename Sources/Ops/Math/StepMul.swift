public import GraphIR
public import TensorCore

/// Masked scaling, `y = t · (x > 0 ? high : low)` with broadcasting (NaN `x` takes `low`, as
/// PyTorch's ReLU and LeakyReLU backward do). No ONNX counterpart: it is the JVP and VJP of ReLU
/// (`low = 0`) and LeakyReLU (`low = α`) in one pass, instead of building the `Step(x)` mask and
/// multiplying (half the memory traffic on the `[K, B, n]` tangents of a per-sample Jacobian).
///
/// Linear in `t`, piecewise constant in `x`: `ẏ = StepMul(ṫ, x)`; `t̄ = Σ_bcast StepMul(ȳ, x)`,
/// `x̄ = 0`.
public struct StepMul: BinaryBroadcasting, ActivationDerivativeProduct {
  public static let name = "StepMul"
  public let low: Double
  public let high: Double

  public init(low: Double, high: Double = 1) {
    self.low = low
    self.high = high
  }

  public var description: String { "StepMul(low: \(low), high: \(high))" }

  public func apply<T: FloatElement>(_ t: T, _ x: T) -> T { t * (x > 0 ? T(high) : T(low)) }

  /// The derivative product of `leakyRelu(slope: low)` (and ReLU, `low = 0`) when `high = 1`.
  public func operand(for activation: Activation) -> ActivationOperand? {
    activation == .leakyRelu(slope: low) && high == 1 ? .input : nil
  }

  /// A mask shared by every row of `t` (the common case: `[K, B, n]` tangents, `[B, n]` mask)
  /// runs the vectorised `VectorMath.stepMul`; other broadcasts take the generic loop.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    let layout = Kernels.BinaryLayout(aShape: io.inputShapes[0], bShape: io.inputShapes[1], outShape: io.outputShapes[0])
    let period: Int?
    switch layout {
    case .same(let n): period = n
    case .periodicB(_, let m): period = m
    default: period = nil
    }
    let n = io.outputCount(0)
    switch io.outputDTypes[0] {
    case .float32:
      let (t, x, y) = (io.input(0, as: Float.self), io.input(1, as: Float.self), io.output(0, as: Float.self))
      let (lo, hi) = (Float(low), Float(high))
      if let m = period { return { VectorMath.stepMul(t, x, y, count: n, period: m, low: lo, high: hi) } }
      return { Kernels.binary(t, x, y, layout) { $0 * ($1 > 0 ? hi : lo) } }
    case .float64:
      let (t, x, y) = (io.input(0, as: Double.self), io.input(1, as: Double.self), io.output(0, as: Double.self))
      let (lo, hi) = (low, high)
      if let m = period { return { VectorMath.stepMul(t, x, y, count: n, period: m, low: lo, high: hi) } }
      return { Kernels.binary(t, x, y, layout) { $0 * ($1 > 0 ? hi : lo) } }
    case .int64, .bool:
      return nil
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    let aligned = try b.alignTangent(
      t, operandRank: b.type(of: args.primals[0]).rank, outputRank: b.type(of: args.outputs[0]).rank,
      directionAxes: args.directionAxes)
    return [
      try b.broadcastTangent(b.apply1(self, [aligned, args.primals[1]]), toOutput: args.outputs[0], directionAxes: args.directionAxes)
    ]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    let scaled = try b.apply1(self, [ct, args.primals[1]])
    return [try b.reduceCotangent(scaled, to: args.primals[0], directionAxes: args.directionAxes), nil]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(StepMul(low: 0.2), [SampleInput([3, 4]), SampleInput([3, 4], differentiable: false)]),
      ConformanceCase(StepMul(low: 0), [SampleInput([2, 3, 4]), SampleInput([3, 4], differentiable: false)]),
      ConformanceCase(StepMul(low: 0.01), [SampleInput([3, 4]), SampleInput([2, 3, 4], differentiable: false)]),
    ]
  }
}
