import Autodiff
import Executor
import GraphIR
import TensorCore

/// One output's value and its higher-order streams for a batch, as a `JetLayout` lays them out.
struct JetRun {
  /// The output, `[B, *features]`.
  var value: Tensor
  /// `stacks[k − 1]`: `[B, *features, N_k]`, the streams of order k; nil where structurally zero.
  var stacks: [Tensor?]
}

/// A jet-transformed model compiled for one set of input shapes: the plan and the first-order
/// seeds are built once; each call runs the plan.
struct CompiledJet: Sendable {
  let layout: JetLayout
  let plan: ParallelPlan
  let seeds: [Tensor]
  let valueIndex: Int
  /// Per order, the plan output holding its stack (nil: structurally zero).
  let stackIndices: [Int?]
  let outputShape: [Int]
  let dtype: DType

  func callAsFunction(_ inputs: [Tensor]) throws -> JetRun {
    let results = try plan.run(inputs + seeds)
    return JetRun(value: results[valueIndex], stacks: stackIndices.map { $0.map { results[$0] } })
  }

  var summary: String { plan.summary }
}

extension Model {
  /// Compiles the jet of output `of` with respect to the variables of `wrt` for `layout`.
  /// Requires batch independence, like the per-sample Jacobian.
  func compileJet(of name: String, variables: Variables, layout: JetLayout, inputShapes: [[Int]], what: String) throws
    -> CompiledJet
  {
    let types = try Plan.concreteTypes(graph, inputShapes: inputShapes)
    let (out, outShape) = try perSampleOutput(name, variables: variables, types: types, what: what)
    let batch = variables.batch
    let dtype = graph.type(of: out).dtype
    let streams = layout.streams.reduce(0) { $0 + $1.count }
    try Self.checkSize(outShape + [streams], dtype: dtype, what: "the \(streams) derivative streams of '\(name)' \(outShape)")
    let jg = try Jet.transform(graph, of: out, wrt: variables.values, layout: layout)
    let seeds = variables.inputs.map { Self.jetSeed(layout, input: $0, batch: batch, dtype: dtype) }
    let primalAxes = graph.inputs.map { graph.type(of: $0).rank >= 1 ? 0 : nil } as [Int?]
    let outputs = jg.graph.outputs
    let plan = try ParallelPlan(
      graph: jg.graph, inputShapes: inputShapes + seeds.map(\.shape),
      inputBatchAxes: primalAxes + seeds.map { _ in 1 },
      outputBatchAxes: outputs.map { $0 == out ? 0 : 1 },
      outputLayouts: outputs.map { $0 == out ? .graph : .sampleMajor })
    guard let valueIndex = outputs.firstIndex(of: out) else {
      throw ONNXGradError.notPerSample("internal: output '\(name)' missing from the derivative graph")
    }
    return CompiledJet(
      layout: layout, plan: plan, seeds: seeds, valueIndex: valueIndex,
      stackIndices: jg.stacks.map { s in s.flatMap { outputs.firstIndex(of: $0) } }, outputShape: outShape,
      dtype: dtype)
  }

  /// The first-order seed of one input, `[N₁, B, *features]`: 1 where first-order stream j's
  /// variable is this input's feature.
  static func jetSeed(_ layout: JetLayout, input: Variables.Input, batch: Int, dtype: DType) -> Tensor {
    let first = layout.streams.first ?? []
    let n = input.count
    var v = [Double](repeating: 0, count: first.count * batch * n)
    for (j, stream) in first.enumerated() {
      guard let variable = stream.terms.first?.partial.first else { continue }
      let f = variable - input.offset
      guard (0..<n).contains(f) else { continue }
      for b in 0..<batch { v[(j * batch + b) * n + f] = 1 }
    }
    return Tensor(uncheckedShape: [first.count, batch] + input.features, storage: .float64(v)).converted(to: dtype)
  }
}
