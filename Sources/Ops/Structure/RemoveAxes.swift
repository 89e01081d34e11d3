public import GraphIR
public import TensorCore

/// Removes `count` axes of size 1 starting at axis `at` (ONNX `Squeeze` with consecutive axes).
/// int64 values pass through.
///
/// Linear: `ẏ = RemoveAxes(at + d)(ẋ)`; `x̄ = InsertAxes(at + d)(ȳ)`.
public struct RemoveAxes: Primitive {
  public static let name = "RemoveAxes"
  public let at: Int
  public let count: Int

  public init(at: Int, count: Int) {
    self.at = at
    self.count = count
  }

  public var description: String { "RemoveAxes(at: \(at), count: \(count))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 1, at >= 0, count >= 0, at + count <= inputs[0].rank,
      inputs[0].dims[at..<(at + count)].allSatisfy({ $0 == .known(1) || $0.value == nil })
    else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "cannot remove \(count) unit axes at \(at) from \(inputs)")
    }
    var dims = inputs[0].dims
    dims.removeSubrange(at..<(at + count))
    let type = TensorType(inputs[0].dtype, dims)
    return [inputs[0].value.map { type.withValue($0) } ?? type]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] {
    var shape = inputs[0].shape
    guard shape[at..<(at + count)].allSatisfy({ $0 == 1 }) else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "axes \(at)..<\(at + count) of \(shape) are not all 1")
    }
    shape.removeSubrange(at..<(at + count))
    return [try inputs[0].reshaped(shape)]
  }

  public var bufferRule: BufferRule { .view }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.apply1(RemoveAxes(at: at + args.directionAxes, count: count), [$0]) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [try args.cotangents[0].map { try b.apply1(InsertAxes(at: at + args.directionAxes, count: count), [$0]) }]
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    inputs[0] == .batched && at == 0 && count > 0 ? nil : inputs
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(RemoveAxes(at: 1, count: 2), [SampleInput([3, 1, 1, 4])]),
      ConformanceCase(RemoveAxes(at: 0, count: 1), [.ints([4])]),
    ]
  }
}
