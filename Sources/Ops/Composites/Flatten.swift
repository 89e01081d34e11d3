public import GraphIR

/// ONNX `Flatten`: `x` as a matrix `[d₀ ⋯ d₍ₐ₋₁₎, dₐ ⋯ dₙ₋₁]` for `axis = a` (default 1; `a = 0`
/// gives `[1, ∏ d]`), a `Reshape`. The shape is a constant where the sizes allow (`[p, −1]`,
/// `[−1, q]`, or `[0, −1]` for `a = 1`, which keeps a symbolic batch), else computed from
/// `Shape`. Opsets 1, 9 (more types), 11 (negative axis), 13, 21.
public enum Flatten: ONNXLowering {
  public static let onnxOpTypes = ["Flatten"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...1)
    let x = try node.input(0)
    let type = b.type(of: x)
    let rank = type.rank
    let given = try node.int("axis", default: 1)
    let axis = given < 0 ? given + rank : given
    guard (0...rank).contains(axis) else {
      throw node.error("axis \(given) is out of range for an input of rank \(rank) (valid: \(-rank)…\(rank))")
    }
    let outer = sizeProduct(Array(type.dims[..<axis])).flatMap { $0.symbols.isEmpty ? $0.known : nil }
    let inner = sizeProduct(Array(type.dims[axis...])).flatMap { $0.symbols.isEmpty ? $0.known : nil }
    let shape: Value
    switch (outer, inner) {
    case (let p?, let q?): shape = try b.ints([p, q])
    case (let p?, nil) where p != 0: shape = try b.ints([p, -1])
    case (nil, let q?) where q != 0: shape = try b.ints([-1, q])
    case _ where axis == 1: shape = try b.ints([0, -1])
    default:
      var product = try b.size(of: x, axis: -rank)
      for a in 1..<axis { product = try b.mul(product, b.size(of: x, axis: a - rank)) }
      shape = try b.apply1(Concat(axis: -1), [product, b.ints([-1])])
    }
    return [try b.apply1(Reshape(), [x, shape], name: node.name)]
  }
}
