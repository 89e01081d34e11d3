import Autodiff
import Executor
import GraphIR
import TensorCore

/// One output's value and its higher-order streams for a batch, as a `JetLayout` lays them out.
struct JetRun {
  /// The output, `[B, *features]`.
  var value: Tensor
  /// `[B, *features, R]`: every stream in layout order; nil when all are zero.
  var stack: Tensor?
}

/// A jet-transformed model compiled for one set of input shapes: the plan and the first-order
/// seeds are built once; each call runs the plan.
struct CompiledJet: Sendable {
  let layout: JetLayout
  let plan: ParallelPlan
  let seeds: [Tensor]
  let valueIndex: Int
  /// The plan output holding the stack (nil: every stream is structurally zero).
  let stackIndex: Int?
  /// The highest order the stack holds; higher orders are structurally zero.
  let orders: Int
  let outputShape: [Int]
  let dtype: DType

  func callAsFunction(_ inputs: [Tensor]) throws -> JetRun {
    let results = try plan.run(inputs + seeds)
    return JetRun(value: results[valueIndex], stack: stackIndex.map { results[$0] })
  }

  /// The stack's row count (every stream of the layout).
  var rows: Int { layout.streams.reduce(0) { $0 + $1.count } }

  /// The stack row of the stream at `index` among those of `order`; nil when structurally zero.
  func row(order: Int, index: Int) -> Int? {
    guard order <= orders, stackIndex != nil else { return nil }
    return layout.streams.prefix(order - 1).reduce(0) { $0 + $1.count } + index
  }

  var summary: String { plan.summary }
}

extension Model {
  /// Compiles the jet of output `of` with respect to the variables of `wrt` for `layout`.
  /// Requires batch independence, like the per-sample Jacobian.
  func compileJet(of name: String, variables: Variables, layout: JetLayout, inputShapes: [[Int]], what: String) throws
    -> CompiledJet
  {
    let (out, outShape) = try perSampleOutput(name, variables: variables, types: variables.types, what: what)
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
      stackIndex: jg.stack.flatMap { outputs.firstIndex(of: $0) }, orders: jg.orders, outputShape: outShape, dtype: dtype)
  }

  /// The seed of one input, `[R, B, *features]` (R: the layout's stream count): 1 where
  /// first-order stream j's variable is this input's feature, 0 elsewhere and in the rows of
  /// higher orders.
  static func jetSeed(_ layout: JetLayout, input: Variables.Input, batch: Int, dtype: DType) -> Tensor {
    let first = layout.streams.first ?? []
    let rows = layout.streams.reduce(0) { $0 + $1.count }
    let n = input.count
    var v = [Double](repeating: 0, count: rows * batch * n)
    for (j, stream) in first.enumerated() {
      guard let variable = stream.terms.first?.partial.first else { continue }
      let f = variable - input.offset
      guard (0..<n).contains(f) else { continue }
      for b in 0..<batch { v[(j * batch + b) * n + f] = 1 }
    }
    return Tensor(uncheckedShape: [rows, batch] + input.features, storage: .float64(v)).converted(to: dtype)
  }
}
