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

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }
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
      Kernels.forEachStrided(shape: outerShape, outerStrides, outerStrides) { i, j, _ in target[i] = source[j] }
    } else {
      Kernels.forEachStrided(shape: outerShape, outerStrides, outerStrides) { i, j, _ in
        (target + i * n).update(from: source + j, count: n)
      }
    }
  }

  /// `target[j ..< j + run] = source[i ..< i + run]` (a scatter into a strided `target`).
  @inline(__always)
  func scatter<T>(_ source: UnsafePointer<T>, into target: UnsafeMutablePointer<T>) {
    let n = run
    if n == 1 {
      Kernels.forEachStrided(shape: outerShape, outerStrides, outerStrides) { i, j, _ in target[j] = source[i] }
    } else {
      Kernels.forEachStrided(shape: outerShape, outerStrides, outerStrides) { i, j, _ in
        (target + j).update(from: source + i * n, count: n)
      }
    }
  }
}
