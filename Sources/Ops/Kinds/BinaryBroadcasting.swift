public import GraphIR
public import TensorCore

/// An elementwise function `y = f(a, b)` of two inputs of one dtype with NumPy broadcasting.
///
/// A conforming op supplies the scalar `apply` and its own JVP/VJP rules (they differ per op);
/// this kind supplies the shape rule, the kernel (also behind `forward`) and the batch rule.
/// Ops that also take int64 (shape arithmetic in exported graphs) set `acceptsIntegers` and
/// give `applyInteger`; their shape rule then computes known `value`s too. Ops that are one
/// arithmetic operation name it in `vectorOp`, and their float kernel is vectorised C where the
/// operands line up (same shape, one element, or a repeating trailing block).
public protocol BinaryBroadcasting: FloatKernel {
  func apply<T: FloatElement>(_ a: T, _ b: T) -> T
  /// The vectorised operation that computes exactly `apply`, or nil.
  var vectorOp: VectorMath.BinaryOp? { get }
  /// Whether int64 operands are allowed.
  var acceptsIntegers: Bool { get }
  /// `f` on int64 elements: wrapping, never trapping (only called when `acceptsIntegers`).
  func applyInteger(_ a: Int64, _ b: Int64) -> Int64
}

extension BinaryBroadcasting {
  public var acceptsIntegers: Bool { false }
  public func applyInteger(_ a: Int64, _ b: Int64) -> Int64 { 0 }
  public var vectorOp: VectorMath.BinaryOp? { nil }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 2 inputs, got \(inputs.count)")
    }
    let (a, b) = (inputs[0], inputs[1])
    guard a.dtype == b.dtype, a.dtype.isFloatingPoint || (acceptsIntegers && a.dtype == .int64) else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "",
        reason: "inputs must both be f32 or both f64\(acceptsIntegers ? " (or both i64)" : ""), got \(a.dtype) and \(b.dtype)")
    }
    let dims = try broadcastDims(a, b, op: Self.name)
    let type = TensorType(a.dtype, dims)
    guard a.dtype == .int64, let va = a.value, let vb = b.value else { return [type] }
    return [type.withValue(elementwiseValue(va, vb) { x, y in .known(Int(applyInteger(Int64(x), Int64(y)))) })]
  }

  /// Runs the plan kernel (the shape rule checks dtypes and broadcasting first).
  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public var bufferRule: BufferRule { .inPlace }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let layout = Kernels.BinaryLayout(aShape: io.inputShapes[0], bShape: io.inputShapes[1], outShape: io.outputShapes[0])
    let (a, b, y) = (io.input(0, as: T.self), io.input(1, as: T.self), io.output(0, as: T.self))
    if let op = vectorOp {
      let periods: (Int, Int, Int)? =
        switch layout {
        case .same(let n): (n, n, n)
        case .scalarB(let n): (n, 1, n)
        case .scalarA(let n): (1, n, n)
        case .periodicB(let n, let m): (n, m, n)
        case .periodicA(let n, let m): (m, n, n)
        case .strided: nil
        }
      if let (pa, pb, n) = periods {
        return { VectorMath.binary(op, a, periodA: pa, b, periodB: pb, y, count: n) }
      }
    }
    return { Kernels.binary(a, b, y, layout) { apply($0, $1) } }
  }

  public func integerKernel(_ io: KernelIO) -> Kernel? {
    guard acceptsIntegers else { return nil }
    let layout = Kernels.BinaryLayout(aShape: io.inputShapes[0], bShape: io.inputShapes[1], outShape: io.outputShapes[0])
    let (a, b, y) = (io.input(0, as: Int64.self), io.input(1, as: Int64.self), io.output(0, as: Int64.self))
    return { Kernels.binary(a, b, y, layout) { applyInteger($0, $1) } }
  }

  /// Rows stay rows when every batched input has the output's rank (its axis 0 is the output's).
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    elementwiseBatchRoles(inputs, types: types)
  }
}

/// NumPy broadcasting of two types' dims; throws naming `op` when they cannot broadcast.
func broadcastDims(_ a: TensorType, _ b: TensorType, op: String) throws -> [Dim] {
  let rank = max(a.rank, b.rank)
  var dims: [Dim] = []
  for i in 0..<rank {
    let da = i < rank - a.rank ? Dim.known(1) : a.dims[i - (rank - a.rank)]
    let db = i < rank - b.rank ? Dim.known(1) : b.dims[i - (rank - b.rank)]
    guard let d = Dim.broadcast(da, db) else {
      throw GraphError.invalidInputs(op: op, node: "", reason: "shapes \(a) and \(b) cannot be broadcast together")
    }
    dims.append(d)
  }
  return dims
}

/// Elementwise `f` over two tracked values of rank ≤ 1 (one of them may have one element):
/// known pairs go through `f`, anything symbolic becomes an unknown size; nil when the counts
/// do not broadcast.
func elementwiseValue(_ a: [Dim], _ b: [Dim], _ f: (Int, Int) -> Dim) -> [Dim]? {
  let n = max(a.count, b.count)
  guard a.count == n || a.count == 1, b.count == n || b.count == 1 else { return nil }
  return (0..<n).map { i in
    guard let x = a[a.count == 1 ? 0 : i].value, let y = b[b.count == 1 ? 0 : i].value else { return .symbol("") }
    return f(x, y)
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
