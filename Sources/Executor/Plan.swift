import Foundation
public import GraphIR
public import TensorCore

/// Errors from planning or running a graph; each names the input or node involved.
public enum ExecutionError: Error, CustomStringConvertible, Sendable {
  case inputMismatch(String)
  case kernelFailed(node: String, op: String, detail: String)

  public var description: String {
    switch self {
    case .inputMismatch(let s): s
    case .kernelFailed(let node, let op, let detail): "\(op) node '\(node)' failed: \(detail)"
    }
  }
}

/// A graph compiled for one set of input shapes.
///
/// Compiling infers every value's concrete type, folds everything that depends only on
/// constants or only on shapes (what the types' `value` pins down), gives each remaining value
/// a place in one preallocated arena (buffers are reused once their last reader has run;
/// elementwise ops overwrite a dying input; reshape-like ops share their input's bytes) and
/// binds each node's kernel to those addresses. Running copies the inputs in, calls the kernels
/// in order and copies the outputs out: the kernels allocate nothing. A plan runs one call at
/// a time (calls are serialised).
///
/// `@unchecked Sendable`: the arena and the kernels bound to it are used only under `lock`;
/// everything else is set once in `init`.
public final class Plan: @unchecked Sendable {
  public let graph: Graph
  /// Concrete type of every value, indexed by `Value.id` (nil for values no node computes).
  public let types: [TensorType?]
  /// Ops that have no allocation-free kernel and run `forward` on copies (by op name).
  public let fallbacks: [String]
  /// Bytes of the arena (intermediate values and inputs).
  public let arenaBytes: Int
  /// The fused steps, described (which nodes each replaces), in run order.
  public let fusedSteps: [String]
  /// How many fused dense layers run their primal and tangent rows as one GEMM.
  public let stackedProducts: Int

  /// Where a graph input is copied to, and what it must look like.
  private struct InputSlot {
    let address: UnsafeMutableRawPointer?
    let shape: [Int]
    let dtype: DType
  }

  /// Where a graph output is read from.
  private enum OutputSlot {
    case folded(Tensor)
    case buffer(UnsafeMutableRawPointer, [Int], DType)
    case missing(String)
  }

  private let arena: UnsafeMutableRawPointer
  private let constants: UnsafeMutableRawPointer
  private let kernels: ContiguousArray<Kernel>
  private let fallbackError = ErrorSlot()
  private let inputSlots: [InputSlot]
  private let outputSlots: [OutputSlot]
  private let address: [UnsafeMutableRawPointer?]
  private let folded: [Int: Tensor]
  private let lock = NSLock()

