public import GraphIR
public import TensorCore

/// Elementwise conversion to another element type, `y = T(x)`. ONNX `Cast` (opset 1 with `to`
/// as a type name, 6+ a `TensorProto.DataType` number; 9+ strings, 19+ float8 and `saturate`,
/// 21+ 4-bit integers) and `CastLike` (opset 15+: the type of a second input).
///
/// Targets: FLOAT and DOUBLE; FLOAT16 and BFLOAT16 compute as f32 (no rounding to 16 bits);
/// every integer type is held in int64, wrapped to its width (int64 → INT32 keeps the low 32
/// bits, as ONNX Runtime's C++ casts do); BOOL. Float → integer truncates toward zero (NaN and
/// values beyond int64 give 0); anything → bool is `x ≠ 0` (NaN is true). Strings, complex,
/// float8 and 4-bit types are refused. int64 and bool values fold while the graph is built.
///
/// Float → float is linear: `ẏ = Cast(ẋ)`, `x̄ = Cast(ȳ)` back to x's dtype; a cast to or from
/// an integer or bool has symbolic-zero derivatives (PyTorch's `.long()` detaches too). A float
/// target follows the model's precision when the whole model is converted (`FloatRetargetable`).
public struct Cast: Primitive, FloatRetargetable {
  public static let name = "Cast"

  /// What a cast produces.
  public enum Target: Hashable, Sendable, CustomStringConvertible {
    case float32
    case float64
    /// An integer type of `bits` bits, held in int64.
    case integer(bits: Int, signed: Bool)
    case bool

    /// The target holding `dtype` exactly (int64 for `.int64`).
    public init(_ dtype: DType) {
      switch dtype {
      case .float32: self = .float32
      case .float64: self = .float64
      case .int64: self = .integer(bits: 64, signed: true)
      case .bool: self = .bool
      }
    }

    public var dtype: DType {
      switch self {
      case .float32: .float32
      case .float64: .float64
      case .integer: .int64
      case .bool: .bool
      }
    }

    public var description: String {
      switch self {
      case .float32: "f32"
      case .float64: "f64"
      case .integer(let bits, let signed): "\(signed ? "i" : "u")\(bits)"
      case .bool: "bool"
      }
    }

    /// `v` (an int64, or a bool as 0/1) as this integer or bool type.
    func convert(_ v: Int64) -> Int64 {
      switch self {
      case .integer(let bits, let signed) where bits < 64:
        let shift = Int64(64 - bits)
        return signed ? (v &<< shift) &>> shift : v & ((1 &<< Int64(bits)) &- 1)
      case .bool: return v != 0 ? 1 : 0
      default: return v
      }
    }
  }

  public let target: Target

  public init(to target: Target) { self.target = target }

  public var description: String { "Cast(to: \(target))" }

  public func retargeted(to dtype: DType) -> any Primitive {
    target.dtype.isFloatingPoint ? Cast(to: Target(dtype)) : self
  }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 1 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 1 input, got \(inputs.count)")
    }
    let x = inputs[0]
    let type = TensorType(target.dtype, x.dims)
    guard !x.dtype.isFloatingPoint, !target.dtype.isFloatingPoint, let v = x.value else { return [type] }
    var keepsSizes = false
    if case .integer(let bits, _) = target { keepsSizes = bits >= 32 }
    return [
      type.withValue(
        v.map { d in d.value.map { .known(Int(target.convert(Int64($0)))) } ?? (keepsSizes ? d : .symbol("")) })
    ]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    switch io.inputDTypes[0] {
    case .float32: kernel(io, Float.self)
    case .float64: kernel(io, Double.self)
    case .int64: kernel(io, Int64.self)
    case .bool: kernel(io, UInt8.self)
    }
  }

  private func kernel<S: CastSource>(_ io: KernelIO, _: S.Type) -> Kernel {
    let (x, n) = (io.input(0, as: S.self), io.outputCount(0))
    switch target {
    case .float32:
      let y = io.output(0, as: Float.self)
      return { Kernels.unaryMapped(x, y, n) { $0.castFloat } }
    case .float64:
      let y = io.output(0, as: Double.self)
      return { Kernels.unaryMapped(x, y, n) { $0.castDouble } }
    case .bool:
      let y = io.output(0, as: Bool.self)
      return { Kernels.unaryMapped(x, y, n) { $0.castNonzero } }
    case .integer(let bits, let signed):
      let y = io.output(0, as: Int64.self)
      let shift = Int64(64 - bits)
      if bits >= 64 { return { Kernels.unaryMapped(x, y, n) { $0.castInt64 } } }
      if signed { return { Kernels.unaryMapped(x, y, n) { ($0.castInt64 &<< shift) &>> shift } } }
      let mask = (Int64(1) &<< Int64(bits)) &- 1
      return { Kernels.unaryMapped(x, y, n) { $0.castInt64 & mask } }
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0], target.dtype.isFloatingPoint else { return [nil] }
    return [try b.cast(t, to: target.dtype)]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    let xType = b.type(of: args.primals[0]).dtype
    guard let ct = args.cotangents[0], target.dtype.isFloatingPoint, xType.isFloatingPoint else { return [nil] }
    return [try b.cast(ct, to: xType)]
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? { inputs }

  public static var conformanceCases: [ConformanceCase] {
    [
      ConformanceCase(Cast(to: .float64), [SampleInput([3, 4])]),
      ConformanceCase(Cast(to: .float32), [SampleInput([3, 4], differentiable: false)]),
      ConformanceCase(Cast(to: .integer(bits: 64, signed: true)), [SampleInput([2, 3], differentiable: false)]),
      ConformanceCase(Cast(to: .integer(bits: 8, signed: false)), [SampleInput([2, 3], differentiable: false)]),
      ConformanceCase(Cast(to: .bool), [SampleInput([2, 3], differentiable: false)]),
      ConformanceCase(Cast(to: .integer(bits: 8, signed: false)), [SampleInput.ints([300, -1, 5])]),
      ConformanceCase(Cast(to: .integer(bits: 32, signed: true)), [SampleInput.ints([Int(Int64.max), -7])]),
      ConformanceCase(Cast(to: .float32), [SampleInput.ints([3, -1])]),
      ConformanceCase(Cast(to: .bool), [SampleInput.ints([3, 0, -1])]),
      ConformanceCase(
        Cast(to: .float64), [SampleInput.constant(Tensor(uncheckedShape: [3], storage: .bool([true, false, true])))]),
    ]
  }
}

