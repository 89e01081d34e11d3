public import GraphIR
public import TensorCore

/// Batched matrix product `y = op(a) · op(b)` over the last two axes, where `op` transposes when
/// `transA`/`transB` is set; leading axes broadcast (NumPy `matmul`). ONNX `MatMul` (opset 1+,
/// both flags false; 1-D operands are lowered to rank 2 and back, see the lowering).
///
/// Bilinear: `ẏ = op(ȧ)·op(b) + op(a)·op(ḃ)`; `ā = ȳ·op(b)ᵀ` (or `op(b)·ȳᵀ` when `transA`),
/// `b̄ = op(a)ᵀ·ȳ` (or `ȳᵀ·op(a)` when `transB`), each summed over broadcast axes.
public struct MatMul: FloatKernel, RowProduct {
  public static let name = "MatMul"
  public let transA: Bool
  public let transB: Bool

  public init(transA: Bool = false, transB: Bool = false) {
    self.transA = transA
    self.transB = transB
  }

  public var weightTransposed: Bool? { transA ? nil : transB }

  public var description: String { "MatMul(transA: \(transA), transB: \(transB))" }

  private func fail(_ reason: String) -> GraphError { .invalidInputs(op: Self.name, node: "", reason: reason) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else { throw fail("expected 2 inputs, got \(inputs.count)") }
    let (a, b) = (inputs[0], inputs[1])
    guard a.dtype == b.dtype, a.dtype.isFloatingPoint else {
      throw fail("inputs must both be f32 or both f64, got \(a.dtype) and \(b.dtype)")
    }
    guard a.rank >= 2, b.rank >= 2 else { throw fail("operands must have rank ≥ 2, got \(a) and \(b)") }
    let (m, ka) = transA ? (a.dims[a.rank - 1], a.dims[a.rank - 2]) : (a.dims[a.rank - 2], a.dims[a.rank - 1])
    let (kb, n) = transB ? (b.dims[b.rank - 1], b.dims[b.rank - 2]) : (b.dims[b.rank - 2], b.dims[b.rank - 1])
    if let x = ka.value, let y = kb.value, x != y {
      throw fail("inner dimensions differ: \(a) · \(b) contracts \(x) with \(y)")
    }
    let batchA = Array(a.dims.dropLast(2))
    let batchB = Array(b.dims.dropLast(2))
    let rank = max(batchA.count, batchB.count)
    var batch: [Dim] = []
    for i in 0..<rank {
      let da = i < rank - batchA.count ? Dim.known(1) : batchA[i - (rank - batchA.count)]
      let db = i < rank - batchB.count ? Dim.known(1) : batchB[i - (rank - batchB.count)]
      guard let d = Dim.broadcast(da, db) else { throw fail("batch axes of \(a) and \(b) cannot be broadcast") }
      batch.append(d)
    }
    return [TensorType(a.dtype, batch + [m, n])]
  }

  /// Runs the plan kernel (the shape rule checks dtypes first).
  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let (xs, ys) = (io.inputShapes[0], io.inputShapes[1])
    let (ra, ca) = (xs[xs.count - 2], xs[xs.count - 1])
    let (rb, cb) = (ys[ys.count - 2], ys[ys.count - 1])
    let (m, k) = transA ? (ca, ra) : (ra, ca)
    let n = transB ? rb : cb
    let batchA = Array(xs.dropLast(2))
    let batchB = Array(ys.dropLast(2))
    guard let batch = try? Broadcasting.shape(batchA, batchB) else { return nil }
    let batchCount = batch.reduce(1, *)
    let (a, b, y) = (io.input(0, as: T.self), io.input(1, as: T.self), io.output(0, as: T.self))
    let (ta, tb) = (transA, transB)
    if batchB.allSatisfy({ $0 == 1 }) && !transA && batchA == batch {
      let product = BLAS.rowProduct(
        m: batchCount * m, n: n, k: k, transB: tb, b: UnsafePointer(b), ldb: cb, bIsConstant: io.constantInputs[1])
      return { product(a, y) }
    }
    let stridesA = Broadcasting.strides(of: batchA, in: batch)
    let stridesB = Broadcasting.strides(of: batchB, in: batch)
    var offsets: [(Int, Int)] = []
    for i in 0..<batchCount {
      var rest = i
      var offA = 0
      var offB = 0
      for axis in stride(from: batch.count - 1, through: 0, by: -1) {
        let idx = rest % batch[axis]
        rest /= batch[axis]
        offA += idx * stridesA[axis]
        offB += idx * stridesB[axis]
      }
      offsets.append((offA * ra * ca, offB * rb * cb))
    }
    return {
      for (i, (oa, ob)) in offsets.enumerated() {
        BLAS.gemm(transA: ta, transB: tb, m: m, n: n, k: k, alpha: 1, a: a + oa, lda: ca, b: b + ob, ldb: cb, beta: 0, c: y + i * m * n, ldc: n)
      }
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let (x, y) = (args.primals[0], args.primals[1])
    let outRank = b.type(of: args.outputs[0]).rank
    let d = args.directionAxes
    let left = try args.tangents[0].map {
      try b.apply1(self, [b.alignTangent($0, operandRank: b.type(of: x).rank, outputRank: outRank, directionAxes: d), y])
    }
    let right = try args.tangents[1].map {
      try b.apply1(self, [x, b.alignTangent($0, operandRank: b.type(of: y).rank, outputRank: outRank, directionAxes: d)])
    }
    return [try b.add(left, right)]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    let (x, y) = (args.primals[0], args.primals[1])
    let d = args.directionAxes
    let ctA =
      transA
      ? try b.apply1(MatMul(transA: transB, transB: true), [y, ct])
      : try b.apply1(MatMul(transA: false, transB: !transB), [ct, y])
    let ctB =
      transB
      ? try b.apply1(MatMul(transA: true, transB: transA), [ct, x])
      : try b.apply1(MatMul(transA: !transA, transB: false), [x, ct])
    return [
      try b.reduceCotangent(ctA, to: x, directionAxes: d),
      try b.reduceCotangent(ctB, to: y, directionAxes: d),
    ]
  }

