import Autodiff
import Executor
import GraphIR
import Ops
import TensorCore

/// A conformance case with a readable name for test output.
struct OpCase: CustomStringConvertible, Sendable {
  let index: Int
  let c: ConformanceCase
  var description: String { c.description }

  /// The sampled inputs: the graph inputs of `singleOpGraph` (constants are nodes inside it).
  var variables: [SampleInput] { c.inputs.filter { $0.constant == nil } }

  /// Every input of the op in order: `values` for the sampled ones, the constants (in `dtype`
  /// when they are floats) in between.
  func opInputs(_ values: [Tensor], dtype: DType) -> [Tensor] {
    var next = values.makeIterator()
    return c.inputs.compactMap { s in
      guard let k = s.constant else { return next.next() }
      return k.dtype.isFloatingPoint ? k.converted(to: dtype) : k
    }
  }
}

let allCases: [OpCase] = OpRegistry.primitives.flatMap { $0.conformanceCases }.enumerated().map { OpCase(index: $0, c: $1) }
let differentiableCases = allCases.filter { $0.variables.contains { $0.differentiable } }

/// Deterministic SplitMix64 so failures reproduce.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  init(seed: Int) { state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

func sample(_ input: SampleInput, _ rng: inout SplitMix) -> Tensor {
  let n = input.shape.reduce(1, *)
  let values: [Double] = (0..<n).map { _ in
    switch input.domain {
    case .real:
      let m = Double.random(in: 0.05...2, using: &rng)
      return Bool.random(using: &rng) ? m : -m
    case .positive: return Double.random(in: 0.2...3, using: &rng)
    case .awayFromZero:
      let m = Double.random(in: 0.5...2, using: &rng)
      return Bool.random(using: &rng) ? m : -m
    }
  }
  return Tensor(uncheckedShape: input.shape, storage: .float64(values))
}

func randomLike(_ t: Tensor, _ rng: inout SplitMix) -> Tensor {
  Tensor(uncheckedShape: t.shape, storage: .float64((0..<t.count).map { _ in Double.random(in: -1...1, using: &rng) }))
}

/// The graph `outputs = op(inputs)` in `dtype`: sampled inputs are graph inputs, fixed ones
/// `Constant` nodes.
func singleOpGraph(_ c: ConformanceCase, dtype: DType = .float64) throws -> Graph {
  var b = GraphBuilder()
  var inputs: [Value] = []
  for (i, s) in c.inputs.enumerated() {
    if let k = s.constant {
      inputs.append(try b.constant(k.dtype.isFloatingPoint ? k.converted(to: dtype) : k))
    } else {
      inputs.append(b.addInput(name: "x\(i)", type: TensorType(dtype, shape: s.shape)))
    }
  }
  let outs = try b.apply(c.op, inputs, name: "op")
  for (i, o) in outs.enumerated() { b.addOutput(o, name: "y\(i)") }
  return b.graph
}

func run(_ g: Graph, _ inputs: [Tensor]) throws -> [Tensor] {
  try Plan(graph: g, inputShapes: inputs.map(\.shape)).run(inputs)
}

func axpy(_ x: Tensor, _ h: Double, _ t: Tensor) -> Tensor {
  Tensor(uncheckedShape: x.shape, storage: .float64(zip(x.doubles, t.doubles).map { $0 + h * $1 }))
}

func dot(_ a: Tensor, _ b: Tensor) -> Double { zip(a.doubles, b.doubles).reduce(0) { $0 + $1.0 * $1.1 } }

/// Largest |a − b| relative to the largest finite magnitude involved (at least 1).
///
/// A NaN or infinity matches only the same non-finite value at the same place; any other
/// pairing makes the error infinite.
func relativeError(_ a: [Double], _ b: [Double]) -> Double {
  guard a.count == b.count else { return .infinity }
  var scale = 1.0
  var worst = 0.0
  for (x, y) in zip(a, b) {
    if !x.isFinite || !y.isFinite {
      if x.isNaN && y.isNaN || x == y { continue }
      return .infinity
    }
    scale = max(scale, abs(x), abs(y))
    worst = max(worst, abs(x - y))
  }
  return worst / scale
}

/// Zeros in place of a symbolic-zero derivative.
func materialize(_ d: Value?, in dg: DerivativeGraph, results: [Tensor], shape: [Int]) -> Tensor {
  guard let d, let i = dg.graph.outputs.firstIndex(of: d) else { return Tensor.filled(0, shape: shape, dtype: .float64) }
  return results[i]
}

/// One-hot seeds: K = Σ counts directions, input `i` gets rows `offset_i ..< offset_i + n_i`.
func oneHotSeeds(_ shapes: [[Int]]) -> [Tensor] {
  let counts = shapes.map { $0.reduce(1, *) }
  let k = counts.reduce(0, +)
  var offset = 0
  return zip(shapes, counts).map { shape, n in
    var v = [Double](repeating: 0, count: k * n)
    for j in 0..<n { v[(offset + j) * n + j] = 1 }
    offset += n
    return Tensor(uncheckedShape: [k] + shape, storage: .float64(v))
  }
}
