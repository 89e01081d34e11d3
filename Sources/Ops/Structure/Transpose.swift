public import GraphIR
import TensorCore

/// Axes permuted after `leading` untouched ones: output axis `L + i` is input axis `L + perm[i]`.
/// ONNX `Transpose` (opset 1; 13, 21 add types; `perm` defaults to the axes reversed).
///
/// Linear: `ẏ = Transpose(perm, L + d)(ẋ)`; `x̄ = Transpose(perm⁻¹, L + d)(ȳ)`.
public struct Transpose: Primitive, ElementKernel {
  public static let name = "Transpose"
  public let perm: [Int]
  public let leading: Int

  public init(perm: [Int], leading: Int = 0) {
    self.perm = perm
    self.leading = leading
  }

  public var description: String { "Transpose(perm: \(perm), leading: \(leading))" }

  /// Whether `perm` permutes `0 ..< perm.count`.
  static func isPermutation(_ perm: [Int]) -> Bool { perm.sorted() == Array(0..<perm.count) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 1, inputs[0].rank == leading + perm.count, Self.isPermutation(perm) else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "",
        reason: "perm \(perm) after \(leading) leading axes does not permute the axes of \(inputs)")
    }
    let x = inputs[0]
    let type = TensorType(x.dtype, Array(x.dims[..<leading]) + perm.map { x.dims[leading + $0] })
    return [x.value.map { type.withValue($0) } ?? type]
  }

  public func elementKernel<T>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let shape = io.inputShapes[0]
    guard shape.count == leading + perm.count else { return nil }
    let full = Array(0..<leading) + perm.map { $0 + leading }
    let contiguous = contiguousStrides(shape)
    let strides = full.map { contiguous[$0] }
    let outShape = io.outputShapes[0]
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    return { Kernels.expand(x, y, shape: outShape, xStrides: strides) }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.apply1(Transpose(perm: perm, leading: leading + args.directionAxes), [$0]) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    var inverse = [Int](repeating: 0, count: perm.count)
    for (i, p) in perm.enumerated() { inverse[p] = i }
    return [
      try args.cotangents[0].map { try b.apply1(Transpose(perm: inverse, leading: leading + args.directionAxes), [$0]) }
    ]
  }

  /// Rows stay rows when axis 0 stays in place.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    inputs[0] == .batched && leading == 0 && perm.first != 0 ? nil : inputs
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Transpose(perm: [1, 0]), [SampleInput([3, 4])]),
      ConformanceCase(Transpose(perm: [2, 0, 1]), [SampleInput([2, 3, 4])]),
      ConformanceCase(Transpose(perm: [1, 0], leading: 1), [SampleInput([2, 3, 4])]),
      ConformanceCase(Transpose(perm: [0]), [.ints([4, 5])]),
    ]
  }
}

extension Transpose: ONNXLowering {
  public static let onnxOpTypes = ["Transpose"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let x = try node.input(0)
    let rank = b.type(of: x).rank
    let perm = try node.ints("perm", default: nil) ?? Array((0..<rank).reversed())
    guard perm.count == rank, isPermutation(perm) else {
      throw node.error("perm \(perm) is not a permutation of the \(rank) axes of \(b.type(of: x))")
    }
    return [try b.apply1(Transpose(perm: perm), [x], name: node.name)]
  }
}
