public import GraphIR
import TensorCore

/// A strided slice of `x` along `axes`: `y = x[…, starts[k] : ends[k] : steps[k], …]` on each
/// axis `axes[k]` (counted from the end), every other axis whole.
///
/// `starts`, `ends` and the optional `steps` (default 1) are int64 vectors read from their
/// values (constants, or computed from sizes, as legacy `torch.chunk` exports do), with ONNX
/// semantics: a negative index has the axis size `d` added; then, for a positive step, start
/// and end are clamped to `[0, d]`; for a negative step, start to `[0, d − 1]` and end to
/// `[−1, d − 1]`; the count is `max(0, ⌈(end − start) / step⌉)`. Huge ends (`INT64_MAX`,
/// `INT64_MIN`) slice to the end. A step of 0 is an error. int64 data of rank 1 with a known
/// value gets the sliced value. ONNX `Slice` (opset 1: `starts`, `ends`, `axes` attributes; 10:
/// inputs with `axes` and `steps`; 11: negative axes; 13 adds types).
///
/// Linear in `x`: `ẏ = Slice(ẋ)`; `x̄ = SliceScatter(ȳ, x)` (zeros of `x`'s shape with `ȳ` in
/// the slice).
public struct Slice: Primitive, ElementKernel {
  public static let name = "Slice"
  /// The sliced axes, counted from the end (−1 is the last).
  public let axes: [Int]

  public init(axes: [Int]) { self.axes = axes }

  public var description: String { "Slice(axes: \(axes))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    let x = try checkSliceInputs(inputs, axes: axes, op: Self.name, sliced: 0)
    let params = try sliceParameters(inputs, from: 1, count: axes.count, op: Self.name)
    var dims = x.dims
    var resolved: [SliceAxis?] = []
    for (k, axis) in axes.enumerated() {
      let p = x.rank + axis
      let r = params.resolve(k, size: x.dims[p])
      resolved.append(r)
      dims[p] = r.map { .known($0.count) } ?? (params.isWhole(k, size: x.dims[p]) ? x.dims[p] : .symbol(""))
    }
    let type = TensorType(x.dtype, dims)
    guard x.rank == 1, let value = x.value, value.count == x.dims[0].value else { return [type] }
    guard let r = resolved.first else { return [type.withValue(value)] }
    return [r.map { r in type.withValue((0..<r.count).map { value[r.start + $0 * r.step] }) } ?? type]
  }

  public func elementKernel<T>(_ io: KernelIO, _: T.Type) -> Kernel? {
    guard let layout = SliceLayout(io, axes: axes, shape: io.inputShapes[0], params: 1),
      layout.shape == io.outputShapes[0]
    else { return nil }
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    guard io.outputCount(0) > 0 else { return {} }
    let runs = StridedRuns(shape: layout.shape, strides: layout.strides)
    return { runs.gather(UnsafePointer(x + layout.offset), into: y) }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    return [try b.apply1(self, [t] + args.primals.dropFirst())]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    let rest = [Value?](repeating: nil, count: args.primals.count - 1)
    guard let ct = args.cotangents[0] else { return [nil] + rest }
    return [try b.apply1(SliceScatter(axes: axes), [ct] + args.primals)] + rest
  }

  /// Rows stay rows unless axis 0 is sliced to less than all of it.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    guard inputs[0] == .batched else { return inputs.dropFirst().contains(.batched) ? nil : [.shared] }
    guard !inputs.dropFirst().contains(.batched) else { return nil }
    let rank = types[0].rank
    guard let k = axes.firstIndex(of: -rank) else { return [.batched] }
    guard let params = try? sliceParameters(types, from: 1, count: axes.count, op: Self.name) else { return nil }
    return params.isWhole(k, size: types[0].dims[0]) ? [.batched] : nil
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Slice(axes: [-1]), [SampleInput([3, 5]), .ints([1]), .ints([4])]),
      ConformanceCase(
        Slice(axes: [-2, -1]), [SampleInput([4, 5]), .ints([-3, 0]), .ints([Int.max, 5]), .ints([1, 2])]),
      ConformanceCase(Slice(axes: [-1]), [SampleInput([3, 6]), .ints([-1]), .ints([Int.min]), .ints([-2])]),
      ConformanceCase(
        Slice(axes: [-3, -1]), [SampleInput([3, 2, 4]), .ints([1, 3]), .ints([3, 0]), .ints([1, -1])]),
      ConformanceCase(
        Slice(axes: [-1]),
        [.constant(Tensor(uncheckedShape: [4], storage: .int64([7, 8, 9, 10]))), .ints([1]), .ints([-1])]),
    ]
  }
}

extension Slice: ONNXLowering {
  public static let onnxOpTypes = ["Slice"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let x = try node.input(0)
    let rank = b.type(of: x).rank
    var inputs = [x]
    let rawAxes: [Int]?
    if node.opset < 10 {
      try node.expectInputs(1...1)
      guard let starts = try node.ints("starts", default: nil), let ends = try node.ints("ends", default: nil) else {
        throw node.error("attributes 'starts' and 'ends' are required before opset 10")
      }
      guard starts.count == ends.count else {
        throw node.error("'starts' has \(starts.count) entries but 'ends' has \(ends.count)")
      }
      inputs += [try b.ints(starts), try b.ints(ends)]
      rawAxes = try node.ints("axes", default: nil)
    } else {
      try node.expectInputs(3...5)
      inputs += [try node.input(1), try node.input(2)]
      rawAxes = node.optionalInput(3) == nil ? nil : try node.knownInts(input: 3, b, what: "axes")
      if let steps = node.optionalInput(4) { inputs.append(steps) }
    }
    let count = b.type(of: inputs[1]).dims.first?.value ?? rawAxes?.count ?? rank
    let axes = try (rawAxes ?? Array(0..<count)).map { try node.axisFromEnd($0, rank: rank, what: "axis") }
    guard Set(axes).count == axes.count else { throw node.error("axes \(rawAxes ?? []) repeat an axis") }
    return [try b.apply1(Slice(axes: axes), inputs, name: node.name)]
  }
}

