public import GraphIR
public import TensorCore

/// Scaling by tanh's derivative read from its output, `y = t · (1 + u)(1 − u)` with
/// broadcasting (`u = tanh(x)`). No ONNX counterpart: it is the JVP and VJP of `Tanh` in one
/// node instead of four (`1 + u`, `1 − u`, their product, the scaling), which also lets a plan
/// fuse it into a dense layer's epilogue.
///
/// Linear in `t`: `ẏ = TanhDerivativeMul(ṫ, u) − 2·t·u·u̇`; `t̄ = Σ_bcast TanhDerivativeMul(ȳ, u)`,
/// `ū = Σ_bcast −2·ȳ·t·u`.
public struct TanhDerivativeMul: BinaryBroadcasting, ActivationDerivativeProduct {
  public static let name = "TanhDerivativeMul"
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ t: T, _ u: T) -> T { t * ((1 + u) * (1 - u)) }

  public func operand(for activation: Activation) -> ActivationOperand? { activation == .tanh ? .output : nil }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let tangents = try alignedTangents(&b, args)
    let (t, u) = (args.primals[0], args.primals[1])
    let viaT = try tangents[0].map { try b.apply1(self, [$0, u]) }
    let viaU = try tangents[1].map { try b.scaled(b.mul(b.mul(t, u), $0), by: -2) }
    return [try b.add(viaT, viaU)]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    let (t, u) = (args.primals[0], args.primals[1])
    let d = args.directionAxes
    return [
      try b.reduceCotangent(b.apply1(self, [ct, u]), to: t, directionAxes: d),
      try b.reduceCotangent(b.scaled(b.mul(ct, b.mul(t, u)), by: -2), to: u, directionAxes: d),
    ]
  }

  public static var conformanceCases: [ConformanceCase] { binaryConformanceCases(TanhDerivativeMul()) }
}
