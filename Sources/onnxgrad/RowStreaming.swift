import ArgumentParser
import Foundation
import NumPyIO
import ONNXGrad
import TensorCore

extension NPYMappedFile {
  /// Bytes of one row of axis 0 once decoded.
  var bytesPerRow: Int { shape.dropFirst().reduce(1, *) * dtype.byteSize }
}

/// What one chunk of rows computes: named results, each with the chunk's rows on axis 0.
typealias ChunkFunction = ([String: Tensor]) throws -> [(name: String, tensor: Tensor)]

/// A run stopped by `--check-finite` or another failure that is not about the arguments.
struct RunFailure: Error, CustomStringConvertible {
  let description: String
}

/// For `--check-finite`: where `model` first makes a non-finite value on one row of inputs
/// (entries that are not model inputs, such as a seed, are ignored).
func nonFiniteOrigin(_ model: Model) -> ([String: Tensor]) throws -> NonFiniteOrigin? {
  { row in try model.firstNonFiniteNode(inputs: row.filter { model.inputNames.contains($0.key) }) }
}

/// Runs a computation over row chunks of its inputs and streams the named results into their
/// final files (`ArrayStreamWriter`): memory stays bounded by one chunk whatever the batch, and
/// nothing is left at the destination unless every row was written.
///
/// Inputs are chunked when every array has the same number of rows on axis 0, each can be read
/// by rows, and the caller says the computation keeps rows apart (`chunkable`); otherwise the
/// whole batch is one chunk, which must fit in `--max-memory`.
struct RowStream {
  let arrays: [String: NPYMappedFile]
  let options: StreamOptions
  /// For `--check-finite`: the model node behind a non-finite value, given that row's inputs.
  var origin: (([String: Tensor]) throws -> NonFiniteOrigin?)?

  /// The rows shared by every input (nil when they differ or an input has no axis).
  var batch: Int? {
    let rows = Set(arrays.values.map { $0.shape.first ?? -1 })
    guard rows.count == 1, let b = rows.first, b >= 0, arrays.values.allSatisfy(\.readsByRows) else { return nil }
    return b
  }

  /// Computes and writes; returns the first chunk's results (for a preview) and the final
  /// shape of each result.
  ///
  /// `compile(rows)` builds the function for chunks of `rows` rows (nil: the whole arrays as
  /// they are); it is called at most three times (a first chunk that measures the results'
  /// size, the steady chunk size, the last chunk). `destination(names)` says where the named
  /// results go; no existing file in `reading` may be among them.
  func run(
    chunkable: Bool, destination: (_ names: [String]) throws -> ArrayDestination, reading: [String],
    compile: (_ rows: Int?) throws -> ChunkFunction
  ) throws -> (first: [(name: String, tensor: Tensor)], shapes: [[Int]]) {
    let budget = try options.memoryBudget()
    return try ShapeSize.$limit.withValue(budget) {
      try run(budget: budget, chunkable: chunkable, destination: destination, reading: reading, compile: compile)
    }
  }

  /// `run` within `budget`, which also bounds every plan compiled for it (`ShapeSize.limit`).
  private func run(
    budget: Int, chunkable: Bool, destination: (_ names: [String]) throws -> ArrayDestination, reading: [String],
    compile: (_ rows: Int?) throws -> ChunkFunction
  ) throws -> (first: [(name: String, tensor: Tensor)], shapes: [[Int]]) {
    let requested = try options.validatedBatchSize()
    let inputRowBytes = arrays.values.map(\.bytesPerRow).reduce(0, +)
    guard chunkable, let batch, batch > 0 else {
      return try runWhole(budget: budget, destination: destination, reading: reading, compile: compile)
    }
    let chunkBytes = 64 << 20
    var rows = min(batch, requested ?? max(1024, min(65_536, chunkBytes / max(1, inputRowBytes))))
    try checkBudget(rows: rows, rowBytes: inputRowBytes * 2, budget: budget, what: "a chunk's inputs")
    let display = ProgressDisplay(mode: options.progressMode, total: batch)
    defer { display.finish() }
    var writer: ArrayStreamWriter?
    var first: [(name: String, tensor: Tensor)] = []
    var shapes: [[Int]] = []
    var compiled: [Int: ChunkFunction] = [:]
    let behind = WriteBehind()
    defer {
      try? behind.drain()
      behind.close()
    }
    var done = 0
    while done < batch {
      let n = min(rows, batch - done)
      if compiled[n] == nil { compiled[n] = try compile(n) }
      guard let function = compiled[n] else { break }
      var chunk: [String: Tensor] = [:]
      for (name, array) in arrays { chunk[name] = try array.rows(done..<(done + n)) }
      let results = try function(chunk)
      try checkFinite(results, firstRow: done)
      if writer == nil {
        first = results
        for r in results where r.tensor.shape.first != n {
          throw ValidationError("internal: result '\(r.name)' \(r.tensor.shape) does not have the chunk's \(n) rows on axis 0")
        }
        shapes = results.map { [batch] + $0.tensor.shape.dropFirst() }
        let resultRowBytes = results.map { $0.tensor.count / max(1, n) * $0.tensor.dtype.byteSize }.reduce(0, +)
        let rowBytes = 2 * inputRowBytes + 2 * resultRowBytes
        if requested == nil {
          rows = max(1, min(batch, max(1024, chunkBytes / max(1, rowBytes)), budget / max(1, 2 * rowBytes)))
        }
        try checkBudget(rows: rows, rowBytes: rowBytes, budget: budget, what: "a chunk's inputs and results")
        let target = try destination(results.map(\.name))
        try refuseOverwritingTargets(target, names: results.map(\.name), reading: reading)
        writer = try ArrayStreamWriter(
          target, members: zip(results, shapes).map { .init(name: $0.name, dtype: $0.tensor.dtype, shape: $1) })
      }
      if let writer {
        let tensors = results.map(\.tensor)
        let rowsDone = done + n
        try behind.submit {
          try writer.append(tensors)
          display.update(rowsDone)
        }
      }
      done += n
    }
    try behind.drain()
    try writer?.commit()
    return (first, shapes)
  }

