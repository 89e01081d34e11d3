public import GraphIR
public import TensorCore

/// Zeros shaped like `like`, with each slice of `v` added at its index along `axis`: the adjoint
/// of `Gather`. `y[i…, indices[k…], j…] += v[i…, k…, j…]` (repeated indices accumulate);
/// `y.shape = v.shape[..<L] + like.shape` where `L = v.rank − (like.rank − 1 + indices.rank)`
/// (leading direction axes pass through). `like` supplies only its shape. No ONNX counterpart:
/// the VJP of `Gather`.
///
/// Linear in `v`: `ẏ = GatherScatterAdd(v̇, like, indices)`; `v̄ = Gather(ȳ, indices)`.
public struct GatherScatterAdd: Primitive {
  public static let name = "GatherScatterAdd"
  /// The axis of `like` indexed, counted from the end.
  public let axis: Int

  public init(axis: Int) { self.axis = axis }

  public var description: String { "GatherScatterAdd(axis: \(axis))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 3 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 3 inputs, got \(inputs.count)")
    }
    let (v, like, indices) = (inputs[0], inputs[1], inputs[2])
    let p = like.rank + axis
    guard axis < 0, (0..<like.rank).contains(p), indices.dtype == .int64, v.dtype == like.dtype, v.dtype != .bool else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "",
        reason: "cannot scatter \(v) into \(like) along axis \(axis) at int64 indices \(indices)")
    }
    let gathered = Array(like.dims[..<p]) + indices.dims + Array(like.dims[(p + 1)...])
    let lead = v.rank - gathered.count
    guard lead >= 0,
      zip(v.dims.suffix(gathered.count), gathered).allSatisfy({ $0 == $1 || $0.value == nil || $1.value == nil })
    else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "\(v) is not a gather of \(like) at \(indices)")
    }
    if let n = like.dims[p].value, let known = indices.knownInts {
      for i in known where !(-n..<n).contains(i) {
        throw GraphError.invalidInputs(
          op: Self.name, node: "", reason: "index \(i) is out of range for an axis of size \(n)")
      }
    }
    return [TensorType(v.dtype, Array(v.dims.prefix(lead)) + like.dims)]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    switch io.outputDTypes[0] {
    case .float32: kernel(io, Float.self)
    case .float64: kernel(io, Double.self)
    case .int64: kernel(io, Int64.self)
    case .bool: nil
    }
  }

  func kernel<T: AdditiveArithmetic>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let shape = io.outputShapes[0]
    let p = shape.count + axis
    guard (0..<shape.count).contains(p), let raw = io.constantInts(2),
      raw.allSatisfy({ (-shape[p]..<shape[p]).contains($0) })
    else { return nil }
    let indices = raw.map { $0 < 0 ? $0 + shape[p] : $0 }
    let outer = shape[..<p].reduce(1, *)
    let n = shape[p]
    let inner = shape[(p + 1)...].reduce(1, *)
    let m = indices.count
    let count = io.outputCount(0)
    let (v, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    return {
      y.update(repeating: .zero, count: count)
      for o in 0..<outer {
        for (j, k) in indices.enumerated() {
          let (source, target) = (v + (o * m + j) * inner, y + (o * n + k) * inner)
          for t in 0..<inner { target[t] += source[t] }
        }
      }
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    [try args.tangents[0].map { try b.apply1(self, [$0, args.primals[1], args.primals[2]]) }]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    [try args.cotangents[0].map { try b.apply1(Gather(axis: axis), [$0, args.primals[2]]) }, nil, nil]
  }

  /// Rows stay rows when axis 0 is a leading axis of `v`, or is not the indexed axis.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    guard inputs[2] == .shared else { return nil }
    guard inputs[0] == .batched else { return [.shared] }
    let gatheredRank = types[1].rank - 1 + types[2].rank
    return types[0].rank > gatheredRank || axis != -types[1].rank ? [.batched] : nil
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(
        GatherScatterAdd(axis: -2),
        [SampleInput([4, 2]), SampleInput([3, 2], differentiable: false), .ints([1, 1, 0, -1])]),
      ConformanceCase(
        GatherScatterAdd(axis: -1),
        [
          SampleInput([3]), SampleInput([3, 4], differentiable: false),
          .constant(Tensor(uncheckedShape: [], storage: .int64([-1]))),
        ]),
      ConformanceCase(
        GatherScatterAdd(axis: -1),
        [SampleInput([2, 3, 2]), SampleInput([3, 4], differentiable: false), .ints([0, 3])]),
    ]
  }
}
