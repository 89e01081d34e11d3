extension Tensor {
  /// The rows `range` of axis 0: shape `[range.count] + shape[1...]`, elements copied.
  public func rows(_ range: Range<Int>) throws -> Tensor {
    guard let rows = shape.first, range.lowerBound >= 0, range.upperBound <= rows else {
      throw TensorError("rows \(range) of a tensor of shape \(shape)")
    }
    let width = shape.dropFirst().reduce(1, *)
    let elements = (range.lowerBound * width)..<(range.upperBound * width)
    let sliced: Storage =
      switch storage {
      case .float32(let a): .float32(Array(a[elements]))
      case .float64(let a): .float64(Array(a[elements]))
      case .int64(let a): .int64(Array(a[elements]))
      case .bool(let a): .bool(Array(a[elements]))
      }
    return Tensor(uncheckedShape: [range.count] + shape.dropFirst(), storage: sliced)
  }
}
