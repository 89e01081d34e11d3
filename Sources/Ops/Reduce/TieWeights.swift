public import GraphIR
public import TensorCore

/// How the derivative of a maximum (or minimum) over axes is shared among ties:
/// `w = [x = m] / k` where `m` is the maximum (minimum) of the elements reduced together and `k`
/// how many of them equal it; `w` has `x`'s shape. No ONNX counterpart: the JVP and VJP of
/// `ReduceMax` / `ReduceMin` scale by it (PyTorch's `amax` / `amin` convention).
///
/// Piecewise constant: its derivatives are zero (symbolic).
public struct TieWeights: FloatKernel {
  public static let name = "TieWeights"
  public let axes: [Int]
  public let max: Bool

  /// `axes` counted from the end; `max` false for a minimum.
  public init(axes: [Int], max: Bool) {
    self.axes = axes.sorted()
    self.max = max
  }

  public var description: String { "TieWeights(axes: \(axes), \(max ? "max" : "min"))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 1, inputs[0].dtype.isFloatingPoint else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected one f32 or f64 input, got \(inputs)")
    }
    try checkReducedAxes(axes, rank: inputs[0].rank, op: Self.name)
    return inputs
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let layout = ReductionLayout(shape: io.inputShapes[0], axes: axes)
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    let (n, isMax) = (layout.reducedCount, max)
    return {
      layout.forEachGroup { _, index in
        var m: T = isMax ? -.infinity : .infinity
        for j in 0..<n { m = isMax ? Swift.max(m, x[index(j)]) : Swift.min(m, x[index(j)]) }
        var k: T = 0
        for j in 0..<n where x[index(j)] == m { k += 1 }
        let share = k > 0 ? 1 / k : 0
        for j in 0..<n { y[index(j)] = x[index(j)] == m ? share : 0 }
      }
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] { [nil] }
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] { [nil] }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    reductionBatchRoles(inputs[0], rank: types[0].rank, axes: axes)
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(TieWeights(axes: [-1], max: true), [SampleInput([3, 4])]),
      ConformanceCase(TieWeights(axes: [-3, -1], max: false), [SampleInput([2, 3, 4])]),
      ConformanceCase(
        TieWeights(axes: [-2], max: true),
        [SampleInput.constant(Tensor(uncheckedShape: [2, 2], storage: .float64([1, 3, 1, 2])))]),
    ]
  }
}
