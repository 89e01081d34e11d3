public import GraphIR
public import TensorCore

/// Inserts `count` axes of size 1 before axis `at` (ONNX `Unsqueeze` with consecutive axes).
///
/// Used to line up a tangent of a lower-rank operand with its output, and by the `Unsqueeze`
/// lowering; int64 values pass through (`Gather` → `Unsqueeze` in shape arithmetic). Linear:
/// `ẏ = InsertAxes(at + d)(ẋ)`; `x̄ = RemoveAxes(at + d)(ȳ)`.
public struct InsertAxes: Primitive {
  public static let name = "InsertAxes"
  public let at: Int
  public let count: Int

  public init(at: Int, count: Int) {
    self.at = at
    self.count = count
  }

  public var description: String { "InsertAxes(at: \(at), count: \(count))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 1, at >= 0, count >= 0, at <= inputs[0].rank else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "cannot insert axes at \(at) into \(inputs)")
    }
    var dims = inputs[0].dims
    dims.insert(contentsOf: [Dim](repeating: .known(1), count: count), at: at)
    let type = TensorType(inputs[0].dtype, dims)
    return [inputs[0].value.map { type.withValue($0) } ?? type]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] {
    var shape = inputs[0].shape
    shape.insert(contentsOf: [Int](repeating: 1, count: count), at: at)
    return [try inputs[0].reshaped(shape)]
  }

  public var bufferRule: BufferRule { .view }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.apply1(InsertAxes(at: at + args.directionAxes, count: count), [$0]) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [try args.cotangents[0].map { try b.apply1(RemoveAxes(at: at + args.directionAxes, count: count), [$0]) }]
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    inputs[0] == .batched && at == 0 && count > 0 ? nil : inputs
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(InsertAxes(at: 1, count: 2), [SampleInput([3, 4])]),
      ConformanceCase(InsertAxes(at: 0, count: 1), [.constant(Tensor(uncheckedShape: [], storage: .int64([4])))]),
    ]
  }
}
