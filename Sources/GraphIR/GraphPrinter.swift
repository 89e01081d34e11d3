extension Graph: CustomStringConvertible {
  /// One line per input, node and output: `%7: f32[batch, 100] = Gemm(…)(%1, %3, %4)  # name`.
  public var description: String {
    func value(_ v: Value) -> String {
      let name = names[v.id]
      return name.isEmpty ? "\(v)" : "\(v) '\(name)'"
    }
    var lines = inputs.map { "input \(value($0)): \(types[$0.id])" }
    for n in nodes {
      let outs = n.outputs.map { "\(value($0)): \(types[$0.id])" }.joined(separator: ", ")
      let ins = n.inputs.map(\.description).joined(separator: ", ")
      lines.append("\(outs) = \(n.op)(\(ins))" + (n.name.isEmpty ? "" : "  # \(n.name)"))
    }
    lines.append("outputs: " + outputs.map(value).joined(separator: ", "))
    return lines.joined(separator: "\n")
  }
}
