public import GraphIR

/// ONNX `Unsqueeze`: size-1 axes inserted at `axes`, positions in the output (negative ones count
/// from the output's end). Runs of consecutive axes become one `InsertAxes` each, in increasing
/// order, so every position is already final when its run is inserted; int64 values pass
/// through. Opsets 1 and 11 (`axes` attribute; negative since 11), 13 and 21 (`axes` input,
/// known when the model is loaded).
public enum Unsqueeze: ONNXLowering {
  public static let onnxOpTypes = ["Unsqueeze"]
  public static let onnxOpsets = 1...22

  public static func lower(_ node: ImportedNode, _ b: inout GraphBuilder) throws -> [Value] {
    let raw: [Int]
    if node.opset < 13 {
      try node.expectInputs(1...1)
      guard let axes = try node.ints("axes", default: nil) else { throw node.error("attribute 'axes' is required") }
      raw = axes
    } else {
      try node.expectInputs(2...2)
      raw = try node.knownInts(input: 1, b, what: "axes")
    }
    var x = try node.input(0)
    let rank = b.type(of: x).rank + raw.count
    let axes = try raw.map { try node.axisFromEnd($0, rank: rank) + rank }.sorted()
    guard Set(axes).count == axes.count else { throw node.error("axes \(raw) repeat an axis") }
    for run in consecutiveRuns(axes) {
      x = try b.apply1(InsertAxes(at: run.lowerBound, count: run.count), [x], name: node.name)
    }
    return [axes.isEmpty ? try b.apply1(Identity(), [x], name: node.name) : x]
  }
}

/// Sorted distinct axes grouped into runs of consecutive ones, in increasing order.
func consecutiveRuns(_ sorted: [Int]) -> [Range<Int>] {
  var runs: [Range<Int>] = []
  for a in sorted {
    if let last = runs.last, last.upperBound == a {
      runs[runs.count - 1] = last.lowerBound..<(a + 1)
    } else {
      runs.append(a..<(a + 1))
    }
  }
  return runs
}
