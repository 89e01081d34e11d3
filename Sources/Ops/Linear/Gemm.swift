public import GraphIR
public import TensorCore

/// General matrix multiply, `y = α·op(A)·op(B) + β·C`, with `A`, `B` 2-D and `C` (optional)
/// broadcast to `[M, N]`. ONNX `Gemm` (opset 7+ broadcasting; `C` optional since 11). This is
/// what `nn.Linear` on 2-D input exports to (`transB = 1`).
///
/// Bilinear in `(A, B)`, linear in `C`: `ẏ = α·(op(Ȧ)·op(B) + op(A)·op(Ḃ)) + β·Ċ`; the VJP is
/// that of `MatMul`, scaled by α, plus `C̄ = β·Σ_bcast ȳ`. Tangents with direction axes go
/// through batched `MatMul`.
public struct Gemm: FloatKernel, RowProduct {
  public static let name = "Gemm"
  public let alpha: Double
  public let beta: Double
  public let transA: Bool
  public let transB: Bool

  public init(alpha: Double = 1, beta: Double = 1, transA: Bool = false, transB: Bool = false) {
    self.alpha = alpha
    self.beta = beta
    self.transA = transA
    self.transB = transB
  }

  public var weightTransposed: Bool? { alpha == 1 && beta == 1 && !transA ? transB : nil }

  public var description: String { "Gemm(alpha: \(alpha), beta: \(beta), transA: \(transA), transB: \(transB))" }

  private func fail(_ reason: String) -> GraphError { .invalidInputs(op: Self.name, node: "", reason: reason) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 || inputs.count == 3 else { throw fail("expected 2 or 3 inputs, got \(inputs.count)") }
    let (a, b) = (inputs[0], inputs[1])
    guard a.rank == 2, b.rank == 2 else { throw fail("A and B must be 2-D, got \(a) and \(b)") }
    guard inputs.allSatisfy({ $0.dtype == a.dtype }), a.dtype.isFloatingPoint else {
      throw fail("inputs must all be f32 or all f64, got \(inputs.map(\.dtype))")
    }
    let (m, ka) = transA ? (a.dims[1], a.dims[0]) : (a.dims[0], a.dims[1])
    let (kb, n) = transB ? (b.dims[1], b.dims[0]) : (b.dims[0], b.dims[1])
    if let x = ka.value, let y = kb.value, x != y {
      throw fail("inner dimensions differ: op(A) is \(m)×\(x), op(B) is \(y)×\(n)")
    }
    if inputs.count == 3 {
      let c = inputs[2]
      guard c.rank <= 2 else { throw fail("C must have rank ≤ 2, got \(c)") }
      let target = [m, n].suffix(c.rank)
      for (dc, dt) in zip(c.dims, target) where dc != .known(1) && Dim.broadcast(dc, dt) == nil {
        throw fail("C of shape \(c) does not broadcast to [\(m), \(n)]")
      }
    }
    return [TensorType(a.dtype, [m, n])]
  }

  /// Runs the plan kernel (the shape rule checks dtypes first).
  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let (sa, sb) = (io.inputShapes[0], io.inputShapes[1])
    let (m, k) = transA ? (sa[1], sa[0]) : (sa[0], sa[1])
    let n = transB ? sb[0] : sb[1]
    let (a, b, y) = (io.input(0, as: T.self), io.input(1, as: T.self), io.output(0, as: T.self))
    let (ta, tb, alphaT) = (transA, transB, T(alpha))
    guard io.inputs.count == 3, beta != 0 else {
      if alpha == 1 && !transA {
        let product = BLAS.rowProduct(m: m, n: n, k: k, transB: tb, b: UnsafePointer(b), ldb: sb[1], bIsConstant: io.constantInputs[1])
        return { product(a, y) }
      }
      return { BLAS.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alphaT, a: a, lda: sa[1], b: b, ldb: sb[1], beta: 0, c: y, ldc: n) }
    }
    let c = io.input(2, as: T.self)
    let cStrides = Broadcasting.strides(of: io.inputShapes[2], in: [m, n])
    let betaT = T(beta)
    return {
      Kernels.expand(c, y, shape: [m, n], xStrides: cStrides)
      BLAS.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: alphaT, a: a, lda: sa[1], b: b, ldb: sb[1], beta: betaT, c: y, ldc: n)
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let (x, y) = (args.primals[0], args.primals[1])
    let product = MatMul(transA: transA, transB: transB)
    let left = try args.tangents[0].map { try b.apply1(product, [$0, y]) }
    let right = try args.tangents[1].map { try b.apply1(product, [x, $0]) }
    var result = try b.add(left, right).map { try b.scaled($0, by: alpha) }
    if args.tangents.count == 3, let tc = args.tangents[2], beta != 0 {
      let aligned = try b.alignTangent(
        tc, operandRank: b.type(of: args.primals[2]).rank, outputRank: 2, directionAxes: args.directionAxes)
      let scaledC = try b.scaled(aligned, by: beta)
      result = try result.map { try b.add($0, scaledC) }
        ?? b.broadcastTangent(scaledC, toOutput: args.outputs[0], directionAxes: args.directionAxes)
    }
    return [result]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return Array(repeating: nil, count: args.primals.count) }
    let matmul = try MatMul(transA: transA, transB: transB).vjp(
      &b, VJPArguments(primals: Array(args.primals.prefix(2)), outputs: args.outputs, cotangents: [ct], directionAxes: args.directionAxes))
    var result = try matmul.map { try $0.map { try b.scaled($0, by: alpha) } }
    if args.primals.count == 3 {
      result.append(
        beta == 0 ? nil : try b.scaled(b.reduceCotangent(ct, to: args.primals[2], directionAxes: args.directionAxes), by: beta))
    }
    return result
  }

  /// Rows stay rows when only `A` is batched and not transposed (C may be batched by rows too).
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    guard inputs[1] == .shared else { return nil }
    let cBatched = inputs.count == 3 && inputs[2] == .batched
    if cBatched && types[2].rank != 2 { return nil }
    if inputs[0] == .batched { return transA ? nil : [.batched] }
    return [cBatched ? .batched : .shared]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Gemm(transB: true), [SampleInput([3, 4]), SampleInput([2, 4]), SampleInput([2])]),
      ConformanceCase(Gemm(alpha: 0.5, beta: 2), [SampleInput([3, 4]), SampleInput([4, 2]), SampleInput([3, 1])]),
      ConformanceCase(Gemm(alpha: 1.5, transA: true), [SampleInput([4, 3]), SampleInput([4, 2])]),
      ConformanceCase(
        Gemm(alpha: 0.75, beta: 0.5, transA: true, transB: true),
        [SampleInput([4, 3]), SampleInput([2, 4]), SampleInput([3, 2])]),
    ]
  }
}

extension Gemm: ONNXLowering {
  public static let onnxOpTypes = ["Gemm"]
  public static let onnxOpsets = 7...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(2...3)
    let op = Gemm(
      alpha: try node.float("alpha", default: 1), beta: try node.float("beta", default: 1),
      transA: try node.int("transA", default: 0) != 0, transB: try node.int("transB", default: 0) != 0)
    var inputs = [try node.input(0), try node.input(1)]
    if let c = node.optionalInput(2) { inputs.append(c) }
    return [try b.apply1(op, inputs, name: node.name)]
  }
}
