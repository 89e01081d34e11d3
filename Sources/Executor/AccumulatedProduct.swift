import GraphIR
import TensorCore

/// A row product added to a value of its shape, run as one GEMM that accumulates:
/// `y = c + A·op(W)` as `C = A·op(W) + 1·C` on `y`'s buffer, which is `c`'s own buffer when `c`
/// dies here (else `c` is copied in first).
///
/// Replaces `z = A·op(W)` (`MatMul`, or a `Gemm` without bias, `A` `[…, m, k]` and `W` 2-D) and
/// the elementwise sum `y = c + z` that is `z`'s only reader: in reverse mode through a residual
/// block `h + f(h)`, the cotangent of `h` is `h̄ + (f's cotangent)·W`, one pass over the
/// `[K, B, n]` cotangents fewer (the sum read both and wrote a third).
struct AccumulatedProduct: CustomStringConvertible {
  /// `[c, A, W]`: `c` first, the only input whose buffer `y` may take.
  let inputs: [Value]
  /// `[y]`.
  let outputs: [Value]
  let weightTransposed: Bool
  /// The nodes this step replaces (the product, then the sum).
  let members: [Node]

  var description: String {
    let parts = members.map { $0.name.isEmpty ? $0.op.name : "\($0.op.name) '\($0.name)'" }.joined(separator: ", ")
    return "accumulated product of \(parts)"
  }

  func makeKernel(_ io: KernelIO) -> Kernel? {
    switch io.outputDTypes[0] {
    case .float32: kernel(io, Float.self)
    case .float64: kernel(io, Double.self)
    case .int64, .bool: nil
    }
  }

  private func kernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel {
    let k = io.inputShapes[1].last ?? 0
    let n = io.outputShapes[0].last ?? 0
    let m = io.inputCount(1) / max(k, 1)
    let ldw = io.inputShapes[2].last ?? 0
    let count = io.outputCount(0)
    let (c, a, w) = (io.input(0, as: T.self), io.input(1, as: T.self), io.input(2, as: T.self))
    let y = io.output(0, as: T.self)
    let copiesC = UnsafeMutableRawPointer(c) != UnsafeMutableRawPointer(y)
    let transposed = weightTransposed
    return {
      if copiesC { y.update(from: c, count: count) }
      BLAS.gemm(
        transA: false, transB: transposed, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: w, ldb: ldw, beta: 1, c: y,
        ldc: n)
    }
  }
}

/// Finds row products whose only reader adds them to another value of their shape, and turns
/// each pair into one `AccumulatedProduct` step at the sum's place (where all its inputs exist).
///
/// Products libxsmm runs (`PreparedGEMM.pays`: small layers, where its kernels beat a GEMM call
/// that accumulates) are left as they are.
enum ProductAccumulation {
  static func steps(_ steps: [PlanStep], graph: Graph, types: [TensorType?]) -> [PlanStep] {
    var users: [Int: [Int]] = [:]
    for (i, s) in steps.enumerated() { for v in Set(s.inputs) { users[v.id, default: []].append(i) } }
    let graphOutputs = Set(graph.outputs.map(\.id))
    func shape(_ v: Value) -> [Int]? { types[v.id]?.shape }
    var fusedAt: [Int: AccumulatedProduct] = [:]
    var removed = Set<Int>()
    for (i, step) in steps.enumerated() {
      guard case .node(let p) = step, let product = p.op as? any RowProduct, let transposed = product.weightTransposed,
        p.inputs.count == 2, let z = p.outputs.first, p.outputs.count == 1, !graphOutputs.contains(z.id),
        let dtype = types[z.id]?.dtype, dtype.isFloatingPoint,
        let a = shape(p.inputs[0]), a.count >= 2, let w = shape(p.inputs[1]), w.count == 2, let zs = shape(z),
        zs == Array(a.dropLast()) + [transposed ? w[0] : w[1]], a.last == (transposed ? w[1] : w[0]),
        let readers = users[z.id], readers.count == 1, let j = readers.first, j > i, !removed.contains(j),
        case .node(let sum) = steps[j], sum.op is any ElementwiseSum, sum.inputs.count == 2, sum.outputs.count == 1,
        let other = sum.inputs.first(where: { $0 != z }), sum.inputs.contains(z),
        shape(other) == zs, shape(sum.outputs[0]) == zs,
        [other, sum.outputs[0]].allSatisfy({ types[$0.id]?.dtype == dtype }), types[p.inputs[1].id]?.dtype == dtype,
        types[p.inputs[0].id]?.dtype == dtype
      else { continue }
      let k = a[a.count - 1]
      guard k > 0, !PreparedGEMM<Float>.pays(m: a.dropLast().reduce(1, *), n: zs[zs.count - 1], k: k) else { continue }
      removed.insert(i)
      removed.insert(j)
      fusedAt[j] = AccumulatedProduct(
        inputs: [other, p.inputs[0], p.inputs[1]], outputs: sum.outputs, weightTransposed: transposed,
        members: [p, sum])
    }
    guard !fusedAt.isEmpty else { return steps }
    return steps.indices.compactMap { i in
      if let fused = fusedAt[i] { return .accumulate(fused) }
      return removed.contains(i) ? nil : steps[i]
    }
  }
}
