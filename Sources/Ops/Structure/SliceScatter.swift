public import GraphIR
import TensorCore

/// Zeros shaped like `like`, with `v` written into the slice `Slice(axes)` of it selects: the
/// adjoint of `Slice`. `y.shape = v.shape[..<L] + like.shape` where `L = v.rank − like.rank`
/// (leading direction axes pass through); `starts`, `ends`, `steps` as for `Slice`. `like`
/// supplies only its shape. No ONNX counterpart: the VJP of `Slice`.
///
/// Linear in `v`: `ẏ = SliceScatter(v̇, like)`; `v̄ = Slice(ȳ)`.
public struct SliceScatter: Primitive, ElementKernel {
  public static let name = "SliceScatter"
  /// The sliced axes, counted from the end.
  public let axes: [Int]

  public init(axes: [Int]) { self.axes = axes }

  public var description: String { "SliceScatter(axes: \(axes))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    let like = try checkSliceInputs(inputs, axes: axes, op: Self.name, sliced: 1)
    let v = inputs[0]
    guard v.dtype == like.dtype, v.rank >= like.rank else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "cannot place \(v) into a slice of \(like)")
    }
    let lead = v.rank - like.rank
    let params = try sliceParameters(inputs, from: 2, count: axes.count, op: Self.name)
    for (p, d) in like.dims.enumerated() {
      let k = axes.firstIndex(of: p - like.rank)
      let expected = k.map { params.resolve($0, size: d).map { Dim.known($0.count) } ?? .symbol("") } ?? d
      if let e = expected.value, let got = v.dims[lead + p].value, e != got {
        throw GraphError.invalidInputs(
          op: Self.name, node: "", reason: "\(v) does not fit the slice of \(like) (axis \(p): \(e))")
      }
    }
    return [TensorType(v.dtype, Array(v.dims.prefix(lead)) + like.dims)]
  }

  public func elementKernel<T>(_ io: KernelIO, _: T.Type) -> Kernel? {
    guard let layout = SliceLayout(io, axes: axes, shape: io.outputShapes[0], params: 2),
      layout.shape == io.inputShapes[0]
    else { return nil }
    let (v, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    let bytes = io.outputCount(0) * MemoryLayout<T>.stride
    let runs = StridedRuns(shape: layout.shape, strides: layout.strides)
    let empty = layout.shape.contains(0)
    return {
      UnsafeMutableRawPointer(y).initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
      if !empty { runs.scatter(UnsafePointer(v), into: y + layout.offset) }
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    return [try b.apply1(self, [t] + args.primals.dropFirst())]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    let rest = [Value?](repeating: nil, count: args.primals.count - 1)
    guard let ct = args.cotangents[0] else { return [nil] + rest }
    return [try b.apply1(Slice(axes: axes), [ct] + args.primals.dropFirst(2))] + rest
  }

  /// Rows stay rows when axis 0 is a leading axis of `v` or is taken whole.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    guard !inputs.dropFirst(2).contains(.batched) else { return nil }
    guard inputs[0] == .batched else { return [.shared] }
    let like = types[1]
    guard types[0].rank == like.rank, let k = axes.firstIndex(of: -like.rank) else { return [.batched] }
    guard let params = try? sliceParameters(types, from: 2, count: axes.count, op: Self.name) else { return nil }
    return params.isWhole(k, size: like.dims[0]) ? [.batched] : nil
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(
        SliceScatter(axes: [-1]),
        [SampleInput([3, 3]), SampleInput([3, 5], differentiable: false), .ints([1]), .ints([4])]),
      ConformanceCase(
        SliceScatter(axes: [-2, -1]),
        [
          SampleInput([2, 2, 3]), SampleInput([4, 6], differentiable: false), .ints([-1, 0]), .ints([Int.min, 5]),
          .ints([-2, 2]),
        ]),
    ]
  }
}