  /// Compiles `graph` for inputs of the given shapes (one per `graph.inputs`); `fuse` turns
  /// dense layers into fused steps (`DenseFusion`).
  public init(graph: Graph, inputShapes: [[Int]], fuse: Bool = true) throws {
    self.graph = graph
    let types = try Self.concreteTypes(graph, inputShapes: inputShapes)
    self.types = types
    var folded: [Int: Tensor] = [:]
    var foldedBytes = 0
    var live: [Node] = []
    for node in graph.nodes {
      let known = node.outputs.compactMap { types[$0.id]?.knownTensor }
      if known.count == node.outputs.count {
        for (o, t) in zip(node.outputs, known) { folded[o.id] = t }
      } else if node.inputs.allSatisfy({ folded[$0.id] != nil }) {
        for o in node.outputs {
          let bytes = types[o.id].flatMap { t in
            t.shape.flatMap(ShapeSize.count).flatMap { ShapeSize.bytes(count: $0, byteSize: t.dtype.byteSize) }
          }
          let (sum, overflow) = foldedBytes.addingReportingOverflow(bytes ?? Int.max)
          foldedBytes = overflow ? Int.max : sum
        }
        do {
          try ShapeSize.checkBudget(
            foldedBytes, for: "the constants of this graph (folding node '\(node.name)', \(node.op))")
        } catch {
          throw ExecutionError.inputMismatch("\(error)")
        }
        let values = try Self.execute(node, node.inputs.compactMap { folded[$0.id] })
        for (o, t) in zip(node.outputs, values) { folded[o.id] = t }
      } else {
        live.append(node)
      }
    }
    self.folded = folded
    let steps =
      fuse
      ? ProductAccumulation.steps(DenseFusion.steps(live, graph: graph, types: types), graph: graph, types: types)
      : live.map(PlanStep.node)

    var layout = ArenaLayout(types: types, steps: steps, graph: graph, folded: folded)
    layout.assign()
    arenaBytes = layout.size
    do {
      try ShapeSize.checkBudget(layout.size, for: "running this graph on inputs of shapes \(inputShapes)")
    } catch {
      throw ExecutionError.inputMismatch("\(error)")
    }
    arena = UnsafeMutableRawPointer.allocate(byteCount: max(layout.size, 64), alignment: 64)
    let constantBytes = layout.constantOffsets.values.map(\.1).reduce(0, +) + 64 * layout.constantOffsets.count
    constants = UnsafeMutableRawPointer.allocate(byteCount: max(constantBytes, 64), alignment: 64)
    var address = [UnsafeMutableRawPointer?](repeating: nil, count: graph.types.count)
    for (v, offset) in layout.offsets { address[v] = arena + offset }
    for (v, (offset, _)) in layout.constantOffsets {
      address[v] = constants + offset
      if let t = folded[v] { t.copyBytes(to: constants + offset) }
    }
    for (v, source) in layout.viewOf { address[v] = address[source] }
    self.address = address

    var kernels = ContiguousArray<Kernel>()
    var fallbacks: [String] = []
    var fusedSteps: [String] = []
    var stackedProducts = 0
    let errorSlot = fallbackError
    for node in steps where node.bufferRule != .view || node.inputs.isEmpty {
      let io = KernelIO(
        inputs: node.inputs.compactMap { address[$0.id] }, inputShapes: node.inputs.map { types[$0.id]?.shape ?? [] },
        inputDTypes: node.inputs.map { types[$0.id]?.dtype ?? .float32 }, outputs: node.outputs.compactMap { address[$0.id] },
        outputShapes: node.outputs.map { types[$0.id]?.shape ?? [] },
        outputDTypes: node.outputs.map { types[$0.id]?.dtype ?? .float32 },
        constantInputs: node.inputs.map { folded[$0.id] != nil })
      guard io.inputs.count == node.inputs.count, io.outputs.count == node.outputs.count else {
        throw ExecutionError.inputMismatch("internal: a buffer of \(node.label) was not placed")
      }
      if case .dense(let layer) = node {
        fusedSteps.append(layer.description)
        if layer.stacksRows(io) { stackedProducts += 1 }
      } else if case .accumulate(let product) = node {
        fusedSteps.append(product.description)
      }
      if let k = node.makeKernel(io) {
        kernels.append(k)
      } else if case .node(let single) = node {
        kernels.append {
          do { try Self.runFallback(single, io) } catch { errorSlot.record(error) }
        }
        fallbacks.append(single.op.name)
      } else {
        throw ExecutionError.inputMismatch("internal: \(node.label) has no kernel")
      }
    }
    self.kernels = kernels
    self.fallbacks = fallbacks
    self.fusedSteps = fusedSteps
    self.stackedProducts = stackedProducts
    inputSlots = graph.inputs.map { v in
      InputSlot(address: address[v.id], shape: types[v.id]?.shape ?? [], dtype: types[v.id]?.dtype ?? .float32)
    }
    outputSlots = graph.outputs.map { v in
      if let t = folded[v.id] { return .folded(t) }
      guard let p = address[v.id], let type = types[v.id], let shape = type.shape else {
        return .missing(graph.name(of: v))
      }
      return .buffer(p, shape, type.dtype)
    }
  }

  /// The fused steps, one line each (empty when nothing is fused), for printing with the graph.
  public var fusionSummary: String {
    guard !fusedSteps.isEmpty else { return "" }
    return "plan: \(fusedSteps.count) fused steps, \(stackedProducts) stacking primal and tangent rows into one GEMM:\n"
      + fusedSteps.map { "  \($0)" }.joined(separator: "\n")
  }

  deinit {
    arena.deallocate()
    constants.deallocate()
  }

  /// Runs the plan on `inputs` (one per `graph.inputs`, with the planned shapes and dtypes) and
  /// returns one tensor per `graph.outputs`.
  public func run(_ inputs: [Tensor]) throws -> [Tensor] { try run(inputs, layouts: nil) }

