public import GraphIR
public import TensorCore

/// A graph run over row chunks of its batch, in parallel on all cores.
///
/// Valid only for graphs whose rows are independent along the batch axis (the caller proves
/// this). Each input and output names the axis that carries the batch (nil: not batched, given
/// whole to every chunk). Each thread has its own plans (one per chunk size), so memory stays
/// bounded by the chunk size whatever the batch; small batches run as one plan on the caller.
///
/// Chunks: a multiple of the thread count (so threads get equal shares) of at most
/// `maximumChunkRows` rows each; where a chunk's arena would exceed `maximumChunkBytes`, more and
/// smaller chunks (still a multiple of the thread count), so that each thread's buffers stay in
/// cache between the passes over them.
///
/// `@unchecked Sendable`: immutable after `init`; concurrent `run` calls are serialised by the
/// worker pool, and within a run each chunk uses the plan set `SlotCounter` gave its thread.
public final class ParallelPlan: @unchecked Sendable {
  public let graph: Graph
  /// Concrete types for the full batch (from a plan compiled for it).
  public let types: [TensorType?]
  public let batch: Int
  public let chunkRows: Int
  let inputBatchAxes: [Int?]
  let outputBatchAxes: [Int?]
  /// Each output's batch axis, layout, and shape as returned in that layout.
  private let layoutSpecs: [(axis: Int?, layout: OutputLayout, shape: [Int])]
  /// Each output's shape in graph layout.
  let outputShapes: [[Int]]
  let outputDTypes: [DType]
  let inputShapes: [[Int]]
  let inputDTypes: [DType]
  /// `plans[thread][0]` for full chunks, `[1]` for the last, shorter chunk (if any).
  private let plans: [[Plan]]
  private let single: Plan?
  private let chunks: Int

  /// Fewest rows worth a chunk of its own.
  public static let minimumChunkRows = 32
  /// Most rows in one chunk (bounds memory on huge batches).
  public static let maximumChunkRows = 2048
  /// Largest arena a chunk's plan should have, when the rows allow. A per-sample Jacobian of a
  /// wide network holds several `[K, rows, n]` tangents at once: W8's (8 × 256 wide) is 29 KB a
  /// row, 15 MB for the 512 rows of a half batch of 1,024, and its LayerNorm and elementwise
  /// passes ran from memory; at 4 MiB (128 rows) they run from the caches, 8% faster in all.
  /// Measured neutral for W3 (2.4 KB a row) and W6 (82 KB a row; 64 instead of 128 rows).
  public static let maximumChunkBytes = 4 << 20

