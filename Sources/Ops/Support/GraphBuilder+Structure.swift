public import GraphIR
import TensorCore

/// Builders for structural ops and the int64 shape arithmetic their rules and lowerings need.
extension GraphBuilder {
  /// A constant int64 vector.
  public mutating func ints(_ values: [Int]) throws -> Value {
    try constant(Tensor(uncheckedShape: [values.count], storage: .int64(values.map(Int64.init))))
  }

  /// The size of `v`'s axis `axis` (counted from the end, −1 is the last) as an int64 vector of
  /// one element: a constant when the size is known, else read off `v` with `Shape`.
  public mutating func size(of v: Value, axis: Int) throws -> Value {
    let t = type(of: v)
    if let n = t.dims[t.rank + axis].value { return try ints([n]) }
    return try apply1(Shape(start: axis, end: axis == -1 ? nil : axis + 1), [v])
  }

  /// The int64 sum `a + b` of two one-element vectors, folded when both are constants.
  public mutating func addSizes(_ a: Value, _ b: Value) throws -> Value {
    if let x = type(of: a).knownInts, let y = type(of: b).knownInts, x.count == 1, y.count == 1 {
      return try ints([x[0] &+ y[0]])
    }
    return try add(a, b)
  }

  /// `x` sliced along `axis` (from the end) to `start ..< end` (int64 one-element vectors).
  public mutating func slice(_ x: Value, axis: Int, start: Value, end: Value) throws -> Value {
    try apply1(Slice(axes: [axis]), [x, start, end])
  }
}
