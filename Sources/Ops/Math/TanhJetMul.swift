public import GraphIR
public import TensorCore

/// A second-order jet through tanh, read from its output `u = tanh(x)`: `t` stacks a value's
/// derivative streams on its leading axis (`[N, *S]`, `u` of shape `S`), and
///
///     y[s] = f′·t[s] + Σ_{(s, a, b, c) ∈ terms} c·f″·t[a]·t[b],   f′ = (1 + u)(1 − u),  f″ = −2·u·f′
///
/// — the first-order chain rule on every stream plus the second-order terms of the streams that
/// are second partials (Faà di Bruno: `∂²y = f′·∂²x + f″·∂x·∂x`). Rows `a` and `b` are never
/// targets. No ONNX counterpart: `Jet.transform` emits it for tanh when the jet stops at order
/// two, and a plan fuses it into a dense layer's epilogue (one GEMM over value and streams).
///
/// Derivatives: those of its decomposition `TanhDerivativeMul(t, u) + GatherScatterAdd(c·f″·
/// Gather(t, a)·Gather(t, b), t, rows)`.
public struct TanhJetMul: Primitive, SecondOrderDerivativeProduct {
  public static let name = "TanhJetMul"
  public let terms: [SecondOrderTerm]

  public init(terms: [SecondOrderTerm]) { self.terms = terms }

  public var secondOrderTerms: [SecondOrderTerm] { terms }

  /// May write over `t` (rows are read before they are written, see the kernel).
  public var bufferRule: BufferRule { .inPlace }

  public var description: String { "TanhJetMul(\(describe(terms)))" }

  public func operand(for activation: Activation) -> ActivationOperand? { activation == .tanh ? .output : nil }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 2 inputs, got \(inputs.count)")
    }
    try checkJetStack(Self.name, inputs[0], derivatives: [inputs[1]], terms: terms)
    return [inputs[0]]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    switch io.outputDTypes[0] {
    case .float32: kernel(io, Float.self)
    case .float64: kernel(io, Double.self)
    case .int64, .bool: nil
    }
  }

  /// Target rows scaled, then their terms added, then the other rows scaled: the fused
  /// epilogue's arithmetic (`og_tanh_jet_mul_*`, `og_dense_jet_epilogue_*`).
  private func kernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let shape = io.inputShapes[0]
    let rows = shape.first ?? 0
    let n = shape.dropFirst().reduce(1, *)
    guard io.inputCount(1) == n, let table = SecondOrderTermTable(terms, directions: rows) else { return nil }
    let (t, u, y) = (io.input(0, as: T.self), io.input(1, as: T.self), io.output(0, as: T.self))
    return { VectorMath.tanhJetMul(t: t, u: u, y: y, directions: rows, n: n, terms: table) }
  }

  /// `TanhDerivativeMul(t, u) + GatherScatterAdd(c·f″·Gather(t, a)·Gather(t, b), t, rows)`.
  func decompose(_ b: inout GraphBuilder, _ x: [Value]) throws -> [Value] {
    let (t, u) = (x[0], x[1])
    let scaled = try b.apply1(TanhDerivativeMul(), [t, u])
    guard !terms.isEmpty else { return [scaled] }
    let d2 = try b.scaled(b.apply1(TanhDerivativeMul(), [u, u]), by: -2)
    return [try b.add(scaled, termsSum(&b, terms, stack: t, secondDerivative: d2)) ?? scaled]
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    try b.jvpThroughDecomposition(args, decompose)
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    try b.vjpThroughDecomposition(args, decompose)
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    inputs[1] == .batched || inputs[0] == .batched ? nil : [.shared]
  }

  public static var conformanceCases: [ConformanceCase] {
    let laplacian = (0..<3).map { SecondOrderTerm(row: 3, a: $0, b: $0, coefficient: 1) }
    let partials = [
      SecondOrderTerm(row: 2, a: 0, b: 0, coefficient: 1), SecondOrderTerm(row: 3, a: 0, b: 1, coefficient: 1),
      SecondOrderTerm(row: 4, a: 1, b: 1, coefficient: 2.5),
    ]
    return [
      ConformanceCase(TanhJetMul(terms: laplacian), [SampleInput([4, 3, 5]), SampleInput([3, 5], .real)]),
      ConformanceCase(TanhJetMul(terms: partials), [SampleInput([5, 2, 3]), SampleInput([2, 3], .real)]),
      ConformanceCase(TanhJetMul(terms: []), [SampleInput([2, 3]), SampleInput([3], .real)]),
    ]
  }
}
