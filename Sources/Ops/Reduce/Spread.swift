public import GraphIR
public import TensorCore

/// The adjoint of `ReduceSum` / `ReduceMean`: broadcasts `v` back over the reduced axes of
/// `ref`, divided by the number of elements reduced into each when `mean`. No ONNX counterpart;
/// produced by VJP rules.
///
/// `v` is `ReduceSum(axes, keepDims)(ref)`-shaped after any number `L` of leading axes (the
/// direction axes of a cotangent); `y.shape = v.shape[..<L] + ref.shape` and
/// `y[…, i] = v[…, reduce(i)]·(mean ? 1/n : 1)`. `ref` supplies only its shape.
///
/// Linear in `v`: `ẏ = Spread(v̇, ref)`; `v̄ = ReduceSum(ȳ)` (or `ReduceMean` when `mean`).
public struct Spread: FloatKernel {
  public static let name = "Spread"
  public let axes: [Int]
  public let keepDims: Bool
  public let mean: Bool

  /// `axes` counted from the end, as in the reduction this undoes.
  public init(axes: [Int], keepDims: Bool, mean: Bool) {
    self.axes = axes.sorted()
    self.keepDims = keepDims
    self.mean = mean
  }

  public var description: String { "Spread(axes: \(axes), keepDims: \(keepDims), mean: \(mean))" }

  private func fail(_ reason: String) -> GraphError { .invalidInputs(op: Self.name, node: "", reason: reason) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else { throw fail("expected 2 inputs, got \(inputs.count)") }
    let (v, ref) = (inputs[0], inputs[1])
    guard v.dtype.isFloatingPoint, v.dtype == ref.dtype else {
      throw fail("inputs must both be f32 or both f64, got \(v.dtype) and \(ref.dtype)")
    }
    try checkReducedAxes(axes, rank: ref.rank, op: Self.name)
    let reduced = reducedDims(ref.dims, axes: axes, keepDims: keepDims)
    let leading = v.rank - reduced.count
    guard leading >= 0,
      zip(v.dims.suffix(reduced.count), reduced).allSatisfy({ $0 == $1 || $0.value == nil || $1.value == nil })
    else {
      throw fail("\(v) is not the reduction of \(ref) over axes \(axes) (keepDims: \(keepDims)) after leading axes")
    }
    return [TensorType(v.dtype, Array(v.dims.prefix(leading)) + ref.dims)]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let layout = ReductionLayout(shape: io.outputShapes[0], axes: axes)
    let (v, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    let scale: T = mean ? 1 / T(layout.reducedCount) : 1
    guard layout.isBlock else {
      return { layout.forEachGroup { o, index in for j in 0..<layout.reducedCount { y[index(j)] = v[o] * scale } } }
    }
    let (outer, n, inner) = (layout.outer, layout.n, layout.inner)
    return {
      for o in 0..<outer {
        let vb = v + o * inner
        for j in 0..<n {
          let yr = y + (o * n + j) * inner
          for i in 0..<inner { yr[i] = vb[i] * scale }
        }
      }
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.apply1(self, [$0, args.primals[1]]) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    let reduce: any Primitive =
      mean ? ReduceMean(axes: axes, keepDims: keepDims) : ReduceSum(axes: axes, keepDims: keepDims)
    return [try b.apply1(reduce, [ct]), nil]
  }

  /// Axis 0 comes from `v` when `v` has leading axes, else from `ref`; spreading a batched `v`
  /// over axis 0 mixes rows.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    let (v, ref) = (types[0], types[1])
    let leading = v.rank - (keepDims ? ref.rank : ref.rank - axes.count)
    if leading > 0 { return [inputs[0]] }
    if inputs[0] == .batched { return axes.contains(-ref.rank) ? nil : [.batched] }
    return [inputs[1]]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(
        Spread(axes: [-1], keepDims: true, mean: false),
        [SampleInput([3, 1]), SampleInput([3, 4], differentiable: false)]),
      ConformanceCase(
        Spread(axes: [-2], keepDims: false, mean: true),
        [SampleInput([2, 2, 4]), SampleInput([2, 3, 4], differentiable: false)]),
      ConformanceCase(
        Spread(axes: [-3, -1], keepDims: false, mean: true),
        [SampleInput([3]), SampleInput([2, 3, 4], differentiable: false)]),
      ConformanceCase(
        Spread(axes: [-3, -1], keepDims: true, mean: false),
        [SampleInput([2, 1, 3, 1]), SampleInput([2, 3, 4], differentiable: false)]),
    ]
  }
}
