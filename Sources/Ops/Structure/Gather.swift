public import GraphIR
import TensorCore

/// Entries of `x` along `axis` (counted from the end) at int64 `indices` of any rank `q`:
/// `y[i…, k…, j…] = x[i…, indices[k…], j…]`, so `y.shape = x.shape[..<a] + indices.shape +
/// x.shape[(a+1)...]`; a rank-0 index removes the axis (`h[:, -1]`).
///
/// Negative indices count from the end of the axis; an index outside `[−n, n)` is an error. The
/// indices must be known when a plan is compiled (constants, or computed from sizes). int64 data
/// of rank 1 with a known value (`Shape` → `Gather`) gets the gathered value. ONNX `Gather`
/// (opset 1; 11: negative axis and indices; 13 adds types).
///
/// Linear in `x`: `ẏ = Gather(ẋ)`; `x̄ = GatherScatterAdd(ȳ, x, indices)` (zeros of `x`'s shape
/// with each slice of `ȳ` added at its index: repeated indices accumulate).
public struct Gather: Primitive, ElementKernel {
  public static let name = "Gather"
  /// The gathered axis, counted from the end (−1 is the last).
  public let axis: Int

  public init(axis: Int) { self.axis = axis }

  public var description: String { "Gather(axis: \(axis))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 2 inputs, got \(inputs.count)")
    }
    let (x, indices) = (inputs[0], inputs[1])
    let p = x.rank + axis
    guard (0..<x.rank).contains(p), axis < 0 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "axis \(axis) (from the end) does not fit \(x)")
    }
    guard indices.dtype == .int64 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "indices must be int64, got \(indices)")
    }
    let type = TensorType(x.dtype, Array(x.dims[..<p]) + indices.dims + Array(x.dims[(p + 1)...]))
    guard let n = x.dims[p].value, let known = indices.knownInts else { return [type] }
    let wrapped = try known.map { try wrap($0, size: n) }
    guard x.rank == 1, let value = x.value, value.count == n else { return [type] }
    return [type.withValue(wrapped.map { value[$0] })]
  }

  /// `i` wrapped into `0 ..< n`, or an error naming it.
  func wrap(_ i: Int, size n: Int) throws -> Int {
    guard (-n..<n).contains(i) else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "", reason: "index \(i) is out of range for an axis of size \(n) (valid: \(-n)…\(n - 1))")
    }
    return i < 0 ? i + n : i
  }

  public func elementKernel<T>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let shape = io.inputShapes[0]
    let p = shape.count + axis
    guard let raw = io.constantInts(1), (0..<shape.count).contains(p),
      let indices = try? raw.map({ try wrap($0, size: shape[p]) })
    else { return nil }
    let outer = shape[..<p].reduce(1, *)
    let n = shape[p]
    let inner = shape[(p + 1)...].reduce(1, *)
    let m = indices.count
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    return {
      for o in 0..<outer {
        for (j, k) in indices.enumerated() {
          (y + (o * m + j) * inner).update(from: x + (o * n + k) * inner, count: inner)
        }
      }
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.apply1(self, [$0, args.primals[1]]) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [
      try args.cotangents[0].map {
        try b.apply1(GatherScatterAdd(axis: axis), [$0, args.primals[0], args.primals[1]])
      }, nil,
    ]
  }

  /// Rows stay rows when batched data is gathered along another axis than 0, or when a shared
  /// table is gathered along its axis 0 by batched indices (an embedding lookup: output row `i`
  /// is `x[indices[i]]`); anything else mixes them.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    let alongAxis0 = axis == -types[0].rank
    switch (inputs[0], inputs[1]) {
    case (.shared, .shared): return [.shared]
    case (.batched, .shared): return alongAxis0 ? nil : [.batched]
    case (.shared, .batched): return alongAxis0 && types[1].rank >= 1 ? [.batched] : nil
    case (.batched, .batched): return nil
    }
  }

  public static var conformanceCases: [ConformanceCase] {
    let scalar = { (i: Int64) in SampleInput.constant(Tensor(uncheckedShape: [], storage: .int64([i]))) }
    return [
      ConformanceCase(Gather(axis: -1), [SampleInput([3, 4]), .ints([2, -1, 0])]),
      ConformanceCase(Gather(axis: -1), [SampleInput([3, 4]), scalar(-1)]),
      ConformanceCase(Gather(axis: -2), [SampleInput([3, 2]), .ints([1, 1, 0, 2])]),
      ConformanceCase(
        Gather(axis: -2),
        [SampleInput([2, 3, 2]), .constant(Tensor(uncheckedShape: [2, 2], storage: .int64([0, 2, -2, 0])))]),
      ConformanceCase(
        Gather(axis: -1), [.constant(Tensor(uncheckedShape: [3], storage: .int64([5, 6, 7]))), scalar(1)]),
    ]
  }
}

extension Gather: ONNXLowering {
  public static let onnxOpTypes = ["Gather"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(2...2)
    let x = try node.input(0)
    let axis = try node.axisFromEnd(node.int("axis", default: 0), rank: b.type(of: x).rank)
    return [try b.apply1(Gather(axis: axis), [x, node.input(1)], name: node.name)]
  }
}
