public import GraphIR
public import TensorCore

/// A second-order jet through an elementwise function whose derivatives are given: `t` stacks a
/// value's derivative streams on its leading axis (`[N, *S]`), `d1 = f′(x)` and `d2 = f″(x)` have
/// the shape `S`, and
///
///     y[s] = d1·t[s] + Σ_{(s, a, b, c) ∈ terms} c·d2·t[a]·t[b]
///
/// (rows `a` and `b` are never targets). `Jet.transform` emits it for elementwise ops other than
/// tanh when the jet stops at order two: one pass instead of the chain rule's gathers, products,
/// sums and concatenations. No ONNX counterpart.
///
/// Derivatives: those of its decomposition `Mul(t, d1) + GatherScatterAdd(c·d2·Gather(t, a)·
/// Gather(t, b), t, rows)`.
public struct JetMul: Primitive {
  public static let name = "JetMul"
  public let terms: [SecondOrderTerm]

  public init(terms: [SecondOrderTerm]) { self.terms = terms }

  public var description: String { "JetMul(\(describe(terms)))" }

  /// May write over `t` (rows are read before they are written, see the kernel).
  public var bufferRule: BufferRule { .inPlace }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 3 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 3 inputs, got \(inputs.count)")
    }
    try checkJetStack(Self.name, inputs[0], derivatives: Array(inputs[1...]), terms: terms)
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

  private func kernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let rows = io.inputShapes[0].first ?? 0
    let n = io.inputShapes[0].dropFirst().reduce(1, *)
    guard io.inputCount(1) == n, io.inputCount(2) == n, let table = SecondOrderTermTable(terms, directions: rows) else {
      return nil
    }
    let (t, d1, d2, y) = (io.input(0, as: T.self), io.input(1, as: T.self), io.input(2, as: T.self), io.output(0, as: T.self))
    return { VectorMath.jetMul(t: t, d1: d1, d2: d2, y: y, directions: rows, n: n, terms: table) }
  }

  func decompose(_ b: inout GraphBuilder, _ x: [Value]) throws -> [Value] {
    let (t, d1, d2) = (x[0], x[1], x[2])
    let scaled = try b.mul(t, d1)
    return [try b.add(scaled, termsSum(&b, terms, stack: t, secondDerivative: d2)) ?? scaled]
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    try b.jvpThroughDecomposition(args, decompose)
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    try b.vjpThroughDecomposition(args, decompose)
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    inputs.contains(.batched) ? nil : [.shared]
  }

  public static var conformanceCases: [ConformanceCase] {
    let laplacian = (0..<3).map { SecondOrderTerm(row: 3, a: $0, b: $0, coefficient: 1) }
    let partials = [
      SecondOrderTerm(row: 2, a: 0, b: 0, coefficient: 1), SecondOrderTerm(row: 3, a: 0, b: 1, coefficient: 1),
      SecondOrderTerm(row: 4, a: 1, b: 1, coefficient: 2.5),
    ]
    return [
      ConformanceCase(JetMul(terms: laplacian), [SampleInput([4, 3, 5]), SampleInput([3, 5]), SampleInput([3, 5])]),
      ConformanceCase(JetMul(terms: partials), [SampleInput([5, 2, 3]), SampleInput([2, 3]), SampleInput([2, 3])]),
      ConformanceCase(JetMul(terms: []), [SampleInput([2, 3]), SampleInput([3]), SampleInput([3])]),
    ]
  }
}

/// `c·d2·t[a]·t[b]` for every term, scattered onto the term's row of a zero stack shaped like
/// `t` (nil without terms): the second-order part of a jet step.
func termsSum(_ b: inout GraphBuilder, _ terms: [SecondOrderTerm], stack t: Value, secondDerivative d2: Value) throws
  -> Value?
{
  guard !terms.isEmpty else { return nil }
  let axis = -b.type(of: t).rank
  func indices(_ v: [Int]) throws -> Value {
    try b.constant(Tensor(uncheckedShape: [v.count], storage: .int64(v.map(Int64.init))))
  }
  let ta = try b.apply1(Gather(axis: axis), [t, try indices(terms.map(\.a))])
  let tb = try b.apply1(Gather(axis: axis), [t, try indices(terms.map(\.b))])
  let c = try b.constant(
    Tensor(
      uncheckedShape: [terms.count] + [Int](repeating: 1, count: b.type(of: t).rank - 1),
      storage: .float64(terms.map(\.coefficient))
    ).converted(to: b.type(of: t).dtype))
  let products = try b.mul(b.mul(b.mul(c, d2), ta), tb)
  return try b.apply1(GatherScatterAdd(axis: axis), [products, t, try indices(terms.map(\.row))])
}

/// Checks a jet step's stack `[N, *S]` against the derivative operands (each of shape `S`) and
/// its terms (rows inside the stack, sources never targets).
func checkJetStack(_ op: String, _ t: TensorType, derivatives: [TensorType], terms: [SecondOrderTerm]) throws {
  for d in derivatives {
    guard t.dtype.isFloatingPoint, d.dtype == t.dtype, t.rank == d.rank + 1,
      zip(t.dims.dropFirst(), d.dims).allSatisfy({ $0 == $1 || $0.value == nil || $1.value == nil })
    else {
      throw GraphError.invalidInputs(
        op: op, node: "", reason: "expected a stack [N, *S] and operands [*S] of one float type, got \(t) and \(d)")
    }
  }
  guard let n = t.dims[0].value else { return }
  let targets = Set(terms.map(\.row))
  for term in terms {
    guard [term.row, term.a, term.b].allSatisfy({ (0..<n).contains($0) }), !targets.contains(term.a),
      !targets.contains(term.b)
    else {
      throw GraphError.invalidInputs(op: op, node: "", reason: "term \(term) does not fit a stack of \(n) rows, or reads a target row")
    }
  }
}

/// `row+=c·a·b, …`.
func describe(_ terms: [SecondOrderTerm]) -> String {
  terms.map { "\($0.row)+=\($0.coefficient)·\($0.a)·\($0.b)" }.joined(separator: ", ")
}
