public import GraphIR
public import TensorCore

/// Normalised exponential over a block of axes, `y = exp(x − m) / Σ exp(x − m)` with `m` the
/// maximum over the block (for range). ONNX `Softmax`: opsets 1–12 coerce the input to 2-D at
/// `axis` (default 1) and normalise over the flattened axes `axis…` to the end, so the block is
/// `axis … −1`; opset 13+ normalises over the single `axis` (default −1), anywhere.
///
/// The Jacobian `diag(y) − y·yᵀ` is symmetric: `ẏ = y·(ẋ − Σ y·ẋ)`; `x̄ = y·(ȳ − Σ ȳ·y)`
/// (sums over the block, kept as size-1 axes), written with graph ops so every order works.
/// A primitive rather than a composite for accuracy (the shift by `m`) and speed (one kernel).
public struct Softmax: FloatKernel {
  public static let name = "Softmax"
  /// The normalised axes, counted from the end.
  public let axes: ClosedRange<Int>

  public init(axes: ClosedRange<Int>) { self.axes = axes }

  public var description: String { "Softmax(axes: \(axes.lowerBound)...\(axes.upperBound))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    try softmaxTypes(inputs, axes: axes, op: Self.name)
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    softmaxKernel(io, axes: axes, log: false, T.self)
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try symmetricProduct(&b, $0, y: args.outputs[0]) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [try args.cotangents[0].map { try symmetricProduct(&b, $0, y: args.outputs[0]) }]
  }

  /// `y·(t − Σ y·t)`.
  private func symmetricProduct(_ b: inout GraphBuilder, _ t: Value, y: Value) throws -> Value {
    try b.mul(y, b.sub(t, b.reduceSum(b.mul(y, t), axes: Array(axes))))
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    reductionBatchRoles(inputs[0], rank: types[0].rank, axes: Array(axes))
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Softmax(axes: -1 ... -1), [SampleInput([3, 4])]),
      ConformanceCase(Softmax(axes: -2 ... -2), [SampleInput([2, 3, 4])]),
      ConformanceCase(Softmax(axes: -2 ... -1), [SampleInput([2, 3, 4])]),
      ConformanceCase(Softmax(axes: -3 ... -3), [SampleInput([2, 3, 4])]),
    ]
  }
}

extension Softmax: ONNXLowering {
  public static let onnxOpTypes = ["Softmax"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    [try b.apply1(Softmax(axes: onnxSoftmaxAxes(node, b)), [node.input(0)], name: node.name)]
  }
}

/// The normalised block of an ONNX `Softmax` / `LogSoftmax` node, counted from the end:
/// `axis … −1` (default axis 1) before opset 13, `axis` alone (default −1) from 13 on.
func onnxSoftmaxAxes(_ node: ImportedNode, _ b: GraphBuilder) throws -> ClosedRange<Int> {
  try node.expectInputs(1...1)
  let rank = b.type(of: try node.input(0)).rank
  let axis = try node.axisFromEnd(node.int("axis", default: node.opset >= 13 ? -1 : 1), rank: rank)
  return node.opset >= 13 ? axis...axis : axis ... -1
}

/// The shape rule of `Softmax` / `LogSoftmax`: one float input whose rank covers the block.
func softmaxTypes(_ inputs: [TensorType], axes: ClosedRange<Int>, op: String) throws -> [TensorType] {
  guard inputs.count == 1, inputs[0].dtype.isFloatingPoint else {
    throw GraphError.invalidInputs(op: op, node: "", reason: "expected one f32 or f64 input, got \(inputs)")
  }
  try checkReducedAxes(Array(axes), rank: inputs[0].rank, op: op)
  return inputs
}

/// The kernel of `Softmax` / `LogSoftmax` over `x` viewed as `[outer, n, inner]` (the block in
/// the middle): the block maxima `m` (vectorised), `y = x − m`, `y = exp y` (SLEEF) and the sums
/// `s` (vectorised), then `y /= s` or, for the logarithm, `y = x − m − log s`.
func softmaxKernel<T: FloatElement>(_ io: KernelIO, axes: ClosedRange<Int>, log: Bool, _: T.Type) -> Kernel? {
  let shape = io.inputShapes[0]
  let (first, last) = (shape.count + axes.lowerBound, shape.count + axes.upperBound)
  let outer = shape[..<first].reduce(1, *)
  let n = shape[first...last].reduce(1, *)
  let inner = shape[(last + 1)...].reduce(1, *)
  let (count, total) = (outer * inner, outer * n * inner)
  let scratch = KernelScratch<T>(count: 2 * count)
  let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
  return {
    let (m, s) = (scratch.pointer, scratch.pointer + count)
    VectorMath.reduce(x, m, outer: outer, n: n, inner: inner, .max)
    forEachInBlocks(outer: outer, n: n, inner: inner) { e, r in y[e] = x[e] - m[r] }
    VectorMath.exp(y, y, count: total)
    VectorMath.reduce(y, s, outer: outer, n: n, inner: inner, .sum)
    if log {
      VectorMath.log(s, s, count: count)
      forEachInBlocks(outer: outer, n: n, inner: inner) { e, r in y[e] = x[e] - m[r] - s[r] }
    } else {
      for r in 0..<count { s[r] = 1 / s[r] }
      forEachInBlocks(outer: outer, n: n, inner: inner) { e, r in y[e] *= s[r] }
    }
  }
}

/// Calls `body(e, r)` for every element `e` of `[outer, n, inner]` with `r` its index in the
/// reduced `[outer, inner]`.
@inline(__always)
private func forEachInBlocks(outer: Int, n: Int, inner: Int, _ body: (Int, Int) -> Void) {
  if inner == 1 {
    for o in 0..<outer {
      let base = o * n
      for j in 0..<n { body(base + j, o) }
    }
    return
  }
  for o in 0..<outer {
    for j in 0..<n {
      let (base, r) = ((o * n + j) * inner, o * inner)
      for i in 0..<inner { body(base + i, r + i) }
    }
  }
}
