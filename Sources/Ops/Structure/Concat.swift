public import GraphIR
import TensorCore

/// Concatenation of one or more tensors along `axis` (counted from the end):
/// `y = [x₁ | x₂ | … | xₙ]`, every other axis equal. int64 vectors with known values (shape
/// vectors built by `Shape` → `Gather` → `Unsqueeze` → `Concat`) get the concatenated value.
/// ONNX `Concat` (opset 1: `axis` defaults to 1; 4: required; 11: negative; 13 adds types).
///
/// Linear: `ẏ = Concat(ẋ₁, …, ẋₙ)` (a missing tangent becomes `Zeros`); `x̄ᵢ` is the slice of
/// `ȳ` at `xᵢ`'s offset along the axis.
public struct Concat: Primitive, ElementKernel {
  public static let name = "Concat"
  /// The concatenated axis, counted from the end (−1 is the last).
  public let axis: Int

  public init(axis: Int) { self.axis = axis }

  public var description: String { "Concat(axis: \(axis))" }

  private func fail(_ reason: String) -> GraphError { .invalidInputs(op: Self.name, node: "", reason: reason) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard let first = inputs.first else { throw fail("expected at least one input") }
    let p = first.rank + axis
    guard axis < 0, (0..<first.rank).contains(p) else {
      throw fail("axis \(axis) (from the end) does not fit \(first)")
    }
    var dims = first.dims
    var total: Int? = 0
    for t in inputs {
      guard t.dtype == first.dtype, t.rank == first.rank else { throw fail("inputs \(inputs) differ in dtype or rank") }
      for (a, e) in t.dims.enumerated() where a != p {
        let d = dims[a]
        if let x = d.value, let y = e.value, x != y {
          throw fail("inputs \(inputs) differ on axis \(a), which is not the concatenated one")
        }
        if d.value == nil { dims[a] = e.value != nil || d == e ? e : .symbol("") }
      }
      total = total.flatMap { sum in
        t.dims[p].value.flatMap { sum.addingReportingOverflow($0).overflow ? nil : sum + $0 }
      }
    }
    dims[p] = inputs.count == 1 ? first.dims[p] : total.map(Dim.known) ?? .symbol("")
    let type = TensorType(first.dtype, dims)
    let values = inputs.compactMap(\.value)
    guard first.rank == 1, values.count == inputs.count else { return [type] }
    return [type.withValue(values.flatMap { $0 })]
  }

  public func elementKernel<T>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let out = io.outputShapes[0]
    let p = out.count + axis
    guard (0..<out.count).contains(p) else { return nil }
    let outer = out[..<p].reduce(1, *)
    let inner = out[(p + 1)...].reduce(1, *)
    let blocks = io.inputShapes.map { $0[p] * inner }
    let inputs = (0..<io.inputs.count).map { UnsafePointer(io.input($0, as: T.self)) }
    let y = io.output(0, as: T.self)
    return {
      inputs.withUnsafeBufferPointer { xs in
        blocks.withUnsafeBufferPointer { sizes in
          var target = y
          for o in 0..<outer {
            for i in 0..<xs.count {
              let block = sizes[i]
              target.update(from: xs[i] + o * block, count: block)
              target += block
            }
          }
        }
      }
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let lead = args.tangents.compactMap({ $0 }).first else { return [nil] }
    let parts = try zip(args.tangents, args.primals).map { t, x in
      try t ?? b.apply1(Zeros(leading: args.directionAxes), [lead, x])
    }
    return [try b.apply1(self, parts)]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return args.primals.map { _ in nil } }
    guard args.primals.count > 1 else { return [ct] }
    var start = try b.ints([0])
    var parts: [Value?] = []
    for (i, x) in args.primals.enumerated() {
      let end = i == args.primals.count - 1 ? try b.ints([Int.max]) : try b.addSizes(start, b.size(of: x, axis: axis))
      parts.append(try b.slice(ct, axis: axis, start: start, end: end))
      start = end
    }
    return parts
  }

  /// Rows stay rows unless the concatenation runs over axis 0.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    guard inputs.contains(.batched) else { return [.shared] }
    return axis == -(types.first?.rank ?? 0) ? nil : [.batched]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Concat(axis: -1), [SampleInput([3, 2]), SampleInput([3, 4])]),
      ConformanceCase(
        Concat(axis: -2), [SampleInput([1, 3]), SampleInput([2, 3]), SampleInput([2, 3], differentiable: false)]),
      ConformanceCase(Concat(axis: -2), [SampleInput([2, 2, 3]), SampleInput([2, 1, 3])]),
      ConformanceCase(Concat(axis: -1), [SampleInput([4])]),
      ConformanceCase(Concat(axis: -1), [.ints([3, 4]), .ints([-1])]),
    ]
  }
}

extension Concat: ONNXLowering {
  public static let onnxOpTypes = ["Concat"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    guard !node.inputs.isEmpty else { throw node.error("expected at least one input") }
    let inputs = try node.inputs.indices.map { try node.input($0) }
    guard node.opset < 4 || node.attributes["axis"] != nil else { throw node.error("attribute 'axis' is required") }
    let axis = try node.axisFromEnd(node.int("axis", default: 1), rank: b.type(of: inputs[0]).rank)
    return [try b.apply1(Concat(axis: axis), inputs, name: node.name)]
  }
}
