internal import CVectorMath

// The activation codes are CVectorMath's OG_ACTIVATION_IDENTITY (0), _LEAKY_RELU (1) and _TANH (2).

/// An activation a fused dense kernel applies after its product and bias.
public enum Activation: Sendable, Hashable, CustomStringConvertible {
  /// `x > 0 ? x : slope·x`; ReLU is slope 0 (and keeps NaN, maps −∞ to 0).
  case leakyRelu(slope: Double)
  /// `tanh(x)`, derivative `(1 + y)(1 − y)`.
  case tanh

  public var description: String {
    switch self {
    case .leakyRelu(let s): s == 0 ? "relu" : "leakyRelu(\(s))"
    case .tanh: "tanh"
    }
  }
}

extension VectorMath {
  /// The epilogue of a dense layer run on a primal block `[rows, n]` and `directions` tangent
  /// blocks `[directions, rows, n]` that already hold their products `x·op(W)`, `ẋ·op(W)`:
  /// adds `bias` (`n` values, or nil) to the primal, applies `activation` (nil: none) to it, and scales every
  /// tangent by the activation's derivative at its row (`ẏ = f′(z)·ż`). Exactly what the
  /// unfused ops compute: Add, then LeakyRelu/Relu and StepMul, or Tanh and TanhDerivativeMul.
  @inlinable @inline(__always)
  public static func denseEpilogue<T: FloatElement>(
    primal: UnsafeMutablePointer<T>, tangents: UnsafeMutablePointer<T>?, rows: Int, n: Int, directions: Int,
    bias: UnsafePointer<T>?, activation: Activation?
  ) {
    let (code, slope): (Int32, Double) =
      switch activation {
      case .leakyRelu(let s): (1, s)
      case .tanh: (2, 0)
      case nil: (0, 0)
      }
    let k = tangents == nil ? 0 : directions
    let t = UnsafeMutableRawPointer(tangents)
    let b = UnsafeRawPointer(bias)
    if T.self == Float.self {
      epilogue32(UnsafeMutableRawPointer(primal), t, rows, n, k, b, code, slope)
    } else {
      epilogue64(UnsafeMutableRawPointer(primal), t, rows, n, k, b, code, slope)
    }
  }

  @usableFromInline
  static func epilogue32(
    _ primal: UnsafeMutableRawPointer, _ tangents: UnsafeMutableRawPointer?, _ rows: Int, _ n: Int, _ k: Int,
    _ bias: UnsafeRawPointer?, _ code: Int32, _ slope: Double
  ) {
    og_dense_epilogue_f32(
      primal.assumingMemoryBound(to: Float.self), tangents?.assumingMemoryBound(to: Float.self), rows, n, k,
      bias?.assumingMemoryBound(to: Float.self), code, Float(slope))
  }

  @usableFromInline
  static func epilogue64(
    _ primal: UnsafeMutableRawPointer, _ tangents: UnsafeMutableRawPointer?, _ rows: Int, _ n: Int, _ k: Int,
    _ bias: UnsafeRawPointer?, _ code: Int32, _ slope: Double
  ) {
    og_dense_epilogue_f64(
      primal.assumingMemoryBound(to: Double.self), tangents?.assumingMemoryBound(to: Double.self), rows, n, k,
      bias?.assumingMemoryBound(to: Double.self), code, slope)
  }
}

/// One second-order chain-rule term of a jet: row `row` of a tangent stack receives
/// `coefficient · f″ · t[a] · t[b]` (rows of the stack's leading axis).
public struct SecondOrderTerm: Sendable, Hashable {
  public var row: Int
  public var a: Int
  public var b: Int
  public var coefficient: Double

  public init(row: Int, a: Int, b: Int, coefficient: Double) {
    self.row = row
    self.a = a
    self.b = b
    self.coefficient = coefficient
  }
}

/// Second-order terms laid out for the C epilogue, built once per plan.
public struct SecondOrderTermTable: Sendable {
  let target: [UInt8]
  let rows: [Int]
  let a: [Int]
  let b: [Int]
  let c: [Double]
  let c32: [Float]

  /// The table for a stack of `directions` rows; nil when a term's rows fall outside it or a
  /// source row is also a target.
  public init?(_ terms: [SecondOrderTerm], directions: Int) {
    var target = [UInt8](repeating: 0, count: directions)
    for t in terms {
      guard (0..<directions).contains(t.row), (0..<directions).contains(t.a), (0..<directions).contains(t.b) else {
        return nil
      }
      target[t.row] = 1
    }
    guard terms.allSatisfy({ target[$0.a] == 0 && target[$0.b] == 0 }) else { return nil }
    self.target = target
    rows = terms.map(\.row)
    a = terms.map(\.a)
    b = terms.map(\.b)
    c = terms.map(\.coefficient)
    c32 = c.map(Float.init)
  }

