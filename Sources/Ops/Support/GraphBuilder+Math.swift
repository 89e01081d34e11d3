public import GraphIR

/// Builders shared by the elementwise math ops' rules and composites.
extension GraphBuilder {
  /// `scale·e^{−x²}` (the derivative of erf and erfc for `scale = ±2/√π`).
  public mutating func gaussianDensity(_ x: Value, scale: Double) throws -> Value {
    try scaled(apply1(Exp(), [neg(mul(x, x))]), by: scale)
  }
}
