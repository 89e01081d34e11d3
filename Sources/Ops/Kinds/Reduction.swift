public import GraphIR
public import TensorCore

/// A reduction of one input over a set of axes (ONNX `Reduce*`).
///
/// Axes are counted from the end (−1 is the last), so one op reduces the primal axes of a
/// tangent and keeps its leading direction axes. This kind supplies the shape rule (axes in
/// range, reduced axes kept as size 1 or dropped; known int64 values reduced too) and the batch
/// rule: reducing axis 0 of a batched input mixes rows.
public protocol AxisReduction: FloatKernel {
  /// The reduced axes, counted from the end, ascending and distinct; empty reduces nothing
  /// (each output element is the reduction of one element).
  var axes: [Int] { get }
  /// Whether reduced axes stay, with size 1.
  var keepDims: Bool { get }
  /// Whether int64 inputs are allowed (`combineIntegers` then reduces them).
  var acceptsIntegers: Bool { get }
  /// The reduction of an empty set of int64 values.
  var integerIdentity: Int64 { get }
  /// Combines two int64 values (wrapping, never trapping).
  func combineIntegers(_ a: Int64, _ b: Int64) -> Int64
}

extension AxisReduction {
  public var acceptsIntegers: Bool { false }
  public var integerIdentity: Int64 { 0 }
  public func combineIntegers(_ a: Int64, _ b: Int64) -> Int64 { a }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 1 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 1 input, got \(inputs.count)")
    }
    let x = inputs[0]
    guard x.dtype.isFloatingPoint || (acceptsIntegers && x.dtype == .int64) else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "", reason: "input must be f32 or f64\(acceptsIntegers ? " or i64" : ""), got \(x.dtype)")
    }
    try checkReducedAxes(axes, rank: x.rank, op: Self.name)
    let type = TensorType(x.dtype, reducedDims(x.dims, axes: axes, keepDims: keepDims))
    guard x.dtype == .int64, let value = x.value else { return [type] }
    guard !axes.isEmpty else { return [type.withValue(value)] }
    let known = value.compactMap(\.value)
    guard known.count == value.count else { return [type.withValue([.symbol("")])] }
    let total = known.reduce(integerIdentity) { combineIntegers($0, Int64($1)) }
    return [type.withValue([.known(Int(total))])]
  }

  /// Runs the plan kernel (the shape rule checks dtype and axes first).
  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func integerKernel(_ io: KernelIO) -> Kernel? {
    guard acceptsIntegers else { return nil }
    let layout = ReductionLayout(shape: io.inputShapes[0], axes: axes)
    let (x, y) = (io.input(0, as: Int64.self), io.output(0, as: Int64.self))
    let identity = integerIdentity
    return { layout.reduce(x, y, initial: identity) { combineIntegers($0, $1) } }
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    reductionBatchRoles(inputs[0], rank: types[0].rank, axes: axes)
  }

  /// `Name(axes: […], keepDims: …)`: every attribute, so equal descriptions mean equal ops.
  public var description: String { "\(Self.name)(axes: \(axes), keepDims: \(keepDims))" }
}

/// Throws unless `axes` are distinct, ascending and within `-rank ..< 0`.
func checkReducedAxes(_ axes: [Int], rank: Int, op: String) throws {
  guard axes.allSatisfy({ (-rank..<0).contains($0) }), zip(axes, axes.dropFirst()).allSatisfy({ $0 < $1 }) else {
    throw GraphError.invalidInputs(
      op: op, node: "",
      reason: "axes \(axes) must be distinct, ascending and counted from the end (−\(rank)…−1) for rank \(rank)")
  }
}

/// `dims` with the axes in `axes` (counted from the end) set to 1 or dropped.
func reducedDims(_ dims: [Dim], axes: [Int], keepDims: Bool) -> [Dim] {
  let reduced = Set(axes.map { dims.count + $0 })
  return dims.indices.compactMap { i in reduced.contains(i) ? (keepDims ? .known(1) : nil) : dims[i] }
}

/// Rows stay rows unless a batched input's axis 0 is among the reduced axes.
func reductionBatchRoles(_ role: BatchRole, rank: Int, axes: [Int]) -> [BatchRole]? {
  role == .batched && axes.contains(-rank) ? nil : [role]
}

/// How a reduction over some axes walks a tensor, decided when a plan is compiled.
///
/// Unit axes are ignored and neighbouring axes of the same kind merged; when the reduced axes
/// then form one block the tensor is `[outer, n, inner]` and the reduced tensor `[outer, inner]`
/// (the fast, vectorised case). Otherwise `kept[o]` is the offset of output element `o`'s first
/// element and `reduced[j]` that of the `j`-th reduced element relative to it.
struct ReductionLayout: Sendable {
  var outer = 0
  var n = 0
  var inner = 0
  var isBlock = true
  var kept: [Int] = []
  var reduced: [Int] = []
  /// Elements of the reduced tensor.
  var outputCount: Int
  /// Elements reduced into each output element.
  var reducedCount: Int

