public import GraphIR
public import TensorCore

/// The elements of `x` in row-major order with a new shape, keeping `leading` axes:
/// `y.shape = x.shape[..<L] + s`, where the int64 vector `shape` gives `s` after resolving
/// its entries against `x.shape[L...]`: `0` copies the size at the same position (unless
/// `allowZero`, when 0 means 0), `−1` (at most one) takes the size that keeps the element count.
///
/// The shape is read from its value (a constant, or computed from sizes: `x.view(x.size(0), -1)`
/// exports as `Shape` → `Gather` → `Unsqueeze` → `Concat` → `Reshape`); symbolic sizes resolve
/// symbolically, so `[batch, 4] → [−1, 2, 2]` keeps `batch`. int64 data keeps its value. A view:
/// the output shares the input's bytes. ONNX `Reshape` (opset 1: `shape` attribute; 5: input;
/// 13, 19, 21 add types; 14: `allowzero`).
///
/// Linear: `ẏ = Reshape(L + d)(ẋ, shape)`; `x̄ = Reshape(L + d, allowZero)(ȳ, Shape(start: L)(x))`.
public struct Reshape: Primitive {
  public static let name = "Reshape"
  public let leading: Int
  public let allowZero: Bool

  public init(leading: Int = 0, allowZero: Bool = false) {
    self.leading = leading
    self.allowZero = allowZero
  }

  public var description: String { "Reshape(leading: \(leading), allowZero: \(allowZero))" }

  private func fail(_ reason: String) -> GraphError { .invalidInputs(op: Self.name, node: "", reason: reason) }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2 else { throw fail("expected 2 inputs, got \(inputs.count)") }
    let (x, s) = (inputs[0], inputs[1])
    guard s.dtype == .int64, s.rank == 1, let length = s.dims[0].value else {
      throw fail("shape must be an int64 vector of known length, got \(s)")
    }
    guard x.rank >= leading else { throw fail("\(x) has fewer than \(leading) leading axes") }
    let source = Array(x.dims[leading...])
    let dims = try s.value.map { try resolve($0, source) } ?? [Dim](repeating: .symbol(""), count: length)
    let type = TensorType(x.dtype, Array(x.dims[..<leading]) + dims)
    return [x.value.map { type.withValue($0) } ?? type]
  }

  /// The output sizes for the requested `target` and the input sizes `source`.
  func resolve(_ target: [Dim], _ source: [Dim]) throws -> [Dim] {
    var out: [Dim] = []
    var inferred: Int?
    for (i, t) in target.enumerated() {
      switch t.value {
      case .some(-1):
        guard inferred == nil else { throw fail("shape \(target) has more than one −1") }
        inferred = i
        out.append(.symbol(""))
      case 0? where !allowZero:
        guard i < source.count else {
          throw fail("shape \(target) copies size \(i) (0) from an input of rank \(source.count)")
        }
        out.append(source[i])
      case let n? where n < -1:
        throw fail("shape \(target) has a negative size \(n)")
      default:
        out.append(t)
      }
    }
    if allowZero, inferred != nil, target.contains(.known(0)) {
      throw fail("shape \(target) has both 0 and −1 with allowzero = 1")
    }
    let total = sizeProduct(source)
    if let i = inferred {
      var others = out
      others.remove(at: i)
      out[i] = try infer(total, sizeProduct(others), target)
    } else if let a = total, let b = sizeProduct(out), a.symbols.sorted() == b.symbols.sorted(), a.known != b.known {
      throw fail("cannot reshape \(source) to \(target): the element counts differ")
    }
    return out
  }

  /// The size that makes `others` hold `total` elements, symbolic where symbols cancel.
  private func infer(_ total: SizeProduct?, _ others: SizeProduct?, _ target: [Dim]) throws -> Dim {
    guard let total, let others else { return .symbol("") }
    var rest = total.symbols
    for s in others.symbols {
      guard let i = rest.firstIndex(of: s) else { return .symbol("") }
      rest.remove(at: i)
    }
    guard others.known != 0 else { throw fail("cannot infer the −1 in \(target): the other sizes hold no elements") }
    switch rest.count {
    case 0:
      guard total.known % others.known == 0 else { throw fail("cannot reshape \(total.known) elements to \(target)") }
      return .known(total.known / others.known)
    case 1 where total.known == others.known: return .symbol(rest[0])
    default: return .symbol("")
    }
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] {
    guard let shape = try outputTypes(inputs.map { TensorType(of: $0) })[0].shape else {
      throw fail("shape \(inputs[1].int64s) does not resolve for \(inputs[0].shape)")
    }
    return [try inputs[0].reshaped(shape)]
  }

  public var bufferRule: BufferRule { .view }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    return [try b.apply1(Reshape(leading: leading + args.directionAxes, allowZero: allowZero), [t, args.primals[1]])]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil, nil] }
    let shape = try b.apply1(Shape(start: leading), [args.primals[0]])
    return [try b.apply1(Reshape(leading: leading + args.directionAxes, allowZero: true), [ct, shape]), nil]
  }

  /// Rows stay rows when axis 0 is a kept leading axis, or the output's axis 0 is the input's
  /// (then each row reshapes on its own); merging or splitting axis 0 mixes them.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    guard inputs[1] == .shared else { return nil }
    guard inputs[0] == .batched, leading == 0 else { return [inputs[0]] }
    guard let out = try? outputTypes(types)[0], let d = types[0].dims.first, let e = out.dims.first, d == e,
      d != .symbol("")
    else { return nil }
    return [.batched]
  }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Reshape(), [SampleInput([3, 4]), .ints([2, -1, 3])]),
      ConformanceCase(Reshape(), [SampleInput([2, 3, 2]), .ints([0, -1])]),
      ConformanceCase(Reshape(leading: 1), [SampleInput([2, 6]), .ints([3, 2])]),
      ConformanceCase(Reshape(allowZero: true), [SampleInput([3, 4]), .ints([4, 3])]),
      ConformanceCase(Reshape(), [SampleInput([1]), .ints([])]),
      ConformanceCase(Reshape(), [.constant(Tensor(uncheckedShape: [1], storage: .int64([7]))), .ints([])]),
    ]
  }
}

extension Reshape: ONNXLowering {
  public static let onnxOpTypes = ["Reshape"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let shape: Value
    if node.opset < 5 {
      try node.expectInputs(1...1)
      guard let s = try node.ints("shape", default: nil) else {
        throw node.error("attribute 'shape' is required before opset 5")
      }
      shape = try b.ints(s)
    } else {
      try node.expectInputs(2...2)
      shape = try node.input(1)
    }
    let allowZero = node.opset >= 14 ? try node.int("allowzero", default: 0) != 0 : false
    return [try b.apply1(Reshape(allowZero: allowZero), [node.input(0), shape], name: node.name)]
  }
}

/// A product of sizes: the known factors multiplied, the symbolic ones listed.
struct SizeProduct {
  var known: Int
  var symbols: [String]
}

/// The product of `dims`, or nil when one is an unknown size (an empty symbol) or it overflows.
func sizeProduct(_ dims: [Dim]) -> SizeProduct? {
  var p = SizeProduct(known: 1, symbols: [])
  for d in dims {
    switch d {
    case .known(let n):
      let (m, overflow) = p.known.multipliedReportingOverflow(by: n)
      guard !overflow else { return nil }
      p.known = m
    case .symbol(let s):
      guard !s.isEmpty else { return nil }
      p.symbols.append(s)
    }
  }
  return p
}
