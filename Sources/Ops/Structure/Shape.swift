public import GraphIR
public import TensorCore

/// The sizes of `x`'s axes `start ..< end` as an int64 vector: `y = x.shape[start:end]`.
///
/// `start` and `end` count from the end when negative and are clamped to `[0, rank]` (ONNX);
/// `end` nil is the rank; `start > end` gives an empty vector. The output type's `value` is those
/// sizes, symbolic ones included, so shape arithmetic downstream (`Gather`, `Concat`, `Reshape`)
/// is known when the graph is built and folded in plans. ONNX `Shape` (opsets 1, 13; `start` and
/// `end` since 15; 19, 21 add types).
///
/// Piecewise constant (integer output): derivatives are symbolic zeros.
public struct Shape: Primitive {
  public static let name = "Shape"
  public let start: Int
  public let end: Int?

  public init(start: Int = 0, end: Int? = nil) {
    self.start = start
    self.end = end
  }

  public var description: String { "Shape(start: \(start), end: \(end.map(String.init) ?? "rank"))" }

  /// The clamped axis range for an input of rank `rank`.
  func axes(rank: Int) -> Range<Int> {
    func clamp(_ a: Int) -> Int { min(max(a < 0 ? a + rank : a, 0), rank) }
    let (lo, hi) = (clamp(start), clamp(end ?? rank))
    return lo..<max(lo, hi)
  }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 1 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 1 input, got \(inputs.count)")
    }
    let dims = Array(inputs[0].dims[axes(rank: inputs[0].rank)])
    return [TensorType(.int64, [.known(dims.count)]).withValue(dims)]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] {
    let sizes = inputs[0].shape[axes(rank: inputs[0].rank)].map(Int64.init)
    return [Tensor(uncheckedShape: [sizes.count], storage: .int64(sizes))]
  }

  /// Plans fold `Shape` (its value is known); the kernel writes the sizes when it is not.
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    let sizes = io.inputShapes[0][axes(rank: io.inputShapes[0].count)].map(Int64.init)
    let y = io.output(0, as: Int64.self)
    return { for (i, s) in sizes.enumerated() { y[i] = s } }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] { [nil] }
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] { [nil] }

  /// Sizes hold no row of any input.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? { [.shared] }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Shape(), [SampleInput([3, 4], differentiable: false)]),
      ConformanceCase(Shape(start: -1), [SampleInput([2, 3, 4], differentiable: false)]),
      ConformanceCase(Shape(start: 1, end: -1), [SampleInput([2, 3, 4, 5], differentiable: false)]),
      ConformanceCase(Shape(start: 2, end: 1), [SampleInput([2, 3, 4], differentiable: false)]),
    ]
  }
}

extension Shape: ONNXLowering {
  public static let onnxOpTypes = ["Shape"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let start = node.opset >= 15 ? try node.int("start", default: 0) : 0
    let end: Int? = node.opset >= 15 && node.attributes["end"] != nil ? try node.int("end", default: 0) : nil
    return [try b.apply1(Shape(start: start, end: end), [node.input(0)], name: node.name)]
  }
}