/// One sliced axis resolved for a concrete size: first index, step and element count.
struct SliceAxis {
  var start: Int
  var step: Int
  var count: Int

  /// ONNX's clamping for an axis of size `d`; `step` is not 0.
  init(size d: Int, start: Int, end: Int, step: Int) {
    var s = start < 0 ? start &+ d : start
    var e = end < 0 ? end &+ d : end
    if step > 0 {
      s = min(max(s, 0), d)
      e = min(max(e, 0), d)
    } else {
      s = min(max(s, 0), d - 1)
      e = min(max(e, -1), d - 1)
    }
    let span = step > 0 ? e - s : s - e
    self.start = s
    self.step = step
    self.count = span <= 0 ? 0 : 1 + (span - 1) / Int(clamping: step.magnitude)
  }
}

/// The `starts`, `ends` and `steps` of a slice as far as their values are known.
struct SliceParameters {
  var starts: [Dim]?
  var ends: [Dim]?
  var steps: [Dim]?

  /// Axis `k` resolved for a known size, when every number involved is known.
  func resolve(_ k: Int, size: Dim) -> SliceAxis? {
    guard let d = size.value, let s = starts?[k].value, let e = ends?[k].value, let st = steps?[k].value else {
      return nil
    }
    return SliceAxis(size: d, start: s, end: e, step: st)
  }

  /// Whether axis `k` is taken whole (start 0, step 1, end at or past the size) for any size,
  /// as far as the values tell: what keeps a symbolic size symbolic.
  func isWhole(_ k: Int, size: Dim) -> Bool {
    guard let s = starts?[k], let e = ends?[k], let st = steps?[k], st == .known(1), s == .known(0) else {
      return false
    }
    if let r = resolve(k, size: size) { return r.count == size.value }
    if case .symbol(let name) = size, !name.isEmpty, e == size { return true }
    return (e.value ?? 0) >= Int(Int32.max)
  }
}

/// Checks the inputs of `Slice` / `SliceScatter` (the tensor whose axes are sliced is input
/// `sliced`; int64 vectors follow input `sliced + 1` … ) and returns the sliced tensor's type.
func checkSliceInputs(_ inputs: [TensorType], axes: [Int], op: String, sliced: Int) throws -> TensorType {
  let first = sliced == 0 ? 1 : 2
  guard inputs.count == first + 2 || inputs.count == first + 3 else {
    throw GraphError.invalidInputs(
      op: op, node: "", reason: "expected \(first + 2) or \(first + 3) inputs, got \(inputs.count)")
  }
  let x = inputs[sliced]
  guard axes.allSatisfy({ (-x.rank..<0).contains($0) }), Set(axes).count == axes.count else {
    throw GraphError.invalidInputs(op: op, node: "", reason: "axes \(axes) (from the end) do not fit \(x) or repeat")
  }
  for (i, t) in inputs.enumerated().dropFirst(first) {
    guard t.dtype == .int64, t.rank == 1, t.dims[0].value.map({ $0 == axes.count }) ?? true else {
      throw GraphError.invalidInputs(
        op: op, node: "", reason: "input \(i) must be an int64 vector of \(axes.count) entries (one per axis), got \(t)"
      )
    }
  }
  return x
}

/// The known values of the int64 vectors at `first`, `first + 1` and (optional) `first + 2`.
func sliceParameters(_ inputs: [TensorType], from first: Int, count: Int, op: String) throws -> SliceParameters {
  let steps = inputs.count > first + 2 ? inputs[first + 2].value : [Dim](repeating: .known(1), count: count)
  if let steps, steps.contains(.known(0)) {
    throw GraphError.invalidInputs(op: op, node: "", reason: "steps \(steps) contain 0")
  }
  let given = [inputs[first].value, inputs[first + 1].value, steps]
  if let wrong = given.compactMap({ $0 }).first(where: { $0.count != count }) {
    throw GraphError.invalidInputs(op: op, node: "", reason: "\(wrong) has \(wrong.count) entries for \(count) axes")
  }
  return SliceParameters(starts: given[0], ends: given[1], steps: given[2])
}

/// Where a slice sits in a tensor of shape `shape`: the offset of its first element, the stride
/// of each axis (0 where at most one element is taken) and its shape, from plan-constant
/// parameters (inputs `first`, `first + 1` and the optional `first + 2`).
struct SliceLayout {
  var offset = 0
  var strides: [Int]
  var shape: [Int]

  init?(_ io: KernelIO, axes: [Int], shape full: [Int], params first: Int) {
    let ones = [Int](repeating: 1, count: axes.count)
    guard let starts = io.constantInts(first), let ends = io.constantInts(first + 1),
      let steps = io.inputs.count > first + 2 ? io.constantInts(first + 2) : ones,
      starts.count == axes.count, ends.count == axes.count, steps.count == axes.count, !steps.contains(0),
      axes.allSatisfy({ (-full.count..<0).contains($0) })
    else { return nil }
    let contiguous = contiguousStrides(full)
    strides = contiguous
    shape = full
    for (k, axis) in axes.enumerated() {
      let p = full.count + axis
      let r = SliceAxis(size: full[p], start: starts[k], end: ends[k], step: steps[k])
      if r.count > 0 { offset += r.start * contiguous[p] }
      strides[p] = r.count > 1 ? r.step * contiguous[p] : 0
      shape[p] = r.count
    }
  }
}