extension Cast: ONNXLowering {
  public static let onnxOpTypes = ["Cast", "CastLike"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let target: Target
    if node.opType == "CastLike" {
      try node.expectInputs(2...2)
      target = Target(b.type(of: try node.input(1)).dtype)
    } else {
      try node.expectInputs(1...1)
      target = try onnxTarget(node)
    }
    let x = try node.input(0)
    let dtype = b.type(of: x).dtype
    let noOp: Bool
    switch target {
    case .integer(let bits, _): noOp = dtype == .int64 && bits == 64
    default: noOp = dtype == target.dtype
    }
    return [try b.apply1(noOp ? Identity() : Cast(to: target), [x], name: node.name)]
  }

  /// The target named by `to`: a `TensorProto.DataType` number (opset 6+) or name (opset 1).
  static func onnxTarget(_ node: ImportedNode) throws -> Target {
    let names = [
      "UNDEFINED", "FLOAT", "UINT8", "INT8", "UINT16", "INT16", "INT32", "INT64", "STRING", "BOOL", "FLOAT16",
      "DOUBLE", "UINT32", "UINT64", "COMPLEX64", "COMPLEX128", "BFLOAT16",
    ]
    let number: Int
    switch node.attributes["to"] {
    case .int(let n)?: number = n
    case .string(let s)?:
      guard let n = names.firstIndex(of: s.uppercased()) else {
        throw node.error(
          "'to' names the unknown type '\(s)' (expected one of \(names.dropFirst().joined(separator: ", ")))")
      }
      number = n
    case nil: throw node.error("attribute 'to' is required")
    default: throw node.error("attribute 'to' should be a TensorProto data type number or name")
    }
    switch number {
    case 1, 10, 16: return .float32
    case 11: return .float64
    case 2: return .integer(bits: 8, signed: false)
    case 3: return .integer(bits: 8, signed: true)
    case 4: return .integer(bits: 16, signed: false)
    case 5: return .integer(bits: 16, signed: true)
    case 6: return .integer(bits: 32, signed: true)
    case 7: return .integer(bits: 64, signed: true)
    case 12: return .integer(bits: 32, signed: false)
    case 13: return .integer(bits: 64, signed: false)
    case 9: return .bool
    default:
      let name = number >= 0 && number < names.count ? names[number] : "data type \(number)"
      throw node.error(
        "casting to \(name) is not supported (supported: FLOAT, DOUBLE, FLOAT16 and BFLOAT16 as f32, the integer types as int64, BOOL)"
      )
    }
  }
}

/// An element type a cast reads (bool buffers are read as `UInt8` 0/1).
protocol CastSource {
  var castFloat: Float { get }
  var castDouble: Double { get }
  /// Truncated toward zero; NaN and values beyond int64 give 0.
  var castInt64: Int64 { get }
  var castNonzero: Bool { get }
}

extension Float: CastSource {
  var castFloat: Float { self }
  var castDouble: Double { Double(self) }
  var castInt64: Int64 { self >= -0x1p63 && self < 0x1p63 ? Int64(self) : 0 }
  var castNonzero: Bool { self != 0 }
}

extension Double: CastSource {
  var castFloat: Float { Float(self) }
  var castDouble: Double { self }
  var castInt64: Int64 { self >= -0x1p63 && self < 0x1p63 ? Int64(self) : 0 }
  var castNonzero: Bool { self != 0 }
}

extension Int64: CastSource {
  var castFloat: Float { Float(self) }
  var castDouble: Double { Double(self) }
  var castInt64: Int64 { self }
  var castNonzero: Bool { self != 0 }
}

extension UInt8: CastSource {
  var castFloat: Float { Float(self) }
  var castDouble: Double { Double(self) }
  var castInt64: Int64 { Int64(self) }
  var castNonzero: Bool { self != 0 }
}
