public import GraphIR

/// Builders for the reductions, used by derivative rules and lowerings.
extension GraphBuilder {
  /// `Σ` of `v` over `axes` (counted from the end).
  public mutating func reduceSum(_ v: Value, axes: [Int], keepDims: Bool = true, name: String = "") throws -> Value {
    try apply1(ReduceSum(axes: axes, keepDims: keepDims), [v], name: name)
  }

  /// The mean of `v` over `axes` (counted from the end).
  public mutating func reduceMean(_ v: Value, axes: [Int], keepDims: Bool = true, name: String = "") throws -> Value {
    try apply1(ReduceMean(axes: axes, keepDims: keepDims), [v], name: name)
  }

  /// `v` without its size-1 `axes` (counted from the end), one `RemoveAxes` per run of
  /// neighbouring axes.
  public mutating func removeAxes(_ v: Value, fromEnd axes: [Int]) throws -> Value {
    let rank = type(of: v).rank
    var out = v
    var runs: [(at: Int, count: Int)] = []
    for p in axes.map({ rank + $0 }).sorted() {
      if let last = runs.last, last.at + last.count == p {
        runs[runs.count - 1].count += 1
      } else {
        runs.append((p, 1))
      }
    }
    for run in runs.reversed() { out = try apply1(RemoveAxes(at: run.at, count: run.count), [out]) }
    return out
  }
}
