import ArgumentParser
import ONNXImport

struct OpsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ops", abstract: "List the ONNX ops onnxgrad supports, with their opsets and implementation.")

  @Flag(help: "Print the Markdown table of docs/supported-ops.md.") var markdown = false

  func run() throws {
    let text = markdown ? ONNXImporter.supportedOpsMarkdown() : Self.plainTable()
    print(text.hasSuffix("\n") ? String(text.dropLast()) : text)
  }

  static func plainTable() -> String {
    let rows = ONNXImporter.supportedOpTable
    let width = rows.map(\.opType.count).max() ?? 0
    return rows.map { op in
      let kind = op.isComposite ? "composite \(op.implementation)" : "primitive \(op.implementation)"
      return op.opType.padding(toLength: width + 2, withPad: " ", startingAt: 0) + "opsets \(op.opsets.lowerBound)–\(op.opsets.upperBound)  \(kind)\n"
    }.joined()
  }
}
