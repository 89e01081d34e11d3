public import GraphIR
import TensorCore

/// A tensor of the shape the int64 vector `shape` holds, every element the rank-0 `value`:
/// `y = value · 1_shape`. The output has `value`'s dtype.
///
/// The fill is an input (the ONNX lowering makes the `value` attribute a `Constant`) rather than
/// a stored tensor so that a model converted to another float dtype converts it with every other
/// constant. The shape is read from its value (`ones_like` and `torch.zeros(x.shape[0], 4)` in
/// legacy exports are `Shape` → … → `ConstantOfShape`); small int64 or bool outputs get their
/// value. ONNX `ConstantOfShape` (opset 9; `value` defaults to float32 0; 20, 21 add types).
///
/// Constant in `shape`; linear in `value`: `ẏ = BroadcastLike(d)(v̇, y)`, `v̄ = Σ ȳ`.
public struct ConstantOfShape: Primitive, ElementKernel {
  public static let name = "ConstantOfShape"

  public init() {}

  public var description: String { Self.name }

  private func fail(_ reason: String) -> GraphError { .invalidInputs(op: Self.name, node: "", reason: reason) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else { throw fail("expected 2 inputs (shape, value), got \(inputs.count)") }
    let (s, v) = (inputs[0], inputs[1])
    guard s.dtype == .int64, s.rank == 1, let n = s.dims[0].value, v.rank == 0 else {
      throw fail("expected an int64 vector of known length and a rank-0 value, got \(s) and \(v)")
    }
    let dims = s.value ?? [Dim](repeating: .symbol(""), count: n)
    if let negative = dims.first(where: { ($0.value ?? 0) < 0 }) {
      throw fail("shape \(dims) has a negative size \(negative)")
    }
    let type = TensorType(v.dtype, dims)
    guard let fill = v.value, fill.count == 1, let count = type.shape.flatMap(ShapeSize.count),
      count <= TensorType.valueLimit
    else { return [type] }
    return [type.withValue([Dim](repeating: fill[0], count: count))]
  }

  public func elementKernel<T>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let (v, y, n) = (io.input(1, as: T.self), io.output(0, as: T.self), io.outputCount(0))
    return { y.update(repeating: v[0], count: n) }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[1] else { return [nil] }
    let d = args.directionAxes
    let rank = b.type(of: args.outputs[0]).rank
    let aligned = try b.alignTangent(t, operandRank: 0, outputRank: rank, directionAxes: d)
    return [try b.broadcastTangent(aligned, toOutput: args.outputs[0], directionAxes: d)]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    return [nil, try b.reduceCotangent(ct, to: args.primals[1], directionAxes: args.directionAxes)]
  }

  /// Sizes and a rank-0 fill hold no row of any input.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    inputs.contains(.batched) ? nil : [.shared]
  }

  public static var conformanceCases: [ConformanceCase] {
    let int64 = { (v: Int64) in SampleInput.constant(Tensor(uncheckedShape: [], storage: .int64([v]))) }
    return [
      ConformanceCase(ConstantOfShape(), [.ints([3, 4]), SampleInput([])]),
      ConformanceCase(ConstantOfShape(), [.ints([]), SampleInput([])]),
      ConformanceCase(ConstantOfShape(), [.ints([2]), .constant(Tensor.scalar(0.5, dtype: .float64))]),
      ConformanceCase(ConstantOfShape(), [.ints([3]), int64(1)]),
    ]
  }
}

extension ConstantOfShape: ONNXLowering {
  public static let onnxOpTypes = ["ConstantOfShape"]
  public static let onnxOpsets = 9...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let fill: Tensor
    switch node.attributes["value"] {
    case nil: fill = Tensor.scalar(0, dtype: .float32)
    case .tensor(let t)?:
      guard t.count == 1 else { throw node.error("attribute 'value' must hold one element, got shape \(t.shape)") }
      fill = try t.reshaped([])
    default: throw node.error("attribute 'value' must be a tensor")
    }
    return [try b.apply1(ConstantOfShape(), [node.input(0), b.constant(fill)], name: node.name)]
  }
}
