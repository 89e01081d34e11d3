public import GraphIR
public import TensorCore

/// An op that moves elements without arithmetic on them (slicing, gathering, concatenation,
/// transposition, broadcasting), so one generic kernel serves every dtype: f32 and f64 for
/// models, int64 and bool for shape arithmetic. This kind picks the instance from the output's
/// dtype and runs `forward` through the same kernel.
///
/// Index-like inputs (starts, indices) are read from their buffers when the kernel is built; a
/// plan has folded them (their types carry known values), so `io.constantInputs` marks them.
public protocol ElementKernel: Primitive {
  func elementKernel<T>(_ io: KernelIO, _: T.Type) -> Kernel?
}

extension ElementKernel {
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    switch io.outputDTypes[0] {
    case .float32: elementKernel(io, Float.self)
    case .float64: elementKernel(io, Double.self)
    case .int64: elementKernel(io, Int64.self)
    case .bool: elementKernel(io, Bool.self)
    }
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardWithFixedInputs(inputs) }
}

extension Primitive {
  /// `forward` by way of the plan kernel, with every input's known elements in its type (so
  /// shape rules that read sizes or indices from values see them) and every input marked
  /// constant (so kernels may read index inputs when they are built).
  public func forwardWithFixedInputs(_ inputs: [Tensor]) throws -> [Tensor] {
    let outTypes = try outputTypes(inputs.map { TensorType(of: $0) })
    let outShapes = try outTypes.map { t -> [Int] in
      guard let shape = t.shape else {
        throw GraphError.invalidInputs(op: name, node: "", reason: "output shape \(t) is not known from the inputs")
      }
      return shape
    }
    func buffer(_ shape: [Int], _ dtype: DType) -> UnsafeMutableRawPointer {
      UnsafeMutableRawPointer.allocate(byteCount: max(1, shape.reduce(1, *) * dtype.byteSize), alignment: 64)
    }
    let ins = inputs.map { t -> UnsafeMutableRawPointer in
      let p = buffer(t.shape, t.dtype)
      t.copyBytes(to: p)
      return p
    }
    let outs = zip(outShapes, outTypes).map { buffer($0, $1.dtype) }
    defer { (ins + outs).forEach { $0.deallocate() } }
    let io = KernelIO(
      inputs: ins, inputShapes: inputs.map(\.shape), inputDTypes: inputs.map(\.dtype), outputs: outs,
      outputShapes: outShapes, outputDTypes: outTypes.map(\.dtype), constantInputs: inputs.map { _ in true })
    guard let kernel = makeKernel(io) else {
      throw GraphError.invalidInputs(
        op: name, node: "", reason: "no kernel for \(inputs.map { "\($0.dtype)\($0.shape)" })")
    }
    kernel()
    return zip(outs, zip(outShapes, outTypes)).map { Tensor(copyingFrom: $0, shape: $1.0, dtype: $1.1.dtype) }
  }
}

extension KernelIO {
  /// The int64 elements of input `i` when it is a plan constant (index-like inputs), else nil.
  public func constantInts(_ i: Int) -> [Int]? {
    guard i < inputs.count, constantInputs[i], inputDTypes[i] == .int64 else { return nil }
    let p = input(i, as: Int64.self)
    return (0..<inputCount(i)).map { Int(p[$0]) }
  }
}

/// Row-major strides of `shape`.
func contiguousStrides(_ shape: [Int]) -> [Int] {
  var strides = [Int](repeating: 1, count: shape.count)
  for i in stride(from: shape.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * shape[i + 1] }
  return strides
}

/// A strided walk over `shape` in runs: when the last axis is contiguous (stride 1) each run is
/// a whole row of it, copied as one block; otherwise each run is one element. Built once when a
/// kernel is made, so walking allocates nothing.
struct StridedRuns {
  let outerShape: [Int]
  let outerStrides: [Int]
  /// Elements per run.
  let run: Int

  init(shape: [Int], strides: [Int]) {
    if let last = shape.last, strides.last == 1 {
      (outerShape, outerStrides, run) = (Array(shape.dropLast()), Array(strides.dropLast()), last)
    } else {
      (outerShape, outerStrides, run) = (shape, strides, 1)
    }
  }

  /// `target[i ..< i + run] = source[j ..< j + run]` for the contiguous offsets `i` and strided
  /// offsets `j` (a gather from a strided `source`).
  @inline(__always)
  func gather<T>(_ source: UnsafePointer<T>, into target: UnsafeMutablePointer<T>) {
    let n = run
    if n == 1 {
      forEachStrided(shape: outerShape, strides: outerStrides) { i, j in target[i] = source[j] }
    } else {
      forEachStrided(shape: outerShape, strides: outerStrides) { i, j in
        (target + i * n).update(from: source + j, count: n)
      }
    }
  }

  /// `target[j ..< j + run] = source[i ..< i + run]` (a scatter into a strided `target`).
  @inline(__always)
  func scatter<T>(_ source: UnsafePointer<T>, into target: UnsafeMutablePointer<T>) {
    let n = run
    if n == 1 {
      forEachStrided(shape: outerShape, strides: outerStrides) { i, j in target[j] = source[i] }
    } else {
      forEachStrided(shape: outerShape, strides: outerStrides) { i, j in
        (target + j).update(from: source + i * n, count: n)
      }
    }
  }
}

/// `body(i, j)` for every flat row-major index `i` of `shape`, with `j` its offset under
/// `strides` (which may be negative): one odometer for the strided scatters here.
@inline(__always)
func forEachStrided(shape: [Int], strides: [Int], _ body: (Int, Int) -> Void) {
  let n = shape.reduce(1, *)
  let rank = shape.count
  guard n > 0 else { return }
  withUnsafeTemporaryAllocation(of: Int.self, capacity: max(rank, 1)) { index in
    for a in 0..<rank { index[a] = 0 }
    var j = 0
    for i in 0..<n {
      body(i, j)
      var a = rank - 1
      while a >= 0 {
        index[a] += 1
        j += strides[a]
        if index[a] < shape[a] { break }
        j -= strides[a] * shape[a]
        index[a] = 0
        a -= 1
      }
    }
  }
}
