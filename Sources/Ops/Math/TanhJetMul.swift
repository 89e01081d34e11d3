public import GraphIR
public import TensorCore

/// A second-order jet step through tanh, read from its output `u = tanh(x)` (see `JetStep`):
/// `f′ = (1 + u)(1 − u)`, `f″ = −2·u·f′` — the first-order chain rule on every stream plus the
/// second-order terms of the streams that are second partials (Faà di Bruno: `∂²y = f′·∂²x +
/// f″·∂x·∂x`). No ONNX counterpart: `Jet.transform` emits it for tanh when the jet stops at order
/// two, and a plan fuses it into a dense layer's epilogue (one GEMM over value and streams).
///
/// Decomposition (its derivatives): `TanhDerivativeMul(t, u) + GatherScatterAdd(c·f″·Gather(t, a)·
/// Gather(t, b), t, rows)`.
public struct TanhJetMul: JetStep, SecondOrderDerivativeProduct {
  public static let name = "TanhJetMul"
  public static let operandCount = 1
  public let terms: [SecondOrderTerm]

  public init(terms: [SecondOrderTerm]) { self.terms = terms }

  public var secondOrderTerms: [SecondOrderTerm] { terms }

  public func operand(for activation: Activation) -> ActivationOperand? { activation == .tanh ? .output : nil }

  /// Target rows scaled, then their terms added, then the other rows scaled: the fused
  /// epilogue's arithmetic (`og_tanh_jet_mul_*`, `og_dense_jet_epilogue_*`).
  public func jetKernel<T: FloatElement>(_ io: KernelIO, rows: Int, n: Int, table: SecondOrderTermTable, _: T.Type)
    -> Kernel
  {
    let (t, u, y) = (io.input(0, as: T.self), io.input(1, as: T.self), io.output(0, as: T.self))
    return { VectorMath.tanhJetMul(t: t, u: u, y: y, directions: rows, n: n, terms: table) }
  }

  public func decompose(_ b: inout GraphBuilder, _ x: [Value]) throws -> [Value] {
    let (t, u) = (x[0], x[1])
    let scaled = try b.apply1(TanhDerivativeMul(), [t, u])
    guard !terms.isEmpty else { return [scaled] }
    let d2 = try b.scaled(b.apply1(TanhDerivativeMul(), [u, u]), by: -2)
    return [try b.add(scaled, termsSum(&b, terms, stack: t, secondDerivative: d2)) ?? scaled]
  }
}
