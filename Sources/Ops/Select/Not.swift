public import GraphIR
public import TensorCore

/// Logical negation, `y = ¬x`, of a bool tensor. ONNX `Not` (opset 1+); a known value folds
/// while the graph is built.
///
/// Piecewise constant: derivatives are symbolic zeros.
public struct Not: Primitive {
  public static let name = "Not"
  public init() {}
  public var description: String { Self.name }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 1, inputs[0].dtype == .bool else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected one bool input, got \(inputs)")
    }
    return [
      inputs[0].withValue(inputs[0].value.map { $0.map { $0.value.map { .known($0 == 0 ? 1 : 0) } ?? .symbol("") } })
    ]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    let (x, y, n) = (io.input(0, as: UInt8.self), io.output(0, as: Bool.self), io.outputCount(0))
    return { Kernels.unaryMapped(x, y, n) { $0 == 0 } }
  }

  public var bufferRule: BufferRule { .inPlace }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] { [nil] }
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] { [nil] }
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? { inputs }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(
        Not(), [SampleInput.constant(Tensor(uncheckedShape: [2, 2], storage: .bool([true, false, false, true])))])
    ]
  }
}

extension Not: ONNXLowering {
  public static let onnxOpTypes = ["Not"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    return [try b.apply1(Not(), [node.input(0)], name: node.name)]
  }
}