  /// The table's arrays as the C routines take them: target flags, term count, rows, a, b.
  func withPointers(
    _ body: (UnsafePointer<UInt8>?, Int, UnsafePointer<Int>?, UnsafePointer<Int>?, UnsafePointer<Int>?) -> Void
  ) {
    target.withUnsafeBufferPointer { target in
      rows.withUnsafeBufferPointer { row in
        a.withUnsafeBufferPointer { a in
          b.withUnsafeBufferPointer { b in body(target.baseAddress, rows.count, row.baseAddress, a.baseAddress, b.baseAddress) }
        }
      }
    }
  }
}

extension VectorMath {
  /// The tanh epilogue of a dense layer carrying a second-order jet (`TanhJetMul` fused): adds
  /// `bias`, applies tanh, and turns the product blocks `[directions, rows, n]` into the layer's
  /// jet: `f′·t` for every block plus the table's terms `c·f″·t_a·t_b` on their target blocks.
  public static func denseJetEpilogue<T: FloatElement>(
    primal: UnsafeMutablePointer<T>, tangents: UnsafeMutablePointer<T>, rows: Int, n: Int, directions: Int,
    bias: UnsafePointer<T>?, terms: SecondOrderTermTable
  ) {
    terms.withPointers { target, count, row, a, b in
      if T.self == Float.self {
        og_dense_jet_epilogue_f32(
          UnsafeMutableRawPointer(primal).assumingMemoryBound(to: Float.self),
          UnsafeMutableRawPointer(tangents).assumingMemoryBound(to: Float.self), rows, n, directions,
          UnsafeRawPointer(bias)?.assumingMemoryBound(to: Float.self), target, count, row, a, b, terms.c32)
      } else {
        og_dense_jet_epilogue_f64(
          UnsafeMutableRawPointer(primal).assumingMemoryBound(to: Double.self),
          UnsafeMutableRawPointer(tangents).assumingMemoryBound(to: Double.self), rows, n, directions,
          UnsafeRawPointer(bias)?.assumingMemoryBound(to: Double.self), target, count, row, a, b, terms.c)
      }
    }
  }
}

extension VectorMath {
  /// `TanhJetMul`'s kernel: `y` (`[directions, n]`, may be `t`) from the stack `t` and tanh's
  /// output `u` (`[n]`): `f′·t` on every row plus the table's terms on their target rows.
  public static func tanhJetMul<T: FloatElement>(
    t: UnsafePointer<T>, u: UnsafePointer<T>, y: UnsafeMutablePointer<T>, directions: Int, n: Int,
    terms: SecondOrderTermTable
  ) {
    terms.withPointers { target, count, row, a, b in
      if T.self == Float.self {
        og_tanh_jet_mul_f32(
          UnsafeRawPointer(t).assumingMemoryBound(to: Float.self), UnsafeRawPointer(u).assumingMemoryBound(to: Float.self),
          UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self), directions, n, target, count, row, a, b,
          terms.c32)
      } else {
        og_tanh_jet_mul_f64(
          UnsafeRawPointer(t).assumingMemoryBound(to: Double.self), UnsafeRawPointer(u).assumingMemoryBound(to: Double.self),
          UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self), directions, n, target, count, row, a, b,
          terms.c)
      }
    }
  }
}

extension VectorMath {
  /// `JetMul`'s kernel: `y` (`[directions, n]`, may be `t`) from the stack `t` and the
  /// function's derivatives `d1 = f′`, `d2 = f″` (`[n]` each): `d1·t` on every row plus the
  /// table's terms `c·d2·t_a·t_b` on their target rows.
  public static func jetMul<T: FloatElement>(
    t: UnsafePointer<T>, d1: UnsafePointer<T>, d2: UnsafePointer<T>, y: UnsafeMutablePointer<T>, directions: Int,
    n: Int, terms: SecondOrderTermTable
  ) {
    terms.withPointers { target, count, row, a, b in
      if T.self == Float.self {
        og_jet_mul_f32(
          UnsafeRawPointer(t).assumingMemoryBound(to: Float.self), UnsafeRawPointer(d1).assumingMemoryBound(to: Float.self),
          UnsafeRawPointer(d2).assumingMemoryBound(to: Float.self), UnsafeMutableRawPointer(y).assumingMemoryBound(to: Float.self),
          directions, n, target, count, row, a, b, terms.c32)
      } else {
        og_jet_mul_f64(
          UnsafeRawPointer(t).assumingMemoryBound(to: Double.self), UnsafeRawPointer(d1).assumingMemoryBound(to: Double.self),
          UnsafeRawPointer(d2).assumingMemoryBound(to: Double.self), UnsafeMutableRawPointer(y).assumingMemoryBound(to: Double.self),
          directions, n, target, count, row, a, b, terms.c)
      }
    }
  }
}
