public import GraphIR
public import TensorCore

/// Builders for the primitives, used by derivative rules, lowerings and transforms.
extension GraphBuilder {
  public mutating func add(_ a: Value, _ b: Value) throws -> Value { try apply1(Add(), [a, b]) }
  public mutating func sub(_ a: Value, _ b: Value) throws -> Value { try apply1(Sub(), [a, b]) }
  public mutating func mul(_ a: Value, _ b: Value) throws -> Value { try apply1(Mul(), [a, b]) }
  public mutating func div(_ a: Value, _ b: Value) throws -> Value { try apply1(Div(), [a, b]) }
  public mutating func neg(_ a: Value) throws -> Value { try apply1(Neg(), [a]) }

  /// `a + b` where nil is a symbolic zero.
  public mutating func add(_ a: Value?, _ b: Value?) throws -> Value? {
    switch (a, b) {
    case (nil, nil): return nil
    case (let x?, nil): return x
    case (nil, let y?): return y
    case (let x?, let y?): return try add(x, y)
    }
  }

  /// A rank-0 constant with `v`'s dtype. Throws when that dtype is i64 and cannot hold `x` (an
  /// infinity, NaN, fraction or out-of-range value), as when a lowering written for floating
  /// point is given an integer operand.
  public mutating func scalar(_ x: Double, like v: Value) throws -> Value {
    let dtype = type(of: v).dtype
    guard dtype != .int64 || Int64(exactly: x) != nil else {
      throw GraphError.invalidInputs(
        op: "Constant", node: "", reason: "expected a floating-point operand, got i64 (which cannot hold the constant \(x))")
    }
    return try constant(Tensor.scalar(x, dtype: dtype))
  }

  public mutating func constant(_ t: Tensor, name: String = "") throws -> Value {
    try apply1(Constant(t), [], name: name)
  }

  /// `x · c` for a scalar `c`, skipped when `c == 1`.
  public mutating func scaled(_ x: Value, by c: Double) throws -> Value {
    c == 1 ? x : try mul(x, scalar(c, like: x))
  }

  /// Aligns a tangent of an operand of rank `operandRank` with an output of rank `outputRank`:
  /// inserts unit axes after the `directionAxes` leading axes so right-aligned broadcasting
  /// pairs primal axes with primal axes.
  public mutating func alignTangent(_ t: Value, operandRank: Int, outputRank: Int, directionAxes: Int) throws -> Value {
    guard operandRank < outputRank else { return t }
    return try apply1(InsertAxes(at: directionAxes, count: outputRank - operandRank), [t])
  }

  /// Broadcasts a tangent `t` (already aligned: `directionAxes` + output rank) to the full shape
  /// of output `y` when a partial sum left it smaller (e.g. `ẏ = ȧ` for `y = a + b` with a
  /// broadcast `a`); a no-op when the shapes already agree.
  public mutating func broadcastTangent(_ t: Value, toOutput y: Value, directionAxes: Int) throws -> Value {
    let tt = type(of: t)
    let yt = type(of: y)
    if tt.rank == directionAxes + yt.rank,
      zip(tt.dims.suffix(yt.rank), yt.dims).allSatisfy({ $0 == $1 && $0 != .symbol("") })
    {
      return t
    }
    return try apply1(BroadcastLike(leading: directionAxes), [t, y])
  }

  /// Sums a cotangent `ct` (with `directionAxes` leading axes) down to the shape of `operand`,
  /// undoing broadcasting; a no-op when the shapes already agree.
  public mutating func reduceCotangent(_ ct: Value, to operand: Value, directionAxes: Int) throws -> Value {
    let c = type(of: ct)
    let o = type(of: operand)
    if c.rank == directionAxes + o.rank,
      zip(c.dims.suffix(o.rank), o.dims).allSatisfy({ $0 == $1 && $0 != .symbol("") })
    {
      return ct
    }
    return try apply1(SumToLike(leading: directionAxes), [ct, operand])
  }
}
