public import GraphIR
public import TensorCore

/// A second-order jet step through an elementwise function: input 0 stacks a value's derivative
/// streams on its leading axis (`[N, *S]`), the other inputs (`operandCount` of them) have the
/// shape `S` and give the function's derivatives, and
///
///     y[s] = f′·t[s] + Σ_{(s, a, b, c) ∈ terms} c·f″·t[a]·t[b]
///
/// (rows `a` and `b` are never targets). A conforming op supplies the kernel and the same step
/// built from other primitives (`decompose`); this kind supplies the shape rule, `forward`, the
/// in-place buffer rule, the derivative rules (those of the decomposition), the batch rule and
/// the conformance cases.
public protocol JetStep: Primitive {
  init(terms: [SecondOrderTerm])
  var terms: [SecondOrderTerm] { get }
  /// The derivative operands after the stack.
  static var operandCount: Int { get }
  /// The kernel for a stack of `rows` rows of `n` elements, with the terms laid out in `table`.
  func jetKernel<T: FloatElement>(_ io: KernelIO, rows: Int, n: Int, table: SecondOrderTermTable, _: T.Type) -> Kernel
  /// The step built from other primitives.
  func decompose(_ b: inout GraphBuilder, _ x: [Value]) throws -> [Value]
}

extension JetStep {
  public var description: String {
    "\(Self.name)(\(terms.map { "\($0.row)+=\($0.coefficient)·\($0.a)·\($0.b)" }.joined(separator: ", ")))"
  }

  /// May write over the stack (rows are read before they are written, see the kernels).
  public var bufferRule: BufferRule { .inPlace }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    func fail(_ reason: String) -> GraphError { .invalidInputs(op: Self.name, node: "", reason: reason) }
    guard inputs.count == 1 + Self.operandCount else {
      throw fail("expected \(1 + Self.operandCount) inputs, got \(inputs.count)")
    }
    let t = inputs[0]
    for d in inputs.dropFirst() {
      guard t.dtype.isFloatingPoint, d.dtype == t.dtype, t.rank == d.rank + 1,
        zip(t.dims.dropFirst(), d.dims).allSatisfy({ $0 == $1 || $0.value == nil || $1.value == nil })
      else { throw fail("expected a stack [N, *S] and operands [*S] of one float type, got \(t) and \(d)") }
    }
    if let n = t.dims[0].value, SecondOrderTermTable(terms, directions: n) == nil {
      throw fail("terms \(terms) do not fit a stack of \(n) rows, or read a target row")
    }
    return [t]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    let rows = io.inputShapes[0].first ?? 0
    let n = io.inputShapes[0].dropFirst().reduce(1, *)
    guard (1...Self.operandCount).allSatisfy({ io.inputCount($0) == n }),
      let table = SecondOrderTermTable(terms, directions: rows)
    else { return nil }
    switch io.outputDTypes[0] {
    case .float32: return jetKernel(io, rows: rows, n: n, table: table, Float.self)
    case .float64: return jetKernel(io, rows: rows, n: n, table: table, Double.self)
    case .int64, .bool: return nil
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    try b.jvpThroughDecomposition(args, decompose)
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    try b.vjpThroughDecomposition(args, decompose)
  }

  /// The stack's leading axis is not the batch: a batched input makes the rows of axis 0 mix.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    inputs.contains(.batched) ? nil : [.shared]
  }

  /// A Laplacian's terms (one target summing three squares), a Hessian's (three targets, one
  /// coefficient not 1) and none.
  public static var conformanceCases: [ConformanceCase] {
    let laplacian = (0..<3).map { SecondOrderTerm(row: 3, a: $0, b: $0, coefficient: 1) }
    let partials = [
      SecondOrderTerm(row: 2, a: 0, b: 0, coefficient: 1), SecondOrderTerm(row: 3, a: 0, b: 1, coefficient: 1),
      SecondOrderTerm(row: 4, a: 1, b: 1, coefficient: 2.5),
    ]
    func operands(_ shape: [Int]) -> [SampleInput] { (0..<operandCount).map { _ in SampleInput(shape) } }
    return [
      ConformanceCase(Self(terms: laplacian), [SampleInput([4, 3, 5])] + operands([3, 5])),
      ConformanceCase(Self(terms: partials), [SampleInput([5, 2, 3])] + operands([2, 3])),
      ConformanceCase(Self(terms: []), [SampleInput([2, 3])] + operands([3])),
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