  /// `run`, returning each output with a batch axis in its layout (`layouts[i]`: the output's
  /// batch axis, layout and shape in that layout; nil: all in graph layout), copied out and
  /// rearranged in one pass.
  func run(_ inputs: [Tensor], layouts: [(axis: Int?, layout: OutputLayout, shape: [Int])]?) throws -> [Tensor] {
    guard inputs.count == graph.inputs.count else {
      throw ExecutionError.inputMismatch("expected \(graph.inputs.count) inputs, got \(inputs.count)")
    }
    for (i, t) in inputs.enumerated() where inputSlots[i].shape != t.shape || inputSlots[i].dtype != t.dtype {
      let v = graph.inputs[i]
      throw ExecutionError.inputMismatch(
        "input '\(graph.name(of: v))' is \(t.dtype)\(t.shape), but the plan was compiled for \(types[v.id].map(\.description) ?? "?")")
    }
    lock.lock()
    defer { lock.unlock() }
    for (i, t) in inputs.enumerated() {
      if let p = inputSlots[i].address { t.copyBytes(to: p) }
    }
    try BLAS.withOneThread { () throws in try runKernels() }
    return try outputSlots.enumerated().map { i, slot in
      switch slot {
      case .folded(let t):
        guard let (axis, layout, _) = layouts?[i], let axis else { return t }
        return try layout.rearranged(t, batchAxis: axis)
      case .buffer(let p, let shape, let dtype):
        guard let (axis, layout, returned) = layouts?[i], let axis, layout != .graph else {
          return Tensor(copyingFrom: p, shape: shape, dtype: dtype)
        }
        return Tensor(shape: returned, dtype: dtype) { target in
          layout.write(
            chunk: p, shape: shape, elementBytes: dtype.byteSize, axis: axis, start: 0, rows: shape[axis],
            batch: shape[axis], to: target)
        }
      case .missing(let name): throw ExecutionError.inputMismatch("output '\(name)' was not computed")
      }
    }
  }

  private func runKernels() throws {
    kernels.withUnsafeBufferPointer { ks in
      for k in ks { k() }
    }
    if let error = fallbackError.take() { throw error }
  }

  /// Runs on rows `start ..< start + rows` of full-batch inputs, writing those rows of the
  /// full-batch outputs; the batch sits on the given axis of each (nil: not batched, whole).
  /// The plan must have been compiled for `rows` rows.
  func runSlices(
    inputs: [InputSource], outputs: [OutputTarget], start: Int, rows: Int, batch: Int
  ) throws {
    lock.lock()
    defer { lock.unlock() }
    for (source, slot) in zip(inputs, inputSlots) {
      guard let p = slot.address else { continue }
      Self.copyRows(
        from: UnsafeMutableRawPointer(mutating: source.pointer), shape: source.shape, elementBytes: source.elementBytes,
        axis: source.axis, start: start, rows: rows, batch: batch, to: p, gather: true)
    }
    try runKernels()
    for (i, (target, slot)) in zip(outputs, outputSlots).enumerated() {
      let p: UnsafeMutableRawPointer
      switch slot {
      case .folded(let t):
        guard target.axis == nil else {
          throw ExecutionError.inputMismatch("output '\(graph.name(of: graph.outputs[i]))' is constant but was to be split by rows")
        }
        if start == 0 { t.copyBytes(to: target.pointer) }
        continue
      case .missing(let name):
        throw ExecutionError.inputMismatch("output '\(name)' was not computed")
      case .buffer(let address, _, _):
        p = address
      }
      target.layout.write(
        chunk: p, shape: target.shape, elementBytes: target.elementBytes, axis: target.axis, start: start, rows: rows,
        batch: batch, to: target.pointer)
    }
  }

  /// Whether every output can be written by row slices: none with a batch axis is a folded
  /// constant (which `runSlices` could not split).
  func canRunSlices(outputAxes: [Int?]) -> Bool {
    zip(outputSlots, outputAxes).allSatisfy { slot, axis in
      switch slot {
      case .buffer: true
      case .folded: axis == nil
      case .missing: false
      }
    }
  }

