public import GraphIR
public import TensorCore

/// An elementwise test `y = p(a, b)` of two inputs of one dtype, with NumPy broadcasting and a
/// bool result (comparisons, `And`, `Or`).
///
/// A conforming op supplies `test`, written once for every operand type (bool operands arrive
/// as `UInt8` 0/1), and the dtypes it takes; this kind supplies the shape rule (with known
/// `value`s for int64 and bool operands, so shape arithmetic like `Equal(shape, -1)` folds),
/// the kernels, the batch rule, and zero derivatives: the result is piecewise constant.
public protocol BinaryPredicate: Primitive {
  /// The operand dtypes the predicate takes (both operands have the same one).
  var operandDTypes: [DType] { get }
  func test<T: Comparable & Numeric>(_ a: T, _ b: T) -> Bool
}

extension BinaryPredicate {
  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 2 inputs, got \(inputs.count)")
    }
    let (a, b) = (inputs[0], inputs[1])
    guard a.dtype == b.dtype, operandDTypes.contains(a.dtype) else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "",
        reason:
          "inputs must have one dtype out of \(operandDTypes.map(\.shortName).joined(separator: ", ")), got \(a.dtype) and \(b.dtype)"
      )
    }
    let type = TensorType(.bool, try broadcastDims(a, b, op: Self.name))
    guard let va = a.value, let vb = b.value else { return [type] }
    return [type.withValue(elementwiseValue(va, vb) { x, y in .known(test(Int64(x), Int64(y)) ? 1 : 0) })]
  }

  /// Runs the plan kernel (the shape rule checks dtypes and broadcasting first).
  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    let layout = Kernels.BinaryLayout(
      aShape: io.inputShapes[0], bShape: io.inputShapes[1], outShape: io.outputShapes[0])
    let y = io.output(0, as: Bool.self)
    func kernel<T: Comparable & Numeric>(_: T.Type) -> Kernel {
      let (a, b) = (io.input(0, as: T.self), io.input(1, as: T.self))
      return { Kernels.binary(a, b, y, layout) { test($0, $1) } }
    }
    switch io.inputDTypes[0] {
    case .float32: return kernel(Float.self)
    case .float64: return kernel(Double.self)
    case .int64: return kernel(Int64.self)
    case .bool: return kernel(UInt8.self)
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] { [nil] }
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] { [nil, nil] }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    elementwiseBatchRoles(inputs, types: types)
  }
}

/// Shapes every predicate is checked on (sampled float operands; not differentiated, since the
/// bool result has no cotangent to seed).
func predicateConformanceCases(_ op: any Primitive) -> [ConformanceCase] {
  func x(_ shape: [Int]) -> SampleInput { SampleInput(shape, differentiable: false) }
  return [
    ConformanceCase(op, [x([3, 4]), x([3, 4])]),
    ConformanceCase(op, [x([2, 3, 4]), x([4])]),
    ConformanceCase(op, [x([3, 1]), x([1, 4])]),
    ConformanceCase(op, [x([3, 4]), SampleInput.constant(Tensor.scalar(0.5, dtype: .float64))]),
    ConformanceCase(op, [SampleInput.ints([4, -1, 2]), SampleInput.ints([-1])]),
  ]
}
