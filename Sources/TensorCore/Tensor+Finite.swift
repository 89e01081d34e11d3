extension Tensor {
  /// The flat index and value of the first NaN or infinity, scanning the storage in place; nil
  /// when every element is finite or the tensor holds integers or booleans.
  public var firstNonFinite: (index: Int, value: Double)? {
    switch storage {
    case .float32(let a): a.firstIndex { !$0.isFinite }.map { ($0, Double(a[$0])) }
    case .float64(let a): a.firstIndex { !$0.isFinite }.map { ($0, a[$0]) }
    case .int64, .bool: nil
    }
  }
}
