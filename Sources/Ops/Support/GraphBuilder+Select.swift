public import GraphIR
public import TensorCore

/// Builders for comparisons, selection and casts, used by derivative rules and lowerings.
extension GraphBuilder {
  public mutating func greater(_ a: Value, _ b: Value) throws -> Value { try apply1(Greater(), [a, b]) }
  public mutating func less(_ a: Value, _ b: Value) throws -> Value { try apply1(Less(), [a, b]) }
  public mutating func equal(_ a: Value, _ b: Value) throws -> Value { try apply1(Equal(), [a, b]) }
  public mutating func greaterOrEqual(_ a: Value, _ b: Value) throws -> Value { try apply1(GreaterOrEqual(), [a, b]) }
  public mutating func lessOrEqual(_ a: Value, _ b: Value) throws -> Value { try apply1(LessOrEqual(), [a, b]) }
  public mutating func not(_ a: Value) throws -> Value { try apply1(Not(), [a]) }
  public mutating func and(_ a: Value, _ b: Value) throws -> Value { try apply1(And(), [a, b]) }
  public mutating func or(_ a: Value, _ b: Value) throws -> Value { try apply1(Or(), [a, b]) }

  /// `condition ? x : y` elementwise, with three-way broadcasting.
  public mutating func `where`(_ condition: Value, _ x: Value, _ y: Value) throws -> Value {
    try apply1(Where(), [condition, x, y])
  }

  /// `condition ? x : 0`, or `condition ? 0 : x` when `otherwise`: selects, never multiplies,
  /// so a NaN or infinity in the branch not taken gives an exact 0.
  public mutating func selectOrZero(_ condition: Value, _ x: Value, otherwise: Bool = false) throws -> Value {
    let zero = try scalar(0, like: x)
    return try otherwise ? self.where(condition, zero, x) : self.where(condition, x, zero)
  }

  /// Elementwise maximum (ONNX `Max` of two inputs; named so it never hides `Swift.max`).
  public mutating func maximum(_ a: Value, _ b: Value) throws -> Value { try apply1(Max(), [a, b]) }
  /// Elementwise minimum (ONNX `Min` of two inputs).
  public mutating func minimum(_ a: Value, _ b: Value) throws -> Value { try apply1(Min(), [a, b]) }

  /// `x` converted to `dtype` (a no-op when it already has it).
  public mutating func cast(_ x: Value, to dtype: DType) throws -> Value {
    type(of: x).dtype == dtype ? x : try apply1(Cast(to: Cast.Target(dtype)), [x])
  }
}

extension ImportedNode {
  /// The two operands of an elementwise op, lined up for NumPy broadcasting: before opset 7,
  /// `broadcast = 1` with an `axis` places B's axes at A's axes `axis…` (B gets trailing unit
  /// axes); without `axis`, or from opset 7 on, B is right-aligned as in NumPy.
  func broadcastOperands(_ b: inout GraphBuilder) throws -> (Value, Value) {
    try expectInputs(2...2)
    let (x, y) = (try input(0), try input(1))
    guard opset < 7, try int("broadcast", default: 0) == 1, attributes["axis"] != nil else { return (x, y) }
    let (ra, rb) = (b.type(of: x).rank, b.type(of: y).rank)
    let axis = try axisFromEnd(try int("axis", default: 0), rank: ra) + ra
    let trailing = ra - axis - rb
    guard trailing >= 0 else {
      throw error("axis \(axis) leaves no room for B of rank \(rb) inside A of rank \(ra)")
    }
    return (x, trailing == 0 ? y : try b.apply1(InsertAxes(at: rb, count: trailing), [y]))
  }
}
