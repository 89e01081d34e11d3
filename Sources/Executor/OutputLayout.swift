import TensorCore

/// How a plan returns an output with a batch axis: `[outer…, B, inner…]` in graph layout.
public enum OutputLayout: Sendable, Hashable {
  /// As the graph computes it.
  case graph
  /// `[B, outer…, inner…]`.
  case batchFirst
  /// `[B, inner…, outer…]`: a forward-mode Jacobian's `[K, B, out…]` as `[B, out…, K]`.
  case sampleMajor

  /// The returned shape of an output of `shape` with the batch on `batchAxis`.
  func shape(of shape: [Int], batchAxis axis: Int) -> [Int] {
    switch self {
    case .graph: shape
    case .batchFirst: [shape[axis]] + shape[..<axis] + shape[(axis + 1)...]
    case .sampleMajor: [shape[axis]] + shape[(axis + 1)...] + shape[..<axis]
    }
  }

  /// `t` (graph layout, batch on `axis`) in this layout.
  func rearranged(_ t: Tensor, batchAxis axis: Int) throws -> Tensor {
    let rank = t.rank
    switch self {
    case .graph: return t
    case .batchFirst: return try t.permuted([axis] + Array(0..<axis) + Array((axis + 1)..<rank))
    case .sampleMajor: return try t.permuted([axis] + Array((axis + 1)..<rank) + Array(0..<axis))
    }
  }

  /// Writes a chunk `[outer…, rows, inner…]` (graph layout, batch on `axis`) into rows
  /// `start ..< start + rows` of the full output at `full`, laid out this way; `shape` is the
  /// full output's shape in graph layout (`batch` rows). A nil axis writes the whole output
  /// from the first chunk only.
  func write(
    chunk: UnsafeMutableRawPointer, shape: [Int], elementBytes: Int, axis: Int?, start: Int, rows: Int, batch: Int,
    to full: UnsafeMutableRawPointer
  ) {
    guard let axis, self != .graph else {
      Plan.copyRows(
        from: full, shape: shape, elementBytes: elementBytes, axis: axis, start: start, rows: rows, batch: batch,
        to: chunk, gather: false)
      return
    }
    let outer = shape[..<axis].reduce(1, *)
    let inner = shape[(axis + 1)...].reduce(1, *)
    if self == .batchFirst {
      let bytes = inner * elementBytes
      for o in 0..<outer {
        for r in 0..<rows {
          (full + ((start + r) * outer + o) * bytes).copyMemory(from: chunk + (o * rows + r) * bytes, byteCount: bytes)
        }
      }
      return
    }
    func transpose<E>(_: E.Type) {
      let (source, target) = (chunk.assumingMemoryBound(to: E.self), full.assumingMemoryBound(to: E.self))
      for r in 0..<rows {
        let row = target + (start + r) * inner * outer
        for o in 0..<outer {
          let from = source + (o * rows + r) * inner
          for i in 0..<inner { row[i * outer + o] = from[i] }
        }
      }
    }
    // Elements are 4 or 8 bytes (`DType.byteSize`).
    if elementBytes == 4 { transpose(UInt32.self) } else { transpose(UInt64.self) }
  }
}
