import GraphIR
import TensorCore

/// Places every value of a plan: inputs and intermediates in the arena (reusing buffers after
/// their last reader), folded constants read by kernels in a constant block, and views at their
/// source's address. A step with stacked outputs gets one buffer holding them back to back.
struct ArenaLayout {
  let types: [TensorType?]
  let steps: [PlanStep]
  let graph: Graph
  let folded: [Int: Tensor]

  /// Arena offset of each value that owns or shares an arena buffer.
  var offsets: [Int: Int] = [:]
  /// Constant-block offset and byte size of each folded value a kernel reads.
  var constantOffsets: [Int: (Int, Int)] = [:]
  /// Values that are views of another value's bytes.
  var viewOf: [Int: Int] = [:]
  var size = 0

  private struct Buffer {
    var offset: Int
    var bytes: Int
    var end: Int
    /// Holds stacked outputs: never overwritten in place by a value of one part's size.
    var stacked = false
  }

  private var buffers: [Buffer] = []
  private var bufferOf: [Int: Int] = [:]
  /// Byte offset of a value inside its buffer (stacked outputs after the first, and their views).
  private var innerOffset: [Int: Int] = [:]
  private var free: [Int: [Int]] = [:]

  init(types: [TensorType?], steps: [PlanStep], graph: Graph, folded: [Int: Tensor]) {
    self.types = types
    self.steps = steps
    self.graph = graph
    self.folded = folded
  }

  private func bytes(_ v: Int) -> Int {
    guard let t = types[v], let shape = t.shape else { return 0 }
    return ShapeSize.count(shape).flatMap { ShapeSize.bytes(count: $0, byteSize: t.dtype.byteSize) } ?? Int.max
  }

  /// `n` rounded up to 64 bytes, saturating at `Int.max` (the memory-budget check refuses that).
  private static func aligned(_ n: Int) -> Int { n > Int.max - 63 ? Int.max : (n + 63) & ~63 }

  private mutating func newBuffer(bytes: Int, end: Int) -> Int {
    if let reuse = free[bytes]?.popLast() {
      buffers[reuse].end = end
      return reuse
    }
    buffers.append(Buffer(offset: size, bytes: bytes, end: end))
    size = size.addingReportingOverflow(Self.aligned(max(bytes, 1))).overflow ? Int.max : size + Self.aligned(max(bytes, 1))
    return buffers.count - 1
  }

  mutating func assign() {
    let never = Int.max
    var lastUse: [Int: Int] = [:]
    for (i, node) in steps.enumerated() { for v in node.inputs { lastUse[v.id] = i } }
    for v in graph.outputs { lastUse[v.id] = never }

    var constantSize = 0
    for node in steps {
      for v in node.inputs where folded[v.id] != nil && constantOffsets[v.id] == nil {
        constantOffsets[v.id] = (constantSize, bytes(v.id))
        constantSize += Self.aligned(max(bytes(v.id), 1))
      }
    }
    var seen = Set<Int>()
    let inputs = graph.inputs.filter { seen.insert($0.id).inserted }
    if !inputs.isEmpty { placeStacked(inputs, lastUse: lastUse, step: -1) }
    let inputSet = Set(graph.inputs.map(\.id))
    for (i, node) in steps.enumerated() {
      if node.stackedOutputs {
        placeStacked(node.outputs, lastUse: lastUse, step: i)
        release(node.inputs, step: i)
        continue
      }
      for o in node.outputs {
        let end = lastUse[o.id] ?? i
        switch node.bufferRule {
        case .view where !node.inputs.isEmpty:
          let source = node.inputs[0].id
          if let b = bufferOf[source] {
            bufferOf[o.id] = b
            innerOffset[o.id] = innerOffset[source]
            buffers[b].end = max(buffers[b].end, end)
          } else {
            viewOf[o.id] = source
          }
          continue
        case .inPlace:
          let (candidates, exclusive) = node.inPlaceCandidates
          if let reuse = candidates.first(where: { input in
            guard let b = bufferOf[input.id], !inputSet.contains(input.id) else { return false }
            return buffers[b].end == i && buffers[b].bytes == bytes(o.id) && !buffers[b].stacked
              && types[input.id]?.dtype == types[o.id]?.dtype
              && !node.outputs.contains(where: { bufferOf[$0.id] == b })
              && !(exclusive && node.inputs.filter({ bufferOf[$0.id] == b }).count > 1)
          }), let b = bufferOf[reuse.id] {
            bufferOf[o.id] = b
            buffers[b].end = end
            continue
          }
        default: break
        }
        bufferOf[o.id] = newBuffer(bytes: bytes(o.id), end: end)
      }
      release(node.inputs, step: i)
    }
    for (v, b) in bufferOf { offsets[v] = buffers[b].offset + (innerOffset[v] ?? 0) }
  }

  /// One buffer for `values` back to back (each at a multiple of its element size), alive until
  /// the last reader of any of them. The graph inputs are placed this way too, so a forward-mode
  /// graph's `x` and `ẋ` form one matrix for the first fused layer.
  private mutating func placeStacked(_ values: [Value], lastUse: [Int: Int], step i: Int) {
    var total = 0
    for o in values {
      let align = types[o.id]?.dtype.byteSize ?? 1
      if total % align != 0 { total += align - total % align }
      innerOffset[o.id] = total
      total = total.addingReportingOverflow(bytes(o.id)).overflow ? Int.max : total + bytes(o.id)
    }
    let b = newBuffer(bytes: total, end: values.map { lastUse[$0.id] ?? i }.max() ?? i)
    buffers[b].stacked = true
    for o in values { bufferOf[o.id] = b }
  }

  /// Frees the buffers of `inputs` whose last reader is step `i`.
  private mutating func release(_ inputs: [Value], step i: Int) {
    var released = Set<Int>()
    for v in inputs {
      if let b = bufferOf[v.id], buffers[b].end == i, !released.contains(b) {
        released.insert(b)
        free[buffers[b].bytes, default: []].append(b)
      }
    }
  }
}