  /// `outputLayouts[i]` returns output `i` rearranged around its batch axis, written that way
  /// directly by each chunk (no separate transposition pass); an output without a batch axis is
  /// returned as it is.
  public init(
    graph: Graph, inputShapes: [[Int]], inputBatchAxes: [Int?], outputBatchAxes: [Int?], outputLayouts: [OutputLayout]? = nil
  ) throws {
    self.graph = graph
    self.inputBatchAxes = inputBatchAxes
    self.outputBatchAxes = outputBatchAxes
    let layouts = zip(outputLayouts ?? outputBatchAxes.map { _ in .graph }, outputBatchAxes).map { $1 == nil ? .graph : $0 }
    let types = try Plan.concreteTypes(graph, inputShapes: inputShapes)
    self.types = types
    self.inputShapes = inputShapes
    inputDTypes = graph.inputs.map { types[$0.id]?.dtype ?? .float32 }
    outputShapes = graph.outputs.map { types[$0.id]?.shape ?? [] }
    layoutSpecs = zip(outputShapes, zip(outputBatchAxes, layouts)).map { shape, spec in
      guard let axis = spec.0, axis < shape.count else { return (spec.0, spec.1, shape) }
      return (axis, spec.1, spec.1.shape(of: shape, batchAxis: axis))
    }
    outputDTypes = graph.outputs.map { types[$0.id]?.dtype ?? .float32 }
    let batches = zip(inputShapes, inputBatchAxes).compactMap { shape, axis in axis.map { shape[$0] } }
    let batch = batches.first ?? 1
    self.batch = batch
    let threads = WorkerPool.shared.workers + 1
    let consistent = batches.allSatisfy { $0 == batch }
      && zip(outputShapes, outputBatchAxes).allSatisfy { shape, axis in axis.map { $0 < shape.count && shape[$0] == batch } ?? true }
    let wanted = ((batch + Self.maximumChunkRows - 1) / Self.maximumChunkRows + threads - 1) / threads * threads
    // A model exported without a dynamic batch declares its exact size: chunks would not fit it.
    let resizable = zip(graph.inputs, inputBatchAxes).allSatisfy { v, axis in
      axis.map { graph.type(of: v).dims[$0].value == nil } ?? true
    }
    guard consistent, resizable, threads > 1, batch >= 2 * Self.minimumChunkRows else {
      single = try Plan(graph: graph, inputShapes: inputShapes)
      plans = []
      chunks = 1
      chunkRows = batch
      return
    }
    func shapes(_ r: Int) -> [[Int]] {
      zip(inputShapes, inputBatchAxes).map { shape, axis in
        guard let axis else { return shape }
        var s = shape
        s[axis] = r
        return s
      }
    }
    var rows = (batch + wanted - 1) / wanted
    // The first plan tells the arena's size; over budget, rows shrink in proportion (a multiple
    // of `threads` chunks) and that plan is not used.
    var first: Plan? = try Plan(graph: graph, inputShapes: shapes(rows))
    if let arena = first?.arenaBytes, arena > Self.maximumChunkBytes, rows > Self.minimumChunkRows {
      let fitting = max(Self.minimumChunkRows, rows * Self.maximumChunkBytes / arena)
      let chunkCount = ((batch + fitting - 1) / fitting + threads - 1) / threads * threads
      let smaller = max(Self.minimumChunkRows, (batch + chunkCount - 1) / chunkCount)
      if smaller < rows {
        rows = smaller
        first = nil
      }
    }
    let count = (batch + rows - 1) / rows
    let lastRows = batch - (count - 1) * rows
    let chunkPlans = try (0..<threads).map { thread in
      var p = [try (thread == 0 ? first : nil) ?? Plan(graph: graph, inputShapes: shapes(rows))]
      if lastRows != rows { p.append(try Plan(graph: graph, inputShapes: shapes(lastRows))) }
      return p
    }
    if chunkPlans.joined().allSatisfy({ $0.canRunSlices(outputAxes: outputBatchAxes) }) {
      plans = chunkPlans
      chunks = count
      chunkRows = rows
      single = nil
    } else {
      plans = []
      chunks = 1
      chunkRows = batch
      single = try Plan(graph: graph, inputShapes: inputShapes)
    }
  }

  /// A plan that chunks along axis 0 of every input and output of rank ≥ 1 when `rowIndependent`,
  /// and otherwise runs whole.
  public convenience init(graph: Graph, inputShapes: [[Int]], rowIndependent: Bool) throws {
    let inAxes = inputShapes.map { rowIndependent && !$0.isEmpty ? 0 : nil } as [Int?]
    let outAxes = graph.outputs.map { rowIndependent && graph.type(of: $0).rank >= 1 ? 0 : nil } as [Int?]
    try self.init(
      graph: graph, inputShapes: inputShapes, inputBatchAxes: inAxes, outputBatchAxes: outAxes)
  }

  /// The plan the first chunk (or the whole batch) runs.
  public var firstPlan: Plan? { single ?? plans.first?.first }

  /// The graph, then the steps the plan fuses (for `--print-graph`).
  public var summary: String {
    [graph.description, firstPlan?.fusionSummary ?? ""].filter { !$0.isEmpty }.joined(separator: "\n")
  }

