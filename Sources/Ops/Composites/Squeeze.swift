public import GraphIR

/// ONNX `Squeeze`: the size-1 axes `axes` removed (negative ones count from the end); without
/// `axes`, every axis of size 1, which needs every size known. Runs of consecutive axes become
/// one `RemoveAxes` each, from the last run back, so earlier positions stay valid; int64 values
/// pass through. Opsets 1 and 11 (`axes` attribute; negative since 11), 13 and 21 (`axes`
/// input, known when the model is loaded).
public enum Squeeze: ONNXLowering {
  public static let onnxOpTypes = ["Squeeze"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let raw: [Int]?
    if node.opset < 13 {
      try node.expectInputs(1...1)
      raw = try node.ints("axes", default: nil)
    } else {
      try node.expectInputs(1...2)
      raw = node.optionalInput(1) == nil ? nil : try node.knownInts(input: 1, b, what: "axes")
    }
    var x = try node.input(0)
    let type = b.type(of: x)
    let axes: [Int]
    if let raw {
      axes = try raw.map { try node.axisFromEnd($0, rank: type.rank) + type.rank }.sorted()
      guard Set(axes).count == axes.count else { throw node.error("axes \(raw) repeat an axis") }
      for a in axes where type.dims[a].value.map({ $0 != 1 }) ?? false {
        throw node.error("axis \(a) of \(type) has size \(type.dims[a]), not 1")
      }
    } else {
      if let a = type.dims.firstIndex(where: { $0.value == nil }) {
        throw node.error("without 'axes' every size must be known, but axis \(a) of \(type) is symbolic; give 'axes'")
      }
      axes = type.dims.indices.filter { type.dims[$0] == .known(1) }
    }
    for run in consecutiveRuns(axes).reversed() {
      x = try b.apply1(RemoveAxes(at: run.lowerBound, count: run.count), [x], name: node.name)
    }
    return [axes.isEmpty ? try b.apply1(Identity(), [x], name: node.name) : x]
  }
}
