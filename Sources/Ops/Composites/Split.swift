public import GraphIR

/// ONNX `Split`: `x` cut along `axis` into consecutive parts, one `Slice` each. The part sizes
/// come from `split` (opsets 1, 2, 11: attribute, or in opset 1 a constant second input; 13, 18:
/// input, known when the model is loaded), else from `num_outputs` (18: parts of `⌈d / n⌉`, the
/// last smaller), else equal parts, one per output (`d / n`, which must divide when `d` is
/// known). A symbolic `d` is read with `Shape` and the offsets computed in int64 (the last part
/// runs to the end). Negative axes since 11.
public enum Split: ONNXLowering {
  public static let onnxOpTypes = ["Split"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    try node.expectInputs(1...2)
    let x = try node.input(0)
    let type = b.type(of: x)
    let axis = try node.axisFromEnd(node.int("axis", default: 0), rank: type.rank)
    let n = node.outputCount
    guard n >= 1 else { throw node.error("has no outputs") }
    let size = type.dims[type.rank + axis].value
    var bounds: [(start: Value, end: Value)] = []
    if let sizes = try splitSizes(node, b) {
      guard sizes.count == n, sizes.allSatisfy({ $0 >= 0 }) else {
        throw node.error("split \(sizes) must give one size ≥ 0 per output (\(n))")
      }
      var offset = 0
      for s in sizes {
        let (end, overflow) = offset.addingReportingOverflow(s)
        guard !overflow else { throw node.error("split \(sizes) sums to more than Int.max") }
        bounds.append((try b.ints([offset]), try b.ints([end])))
        offset = end
      }
      if let d = size, offset != d {
        throw node.error("split \(sizes) sums to \(offset), but axis \(type.rank + axis) of \(type) has size \(d)")
      }
    } else {
      let parts = node.opset >= 18 ? try node.int("num_outputs", default: n) : n
      guard parts == n else { throw node.error("num_outputs = \(parts), but the node has \(n) outputs") }
      let ceiling = node.opset >= 18 && node.attributes["num_outputs"] != nil
      if let d = size, !ceiling, d % n != 0 {
        throw node.error("axis \(type.rank + axis) of \(type) has size \(d), which does not split into \(n) equal parts")
      }
      if let d = size {
        let chunk = d / n + (ceiling && d % n != 0 ? 1 : 0)
        func bound(_ i: Int) -> Int {
          let (v, overflow) = i.multipliedReportingOverflow(by: chunk)
          return overflow ? Int.max : v
        }
        for i in 0..<n {
          bounds.append((try b.ints([bound(i)]), try b.ints([i == n - 1 ? Int.max : bound(i + 1)])))
        }
      } else {
        let d = try b.size(of: x, axis: axis)
        let chunk = try b.div(ceiling ? b.add(d, b.ints([n - 1])) : d, b.ints([n]))
        for i in 0..<n {
          let end = i == n - 1 ? try b.ints([Int.max]) : try b.mul(chunk, b.ints([i + 1]))
          bounds.append((try b.mul(chunk, b.ints([i])), end))
        }
      }
    }
    return try bounds.map { try b.apply1(Slice(axes: [axis]), [x, $0.start, $0.end], name: node.name) }
  }

  /// The part sizes the node gives, if any.
  private static func splitSizes(_ node: ImportedNode, _ b: GraphBuilder) throws -> [Int]? {
    if node.opset < 13, let sizes = try node.ints("split", default: nil) { return sizes }
    guard node.optionalInput(1) != nil else { return nil }
    if node.opset >= 13 { return try node.knownInts(input: 1, b, what: "split") }
    guard let t = node.constantInput(1, b) else { throw node.error("the split input must be a constant") }
    return try t.int64Values().map { Int($0) }
  }
}