  init(shape: [Int], axes: [Int]) {
    let rank = shape.count
    let reducedAxes = Set(axes.map { rank + $0 })
    outputCount = shape.indices.filter { !reducedAxes.contains($0) }.reduce(1) { $0 * shape[$1] }
    reducedCount = reducedAxes.reduce(1) { $0 * shape[$1] }
    var segments: [(size: Int, reduced: Bool)] = []
    for a in shape.indices where shape[a] != 1 {
      let r = reducedAxes.contains(a)
      if let last = segments.last, last.reduced == r {
        segments[segments.count - 1].size *= shape[a]
      } else {
        segments.append((shape[a], r))
      }
    }
    let blocks = segments.indices.filter { segments[$0].reduced }
    guard blocks.count > 1 else {
      let b = blocks.first ?? segments.count
      outer = segments[..<b].reduce(1) { $0 * $1.size }
      n = reducedCount
      inner = b < segments.count ? segments[(b + 1)...].reduce(1) { $0 * $1.size } : 1
      return
    }
    isBlock = false
    var strides = [Int](repeating: 1, count: rank)
    for a in stride(from: rank - 2, through: 0, by: -1) { strides[a] = strides[a + 1] * shape[a + 1] }
    let keptAxes = shape.indices.filter { !reducedAxes.contains($0) }
    let reducedList = shape.indices.filter { reducedAxes.contains($0) }
    kept = offsets(keptAxes.map { shape[$0] }, keptAxes.map { strides[$0] })
    reduced = offsets(reducedList.map { shape[$0] }, reducedList.map { strides[$0] })
  }

  /// `y[o] = f(…f(f(initial, x₀), x₁)…)` over the elements reduced into output `o`.
  @inline(__always)
  func reduce<T>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, initial: T, _ f: (T, T) -> T) {
    guard isBlock else {
      for o in 0..<outputCount {
        let xb = x + kept[o]
        var acc = initial
        for r in reduced { acc = f(acc, xb[r]) }
        y[o] = acc
      }
      return
    }
    for o in 0..<outer {
      let (xb, yb) = (x + o * n * inner, y + o * inner)
      for i in 0..<inner { yb[i] = initial }
      for j in 0..<n {
        let xr = xb + j * inner
        for i in 0..<inner { yb[i] = f(yb[i], xr[i]) }
      }
    }
  }

  /// Calls `body(o, index)` for each output element `o`, where `index(j)` is the offset of the
  /// `j`-th element reduced into it (`j < reducedCount`).
  @inline(__always)
  func forEachGroup(_ body: (Int, (Int) -> Int) -> Void) {
    guard isBlock else {
      for o in 0..<outputCount {
        let base = kept[o]
        body(o) { base + reduced[$0] }
      }
      return
    }
    for o in 0..<outer {
      for i in 0..<inner {
        let base = o * n * inner + i
        body(o * inner + i) { base + $0 * inner }
      }
    }
  }
}

/// Row-major offsets of every index of `dims` under `strides`.
private func offsets(_ dims: [Int], _ strides: [Int]) -> [Int] {
  var out = [0]
  for (d, s) in zip(dims, strides).reversed() {
    out = (0..<d).flatMap { i in out.map { $0 + i * s } }
  }
  return out
}

/// Memory a kernel owns for its lifetime (allocated when the plan is compiled, never while it
/// runs), freed with the kernel.
///
/// `@unchecked Sendable`: only its kernel uses it, inside its plan's serialised runs.
final class KernelScratch<T>: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<T>

  init(count: Int) {
    pointer = UnsafeMutablePointer<T>.allocate(capacity: max(count, 1))
  }

  deinit { pointer.deallocate() }
}

/// The axes (counted from the end, ascending) an ONNX `Reduce*` node reduces, or nil when it
/// reduces nothing (`noop_with_empty_axes` with no or empty axes). Axes are the `axes`
/// attribute before opset `axesInputSince` and the optional second input (known when the model
/// is loaded) from it on; no axes means every axis.
func onnxReducedAxes(_ node: ImportedNode, _ b: GraphBuilder, axesInputSince: Int) throws -> [Int]? {
  let rank = b.type(of: try node.input(0)).rank
  let listed: [Int]?
  var noop = false
  if node.opset >= axesInputSince {
    try node.expectInputs(1...2)
    guard node.attributes["axes"] == nil else {
      throw node.error(
        "axes is an input from opset \(axesInputSince) on, not an attribute (this model imports opset \(node.opset))")
    }
    listed = node.optionalInput(1) == nil ? nil : try node.knownInts(input: 1, b, what: "axes")
    noop = try node.int("noop_with_empty_axes", default: 0) != 0
  } else {
    try node.expectInputs(1...1)
    listed = try node.ints("axes", default: nil)
  }
  guard let listed, !listed.isEmpty else { return noop ? nil : Array(-rank..<0) }
  let axes = try listed.map { try node.axisFromEnd($0, rank: rank) }
  guard Set(axes).count == axes.count else { throw node.error("axes \(listed) name an axis twice") }
  return axes.sorted()
}

/// Lowers an ONNX `Reduce*` node to `make(axes, keepdims)`, or to `Identity` when it reduces
/// nothing.
func lowerReduction(
  _ node: ImportedNode, _ b: inout GraphBuilder, axesInputSince: Int, _ make: ([Int], Bool) -> any Primitive
) throws -> [Value] {
  let x = try node.input(0)
  guard let axes = try onnxReducedAxes(node, b, axesInputSince: axesInputSince) else {
    return [try b.apply1(Identity(), [x], name: node.name)]
  }
  return [try b.apply1(make(axes, try node.int("keepdims", default: 1) != 0), [x], name: node.name)]
}
