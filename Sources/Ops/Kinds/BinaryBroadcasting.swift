public import GraphIR
public import TensorCore

/// An elementwise function `y = f(a, b)` of two floating-point inputs with NumPy broadcasting.
///
/// A conforming op supplies the scalar `apply` and its own JVP/VJP rules (they differ per op);
/// this kind supplies the shape rule, the kernel (also behind `forward`) and the batch rule.
public protocol BinaryBroadcasting: FloatKernel {
  func apply<T: FloatElement>(_ a: T, _ b: T) -> T
}

extension BinaryBroadcasting {
  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 2 inputs, got \(inputs.count)")
    }
    let (a, b) = (inputs[0], inputs[1])
    guard a.dtype == b.dtype, a.dtype.isFloatingPoint else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "", reason: "inputs must both be f32 or both f64, got \(a.dtype) and \(b.dtype)")
    }
    let rank = max(a.rank, b.rank)
    var dims: [Dim] = []
    for i in 0..<rank {
      let da = i < rank - a.rank ? Dim.known(1) : a.dims[i - (rank - a.rank)]
      let db = i < rank - b.rank ? Dim.known(1) : b.dims[i - (rank - b.rank)]
      guard let d = Dim.broadcast(da, db) else {
        throw GraphError.invalidInputs(
          op: Self.name, node: "", reason: "shapes \(a) and \(b) cannot be broadcast together")
      }
      dims.append(d)
    }
    return [TensorType(a.dtype, dims)]
  }

  /// Runs the plan kernel (the shape rule checks dtypes and broadcasting first).
  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }


  public var bufferRule: BufferRule { .inPlace }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let layout = Kernels.BinaryLayout(aShape: io.inputShapes[0], bShape: io.inputShapes[1], outShape: io.outputShapes[0])
    let (a, b, y) = (io.input(0, as: T.self), io.input(1, as: T.self), io.output(0, as: T.self))
    return { Kernels.binary(a, b, y, layout) { apply($0, $1) } }
  }

  /// Rows stay rows when every batched input has the output's rank (its axis 0 is the output's).
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    elementwiseBatchRoles(inputs, types: types)
  }
}

/// Batch rule shared by broadcasting ops: a batched input must have the output's rank.
func elementwiseBatchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
  let rank = types.map(\.rank).max() ?? 0
  var batched = false
  for (role, t) in zip(inputs, types) where role == .batched {
    guard t.rank == rank else { return nil }
    batched = true
  }
  return [batched ? .batched : .shared]
}