  /// Moves rows `start ..< start + rows` along `axis` between a full tensor and a chunk buffer:
  /// `gather` copies full → chunk, otherwise chunk → full. A nil axis moves everything (gather)
  /// or, scattering, only from the first chunk.
  static func copyRows(
    from full: UnsafeMutableRawPointer, shape: [Int], elementBytes: Int, axis: Int?, start: Int, rows: Int, batch: Int,
    to chunk: UnsafeMutableRawPointer, gather: Bool
  ) {
    guard let axis else {
      let bytes = shape.reduce(1, *) * elementBytes
      if gather { chunk.copyMemory(from: full, byteCount: bytes) } else if start == 0 { full.copyMemory(from: chunk, byteCount: bytes) }
      return
    }
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *) * elementBytes
    for o in 0..<outer {
      let f = full + (o * batch + start) * inner
      let c = chunk + o * rows * inner
      if gather { c.copyMemory(from: f, byteCount: rows * inner) } else { f.copyMemory(from: c, byteCount: rows * inner) }
    }
  }

  /// Every value's concrete type for inputs of `inputShapes`, checked against the declared
  /// input types (known sizes, and one size per symbol), without compiling anything.
  public static func concreteTypes(_ graph: Graph, inputShapes: [[Int]]) throws -> [TensorType?] {
    guard inputShapes.count == graph.inputs.count else {
      throw ExecutionError.inputMismatch("expected \(graph.inputs.count) inputs, got \(inputShapes.count)")
    }
    var types = [TensorType?](repeating: nil, count: graph.types.count)
    var symbols: [String: (Int, String)] = [:]
    for (v, shape) in zip(graph.inputs, inputShapes) {
      let declared = graph.type(of: v)
      let name = graph.name(of: v)
      guard shape.count == declared.rank else {
        throw ExecutionError.inputMismatch("input '\(name)' must have rank \(declared.rank) (shape \(declared)), got shape \(shape)")
      }
      guard ShapeSize.count(shape) != nil else {
        throw ExecutionError.inputMismatch("input '\(name)' has shape \(shape), too large to hold")
      }
      for (axis, (dim, size)) in zip(declared.dims, shape).enumerated() {
        switch dim {
        case .known(let n) where n != size:
          throw ExecutionError.inputMismatch("input '\(name)' axis \(axis) must be \(n) (shape \(declared)), got shape \(shape)")
        case .symbol(let s) where !s.isEmpty:
          if let (earlier, who) = symbols[s], earlier != size {
            throw ExecutionError.inputMismatch("input '\(name)' axis \(axis) ('\(s)') is \(size), but '\(who)' has \(s) = \(earlier)")
          }
          symbols[s] = (size, name)
        default: break
        }
      }
      types[v.id] = TensorType(declared.dtype, shape: shape)
    }
    for node in graph.nodes {
      let inTypes = try node.inputs.map { v -> TensorType in
        guard let t = types[v.id] else { throw ExecutionError.inputMismatch("node '\(node.name)' reads an undefined value \(v)") }
        return t
      }
      do {
        for (o, t) in zip(node.outputs, try node.op.outputTypes(inTypes)) {
          guard let shape = t.shape else {
            throw TensorError(
              "its output shape \(t.dims) depends on values computed at run time (sizes, indices or bounds that "
                + "are neither constants nor computed from shapes alone), which onnxgrad does not support")
          }
          guard let n = ShapeSize.count(shape), ShapeSize.bytes(count: n, byteSize: t.dtype.byteSize) != nil else {
            throw TensorError("its output would have shape \(shape), too large to hold")
          }
          types[o.id] = t
        }
      } catch {
        throw ExecutionError.kernelFailed(node: node.name, op: node.op.description, detail: "\(error)")
      }
    }
    return types
  }

  private static func execute(_ node: Node, _ inputs: [Tensor]) throws -> [Tensor] {
    do {
      return try node.op.forward(inputs)
    } catch {
      throw ExecutionError.kernelFailed(node: node.name, op: node.op.description, detail: "\(error)")
    }
  }

  private static func runFallback(_ node: Node, _ io: KernelIO) throws {
    let inputs = zip(io.inputs, zip(io.inputShapes, io.inputDTypes)).map { Tensor(copyingFrom: $0, shape: $1.0, dtype: $1.1) }
    let outputs = try execute(node, inputs)
    for (t, p) in zip(outputs, io.outputs) { t.copyBytes(to: p) }
  }
}