  /// Runs on the full batch; returns one tensor per graph output, in its layout.
  public func run(_ inputs: [Tensor]) throws -> [Tensor] {
    if let single {
      return try single.run(inputs, layouts: layoutSpecs)
    }
    guard inputs.count == inputShapes.count else {
      throw ExecutionError.inputMismatch("expected \(inputShapes.count) inputs, got \(inputs.count)")
    }
    for (i, t) in inputs.enumerated() where t.shape != inputShapes[i] || t.dtype != inputDTypes[i] {
      throw ExecutionError.inputMismatch(
        "input '\(graph.name(of: graph.inputs[i]))' is \(t.dtype)\(t.shape), but the plan was compiled for \(inputDTypes[i])\(inputShapes[i])")
    }
    let specs = zip(layoutSpecs, outputDTypes).map { (shape: $0.shape, dtype: $1) }
    return try Tensor.withRawPointers(inputs) { inputPointers in
      let sources = zip(inputPointers, zip(inputs, inputBatchAxes)).map {
        InputSource(pointer: $0, shape: $1.0.shape, elementBytes: $1.0.dtype.byteSize, axis: $1.1)
      }
      return try Tensor.makeUninitialized(specs) { pointers in
        let targets = zip(pointers, zip(zip(outputShapes, outputDTypes), layoutSpecs)).map {
          OutputTarget(pointer: $0, shape: $1.0.0, elementBytes: $1.0.1.byteSize, axis: $1.1.axis, layout: $1.1.layout)
        }
        let failure = FailureBox()
        let (rows, count, batch, plans) = (chunkRows, chunks, self.batch, self.plans)
        let slot = SlotCounter(threads: plans.count)
        BLAS.withOneThread {
          WorkerPool.shared.run(count) { c in
            let start = c * rows
            let n = min(rows, batch - start)
            let thread = slot.claim()
            defer { slot.release(thread) }
            let plan = n == rows ? plans[thread][0] : plans[thread][plans[thread].count - 1]
            do {
              try plan.runSlices(inputs: sources, outputs: targets, start: start, rows: n, batch: batch)
            } catch {
              failure.record(error)
            }
          }
        }
        if let error = failure.error { throw error }
      }
    }
  }
}

/// Where a chunk writes rows of one output: the full output's bytes, in `layout`.
///
/// `@unchecked Sendable`: the pointer stays valid for the run, and chunks write disjoint rows.
struct OutputTarget: @unchecked Sendable {
  let pointer: UnsafeMutableRawPointer
  /// The full output's shape in graph layout.
  let shape: [Int]
  let elementBytes: Int
  let axis: Int?
  let layout: OutputLayout
}

/// Where a chunk reads rows of one input: the caller's tensor, batch on `axis` (nil: whole).
///
/// `@unchecked Sendable`: the pointer stays valid for the run and is only read.
struct InputSource: @unchecked Sendable {
  let pointer: UnsafeRawPointer
  let shape: [Int]
  let elementBytes: Int
  let axis: Int?
}

/// The first error any chunk raised.
///
/// `@unchecked Sendable`: `error` is written under `lock`, and read after every chunk finished.
final class FailureBox: @unchecked Sendable {
  private let lock = NSLockBox()
  private(set) var error: Error?
  func record(_ e: Error) { lock.withLock { if error == nil { error = e } } }
}

/// Hands each concurrently running chunk a distinct per-thread plan set.
///
/// `@unchecked Sendable`: `free` is read and written only under `lock`.
final class SlotCounter: @unchecked Sendable {
  private let lock = NSLockBox()
  private var free: [Int]
  init(threads: Int) { free = Array((0..<threads).reversed()) }
  func claim() -> Int { lock.withLock { free.popLast() ?? 0 } }
  func release(_ i: Int) { lock.withLock { free.append(i) } }
}
