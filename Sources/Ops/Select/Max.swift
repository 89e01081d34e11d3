public import GraphIR
public import TensorCore

/// Elementwise maximum of two tensors with NumPy broadcasting, `y = max(a, b)` (NaN if either
/// is NaN, as `torch.maximum`). ONNX `Max` (opset 1/6 equal shapes, 8+ NumPy broadcasting, 12+
/// integers): variadic, lowered to a chain of this binary primitive (one input is an identity).
/// int64 operands (shape arithmetic) fold while the graph is built.
///
/// PyTorch's `torch.maximum` convention at ties: each side gets half. With the primal masks
/// `wa = a < b ? 0 : (a == b ? ½ : 1)` and `wb = a > b ? 0 : (a == b ? ½ : 1)` (built from
/// comparisons and `Where`, so their derivatives are symbolic zeros): `ẏ = wa·ȧ + wb·ḃ`;
/// `ā = Σ_bcast wa·ȳ`, `b̄ = Σ_bcast wb·ȳ`. Where either operand is NaN both masks are 1, as in
/// PyTorch.
public struct Max: BinaryBroadcasting {
  public static let name = "Max"
  public init() {}
  public var description: String { Self.name }

  public func apply<T: FloatElement>(_ a: T, _ b: T) -> T { a > b || a.isNaN ? a : b }

  public var acceptsIntegers: Bool { true }
  public func applyInteger(_ a: Int64, _ b: Int64) -> Int64 { Swift.max(a, b) }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    try extremumJVP(&b, args, masks: extremumMasks(&b, args.primals, larger: true))
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    try extremumVJP(&b, args, masks: extremumMasks(&b, args.primals, larger: true))
  }

  public static var conformanceCases: [ConformanceCase] {
    binaryConformanceCases(Max()) + extremumExtraCases(Max())
  }
}

extension Max: ONNXLowering {
  public static let onnxOpTypes = ["Max"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    [try lowerExtremum(node, &b, Max())]
  }
}

/// The tie-splitting masks of `Max` (`larger`) or `Min`: the share of the derivative each
/// operand gets, in the primal output's shape.
func extremumMasks(_ b: inout GraphBuilder, _ primals: [Value], larger: Bool) throws -> (Value, Value) {
  let (x, z) = (primals[0], primals[1])
  let (zero, half, one) = (try b.scalar(0, like: x), try b.scalar(0.5, like: x), try b.scalar(1, like: x))
  let tie = try b.where(b.equal(x, z), half, one)
  let xLoses = try larger ? b.less(x, z) : b.greater(x, z)
  let zLoses = try larger ? b.greater(x, z) : b.less(x, z)
  return (try b.where(xLoses, zero, tie), try b.where(zLoses, zero, tie))
}

/// `ẏ = wa·ȧ + wb·ḃ` for the masks of `extremumMasks`, with a losing operand's tangent
/// selected away rather than multiplied by 0 (so an infinite tangent of the operand not taken,
/// √x at 0, adds no NaN).
func extremumJVP(_ b: inout GraphBuilder, _ args: JVPArguments, masks: (Value, Value)) throws -> [Value?] {
  let t = try alignedTangents(&b, args)
  let parts = try [t[0].map { try b.selectOrZero(b.greater(masks.0, b.scalar(0, like: masks.0)), b.mul($0, masks.0)) },
    t[1].map { try b.selectOrZero(b.greater(masks.1, b.scalar(0, like: masks.1)), b.mul($0, masks.1)) }]
  return [try b.add(parts[0], parts[1])]
}

/// `ā = Σ_bcast wa·ȳ`, `b̄ = Σ_bcast wb·ȳ` for the masks of `extremumMasks`.
func extremumVJP(_ b: inout GraphBuilder, _ args: VJPArguments, masks: (Value, Value)) throws -> [Value?] {
  guard let ct = args.cotangents[0], b.type(of: ct).dtype.isFloatingPoint else { return [nil, nil] }
  let d = args.directionAxes
  return [
    try b.reduceCotangent(b.mul(ct, masks.0), to: args.primals[0], directionAxes: d),
    try b.reduceCotangent(b.mul(ct, masks.1), to: args.primals[1], directionAxes: d),
  ]
}

/// ONNX `Max`/`Min` of one or more inputs as a left-to-right chain of `op`.
func lowerExtremum(_ node: ImportedNode, _ b: inout GraphBuilder, _ op: any Primitive) throws -> Value {
  guard !node.inputs.isEmpty else { throw node.error("needs at least one input") }
  let inputs = try node.inputs.indices.map { try node.input($0) }
  guard inputs.count > 1 else { return try b.apply1(Identity(), inputs, name: node.name) }
  var y = inputs[0]
  for (i, x) in inputs.dropFirst().enumerated() {
    y = try b.apply1(op, [y, x], name: i == inputs.count - 2 ? node.name : "\(node.name)/\(i)")
  }
  return y
}

/// Cases beyond the broadcasting shapes: a constant operand, and int64 shape arithmetic.
func extremumExtraCases(_ op: any Primitive) -> [ConformanceCase] {
  [
    ConformanceCase(op, [SampleInput([3, 4]), SampleInput.constant(Tensor.scalar(0.5, dtype: .float64))]),
    ConformanceCase(op, [SampleInput.ints([3, -1, 8]), SampleInput.ints([1])]),
  ]
}

extension Max: BranchSelecting {
  /// Each operand where it does not lose (ties pass half to each).
  public func branch(_ b: inout GraphBuilder, _ primals: [Value], input k: Int) throws -> (condition: Value, takenWhenTrue: Bool)? {
    (try extremumLoses(&b, primals, input: k, larger: true), false)
  }
}

/// Where operand `k` of a two-input Max (`larger`) or Min loses to the other.
func extremumLoses(_ b: inout GraphBuilder, _ primals: [Value], input k: Int, larger: Bool) throws -> Value {
  let (x, z) = k == 0 ? (primals[0], primals[1]) : (primals[1], primals[0])
  return try larger ? b.less(x, z) : b.greater(x, z)
}