  /// Rows stay rows when the batched operand's axis 0 is a batch axis of the product, or the
  /// row axis of an untransposed 2-D `a`; a batched `b` of rank 2 mixes rows.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    let (a, b) = (types[0], types[1])
    switch (inputs[0], inputs[1]) {
    case (.shared, .shared): return [.shared]
    case (.batched, .shared):
      return a.rank >= b.rank && (a.rank >= 3 || !transA) ? [.batched] : nil
    case (.shared, .batched):
      return b.rank >= 3 && b.rank >= a.rank ? [.batched] : nil
    case (.batched, .batched):
      return a.rank >= 3 && a.rank == b.rank ? [.batched] : nil
    }
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(MatMul(), [SampleInput([3, 4]), SampleInput([4, 2])]),
      ConformanceCase(MatMul(transA: true), [SampleInput([4, 3]), SampleInput([4, 2])]),
      ConformanceCase(MatMul(transB: true), [SampleInput([3, 4]), SampleInput([2, 4])]),
      ConformanceCase(MatMul(transA: true, transB: true), [SampleInput([4, 3]), SampleInput([2, 4])]),
      ConformanceCase(MatMul(), [SampleInput([2, 3, 4]), SampleInput([4, 2])]),
      ConformanceCase(MatMul(), [SampleInput([3, 4]), SampleInput([2, 4, 2])]),
      ConformanceCase(MatMul(transB: true), [SampleInput([2, 1, 3, 4]), SampleInput([3, 2, 4])]),
    ]
  }
}

extension MatMul: ONNXLowering {
  public static let onnxOpTypes = ["MatMul"]
  public static let onnxOpsets = 1...22

  /// A 1-D operand follows NumPy: a first operand `[n]` is `[1, n]` and a second `[n, 1]`, and
  /// that axis is removed from the product (`InsertAxes` before, `RemoveAxes` after).
  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(2...2)
    var (x, y) = (try node.input(0), try node.input(1))
    let (ra, rb) = (b.type(of: x).rank, b.type(of: y).rank)
    guard ra >= 1, rb >= 1 else {
      throw GraphError.invalidInputs(
        op: "MatMul", node: node.name, reason: "operands must have rank ≥ 1 (got \(b.type(of: x)) · \(b.type(of: y)))")
    }
    if ra == 1 { x = try b.apply1(InsertAxes(at: 0, count: 1), [x]) }
    if rb == 1 { y = try b.apply1(InsertAxes(at: 1, count: 1), [y]) }
    var out = try b.apply1(MatMul(), [x, y], name: ra > 1 && rb > 1 ? node.name : "")
    if ra == 1 {
      out = try b.apply1(RemoveAxes(at: b.type(of: out).rank - 2, count: 1), [out], name: rb > 1 ? node.name : "")
    }
    if rb == 1 { out = try b.apply1(RemoveAxes(at: b.type(of: out).rank - 1, count: 1), [out], name: node.name) }
    return [out]
  }
}