  /// The whole batch as one chunk.
  private func runWhole(
    budget: Int, destination: ([String]) throws -> ArrayDestination, reading: [String],
    compile: (Int?) throws -> ChunkFunction
  ) throws -> (first: [(name: String, tensor: Tensor)], shapes: [[Int]]) {
    let inputBytes = arrays.values.map { $0.bytesPerRow * max(1, $0.shape.first ?? 1) }.reduce(0, +)
    guard inputBytes <= budget else {
      throw ValidationError(
        "the inputs need \(ShapeSize.describe(inputBytes)) of memory, more than --max-memory \(ShapeSize.describe(budget)), and this computation cannot be split into row chunks (its inputs differ in rows, or the model mixes rows); raise --max-memory or give fewer rows")
    }
    var whole: [String: Tensor] = [:]
    for (name, array) in arrays { whole[name] = try array.rows(0..<(array.shape.first ?? 1)) }
    let results = try compile(nil)(whole)
    try checkFinite(results, firstRow: 0)
    let target = try destination(results.map(\.name))
    try refuseOverwritingTargets(target, names: results.map(\.name), reading: reading)
    let writer = try ArrayStreamWriter(
      target, members: results.map { .init(name: $0.name, dtype: $0.tensor.dtype, shape: $0.tensor.shape) })
    try writer.append(results.map(\.tensor))
    try writer.commit()
    return (results, results.map(\.tensor.shape))
  }

  /// With `--check-finite`, throws at the first NaN or infinity in `results` (rows from
  /// `firstRow`), naming the row, the result and the node behind it.
  private func checkFinite(_ results: [(name: String, tensor: Tensor)], firstRow: Int) throws {
    guard options.checkFinite else { return }
    for r in results {
      guard let (flat, value) = r.tensor.firstNonFinite else { continue }
      let perRow = max(1, r.tensor.shape.dropFirst().reduce(1, *))
      let row = firstRow + flat / perRow
      var index: [Int] = []
      var rest = flat
      for d in r.tensor.shape.reversed() {
        index.insert(rest % max(d, 1), at: 0)
        rest /= max(d, 1)
      }
      if !index.isEmpty { index[0] = row }
      var cause = ""
      if let origin, batch != nil {
        var rowInputs: [String: Tensor] = [:]
        for (name, array) in arrays { rowInputs[name] = try array.rows(row..<(row + 1)) }
        if let o = try origin(rowInputs) {
          cause = o.op == "input"
            ? "; the input '\(o.value)' itself holds \(Self.show(o.element)) on that row"
            : "; on that row the model's node '\(o.node)' (\(o.op)) is the first to produce a non-finite value (\(Self.show(o.element)) in '\(o.value)') from finite inputs"
        } else {
          cause = "; every value of the model is finite on that row, so it comes from a derivative (one that is infinite where the function is finite, as √x at 0)"
        }
      }
      throw RunFailure(
        description: "--check-finite: '\(r.name)' holds \(Self.show(value)) at row \(row), element [\(index.map(String.init).joined(separator: ", "))]\(cause); nothing was written")
    }
  }

  private func checkBudget(rows: Int, rowBytes: Int, budget: Int, what: String) throws {
    let (need, overflow) = rows.multipliedReportingOverflow(by: rowBytes)
    guard overflow || need > budget else { return }
    let needText = overflow ? "more than 2^63 bytes" : ShapeSize.describe(need)
    throw ValidationError(
      "\(what) (\(rows) rows) need \(needText) of memory, more than --max-memory \(ShapeSize.describe(budget)); lower --batch-size (about \(max(1, budget / max(1, rowBytes))) rows fit) or raise --max-memory")
  }

  private func refuseOverwritingTargets(_ target: ArrayDestination, names: [String], reading: [String]) throws {
    switch target {
    case .npy(let p), .npz(let p): try refuseOverwriting([p], reading: reading)
    case .directory(let d):
      try refuseOverwriting(names.map { (d as NSString).appendingPathComponent($0 + ".npy") }, reading: reading)
    }
  }

  /// The input shapes, in `order`, for chunks of `rows` rows (nil: the arrays' own shapes).
  func shapes(rows: Int?, order: [String]) -> [[Int]] {
    order.map { name in
      guard let shape = arrays[name]?.shape else { return [] }
      guard let rows, !shape.isEmpty else { return shape }
      return [rows] + shape.dropFirst()
    }
  }

  /// A non-finite value as NumPy prints it (a NaN's sign means nothing).
  static func show(_ v: Double) -> String { v.isNaN ? "nan" : "\(v)" }
}
