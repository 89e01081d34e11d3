public import GraphIR
public import TensorCore

/// A second-order jet step through an elementwise function whose derivatives are given:
/// `JetMul(t, d1, d2)` with `d1 = f′(x)`, `d2 = f″(x)` of the shape `S` of a stack row (see
/// `JetStep`). `Jet.transform` emits it for elementwise ops other than tanh when the jet stops at
/// order two: one pass instead of the chain rule's gathers, products, sums and concatenations.
/// No ONNX counterpart.
///
/// Decomposition (its derivatives): `Mul(t, d1) + GatherScatterAdd(c·d2·Gather(t, a)·Gather(t, b),
/// t, rows)`.
public struct JetMul: JetStep {
  public static let name = "JetMul"
  public static let operandCount = 2
  public let terms: [SecondOrderTerm]

  public init(terms: [SecondOrderTerm]) { self.terms = terms }

  public func jetKernel<T: FloatElement>(_ io: KernelIO, rows: Int, n: Int, table: SecondOrderTermTable, _: T.Type)
    -> Kernel
  {
    let (t, d1, d2, y) = (io.input(0, as: T.self), io.input(1, as: T.self), io.input(2, as: T.self), io.output(0, as: T.self))
    return { VectorMath.jetMul(t: t, d1: d1, d2: d2, y: y, directions: rows, n: n, terms: table) }
  }

  public func decompose(_ b: inout GraphBuilder, _ x: [Value]) throws -> [Value] {
    let (t, d1, d2) = (x[0], x[1], x[2])
    let scaled = try b.mul(t, d1)
    return [try b.add(scaled, termsSum(&b, terms, stack: t, secondDerivative: d2)) ?? scaled]
  }
}
