public import GraphIR
public import TensorCore

/// Elementwise selection, `y = c ? x : z`, with three-way NumPy broadcasting. ONNX `Where`
/// (opset 9+; 16 adds bfloat16). `c` is bool; `x` and `z` share a dtype: float, int64 (legacy
/// shape arithmetic such as `Where(Equal(shape, −1), ones, shape)`, whose known values fold
/// while the graph is built) or bool.
///
/// Linear in `x` and `z`, piecewise constant in `c`: `ẏ = Where(c, ẋ, ż)` (a scalar 0 in place
/// of a missing tangent); `x̄ = Σ_bcast Where(c, ȳ, 0)`, `z̄ = Σ_bcast Where(c, 0, ȳ)`, `c̄ = 0`.
/// The branch not taken gets an exact 0 by selection, never by multiplication, so a NaN or
/// infinity there (`Where(x > 0, log(x), 0)`) never reaches the other side's derivative.
/// PyTorch's dynamo export of `softplus` (`Where(Greater(x, 20), x, Softplus(x))`) relies on it.
public struct Where: Primitive {
  public static let name = "Where"
  public init() {}
  public var description: String { Self.name }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 3 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 3 inputs, got \(inputs.count)")
    }
    let (c, x, z) = (inputs[0], inputs[1], inputs[2])
    guard c.dtype == .bool, x.dtype == z.dtype else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "",
        reason: "expects a bool condition and two branches of one dtype, got \(c.dtype), \(x.dtype) and \(z.dtype)")
    }
    let dims = try broadcastDims(try TensorType(c.dtype, broadcastDims(c, x, op: Self.name)), z, op: Self.name)
    let type = TensorType(x.dtype, dims)
    guard let vc = c.value, let vx = x.value, let vz = z.value else { return [type] }
    let n = Swift.max(vc.count, vx.count, vz.count)
    guard [vc, vx, vz].allSatisfy({ $0.count == n || $0.count == 1 }) else { return [type] }
    let value = (0..<n).map { i -> Dim in
      func at(_ v: [Dim]) -> Dim { v[v.count == 1 ? 0 : i] }
      guard let flag = at(vc).value else { return .symbol("") }
      return flag != 0 ? at(vx) : at(vz)
    }
    return [type.withValue(value)]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    let layout = Kernels.TernaryLayout(shapes: io.inputShapes, outShape: io.outputShapes[0])
    let c = io.input(0, as: Bool.self)
    func kernel<T>(_: T.Type) -> Kernel {
      let (x, z, y) = (io.input(1, as: T.self), io.input(2, as: T.self), io.output(0, as: T.self))
      return { Kernels.ternary(c, x, z, y, layout) { $0 ? $1 : $2 } }
    }
    switch io.outputDTypes[0] {
    case .float32: return kernel(Float.self)
    case .float64: return kernel(Double.self)
    case .int64: return kernel(Int64.self)
    case .bool: return kernel(Bool.self)
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    let t = try alignedTangents(&b, args)
    guard let some = t[1] ?? t[2] else { return [nil] }
    let zero = try b.scalar(0, like: some)
    let selected = try b.where(args.primals[0], t[1] ?? zero, t[2] ?? zero)
    return [try b.broadcastTangent(selected, toOutput: args.outputs[0], directionAxes: args.directionAxes)]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil, nil] }
    let c = args.primals[0]
    let d = args.directionAxes
    return try [nil]
      + [(args.primals[1], false), (args.primals[2], true)].map { operand, otherwise in
        guard b.type(of: operand).dtype.isFloatingPoint else { return nil }
        return try b.reduceCotangent(b.selectOrZero(c, ct, otherwise: otherwise), to: operand, directionAxes: d)
      }
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    elementwiseBatchRoles(inputs, types: types)
  }

  public static var conformanceCases: [ConformanceCase] {
    func mask(_ shape: [Int]) -> SampleInput {
      let n = shape.reduce(1, *)
      return .constant(Tensor(uncheckedShape: shape, storage: .bool((0..<n).map { $0 % 3 != 1 })))
    }
    return [
      ConformanceCase(Where(), [mask([3, 4]), SampleInput([3, 4]), SampleInput([3, 4])]),
      ConformanceCase(Where(), [mask([3, 4]), SampleInput([4]), SampleInput([3, 1])]),
      ConformanceCase(Where(), [mask([4]), SampleInput([2, 3, 4]), SampleInput([])]),
      ConformanceCase(Where(), [mask([2, 1, 4]), SampleInput([3, 1]), SampleInput([3, 4])]),
      ConformanceCase(Where(), [mask([3, 4]), SampleInput([3, 4]), SampleInput([3, 4], differentiable: false)]),
      ConformanceCase(Where(), [mask([4]), SampleInput.ints([1]), SampleInput.ints([2, 3, 5, 7])]),
    ]
  }
}

extension Where: ONNXLowering {
  public static let onnxOpTypes = ["Where"]
  public static let onnxOpsets = 9...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(3...3)
    return [try b.apply1(Where(), [node.input(0), node.input(1), node.input(2)], name: node.name)]
  }
}

extension Where: BranchSelecting {
  /// Input 1 where the condition holds, input 2 where it does not.
  public func branch(_ b: inout GraphBuilder, _ primals: [Value], input k: Int) throws -> (condition: Value, takenWhenTrue: Bool)? {
    k == 0 ? nil : (primals[0], k == 1)
  }
}
