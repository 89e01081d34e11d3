public import GraphIR
import TensorCore

/// `x` broadcast to the int64 vector `shape`, keeping `leading` axes: the last `n = len(shape)`
/// axes of `x` broadcast with `shape` (NumPy rules both ways: a size 1 on either side stretches),
/// every other axis stays. `x.rank − L ≥ n`: the ONNX lowering first gives `x` leading unit axes
/// when `shape` is longer.
///
/// The shape is read from its value (`ones_like` under dynamo is `Shape` → `Expand`). int64 data
/// of rank ≤ 1 with a known value gets the broadcast value. ONNX `Expand` (opset 8; 13 adds
/// types).
///
/// Linear: `ẏ = Expand(L + d)(ẋ, shape)`; `x̄ = SumToLike(d)(ȳ, x)` (summed over the stretched
/// axes).
public struct Expand: Primitive, ElementKernel {
  public static let name = "Expand"
  public let leading: Int

  public init(leading: Int = 0) { self.leading = leading }

  public var description: String { "Expand(leading: \(leading))" }

  private func fail(_ reason: String) -> GraphError { .invalidInputs(op: Self.name, node: "", reason: reason) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else { throw fail("expected 2 inputs, got \(inputs.count)") }
    let (x, s) = (inputs[0], inputs[1])
    guard s.dtype == .int64, s.rank == 1, let n = s.dims[0].value else {
      throw fail("shape must be an int64 vector of known length, got \(s)")
    }
    guard x.rank - leading >= n else { throw fail("\(x) has fewer than \(n) axes after its \(leading) leading ones") }
    let target = s.value ?? [Dim](repeating: .symbol(""), count: n)
    var dims = x.dims
    for (i, t) in target.enumerated() {
      let p = x.rank - n + i
      if let v = t.value, v < 0 { throw fail("shape \(target) has a negative size") }
      guard let d = Dim.broadcast(x.dims[p], t) else { throw fail("cannot expand \(x) to \(target)") }
      dims[p] = d
    }
    let type = TensorType(x.dtype, dims)
    guard let value = x.value, let count = type.shape.flatMap(ShapeSize.count), count <= TensorType.valueLimit,
      value.count == count || value.count == 1
    else {
      return [type]
    }
    return [type.withValue(value.count == count ? value : [Dim](repeating: value[0], count: count))]
  }

  public func elementKernel<T>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let outShape = io.outputShapes[0]
    let strides = Broadcasting.strides(of: io.inputShapes[0], in: outShape)
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    return { Kernels.expand(x, y, shape: outShape, xStrides: strides) }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    return [try b.apply1(Expand(leading: leading + args.directionAxes), [t, args.primals[1]])]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    return [try b.reduceCotangent(ct, to: args.primals[0], directionAxes: args.directionAxes), nil]
  }

  /// Rows stay rows unless axis 0 itself is stretched (a batch of one copied into many rows).
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    guard inputs[1] == .shared else { return nil }
    guard inputs[0] == .batched, leading == 0 else { return [inputs[0]] }
    guard let out = try? outputTypes(types)[0], types[0].dims.first == out.dims.first else { return nil }
    return [.batched]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Expand(), [SampleInput([3, 1]), .ints([3, 4])]),
      ConformanceCase(Expand(), [SampleInput([1, 1, 4]), .ints([2, 3, 4])]),
      ConformanceCase(Expand(leading: 1), [SampleInput([2, 1, 3]), .ints([4, 3])]),
      ConformanceCase(Expand(), [SampleInput([2, 3]), .ints([1, 3])]),
      ConformanceCase(Expand(), [.constant(Tensor(uncheckedShape: [1], storage: .int64([5]))), .ints([3])]),
    ]
  }
}

extension Expand: ONNXLowering {
  public static let onnxOpTypes = ["Expand"]
  public static let onnxOpsets = 8...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(2...2)
    var x = try node.input(0)
    let shape = try node.input(1)
    let st = b.type(of: shape)
    guard st.rank == 1, let n = st.dims[0].value else {
      throw node.error("shape must be a vector of known length, got \(st)")
    }
    let rank = b.type(of: x).rank
    if n > rank { x = try b.apply1(InsertAxes(at: 0, count: n - rank), [x]) }
    return [try b.apply1(Expand(), [x, shape], name: node.name)]
  }
}
