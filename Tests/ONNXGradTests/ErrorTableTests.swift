import Foundation
import NumPyIO
import TensorCore
import Testing

/// docs/ERRORS.md's table, run row by row: each command fails with exactly the message listed,
/// exit status 1, and leaves the scratch folder as it was.
@Suite struct ErrorTable {
  struct Row: CustomStringConvertible, Sendable {
    let name: String
    let arguments: [String]
    let message: String
    var description: String { name }
  }

  static let rows: [Row] = {
    let doc = Fixtures.repoRoot.appendingPathComponent("docs/ERRORS.md")
    guard let text = try? String(contentsOf: doc, encoding: .utf8) else { return [] }
    var inTable = false
    var rows: [Row] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("<!-- error-table") { inTable = true; continue }
      guard inTable, line.hasPrefix("| "), !line.hasPrefix("| case"), !line.hasPrefix("| ---") else { continue }
      let cells = line.dropFirst(2).dropLast(2).components(separatedBy: " | ")
      guard cells.count == 3 else { continue }
      func code(_ s: String) -> String { s.hasPrefix("`") && s.hasSuffix("`") ? String(s.dropFirst().dropLast()) : s }
      let words = code(cells[1]).split(separator: " ").map(String.init)
      rows.append(Row(name: cells[0], arguments: Array(words.dropFirst()), message: code(cells[2])))
    }
    return rows
  }()

  /// The scratch folder the table's commands run in.
  static func scratch() throws -> URL {
    let dir = try temporaryDirectory()
    let fm = FileManager.default
    try fm.copyItem(atPath: Fixtures.repoRoot.appendingPathComponent("models/generator_legacy.onnx").path, toPath: dir.appendingPathComponent("model.onnx").path)
    try fm.copyItem(atPath: Fixtures.repoRoot.appendingPathComponent("models/points.npy").path, toPath: dir.appendingPathComponent("points.npy").path)
    try NPY.write(Tensor(uncheckedShape: [4, 2], storage: .int64(Array(repeating: 1, count: 8))), to: dir.appendingPathComponent("ints.npy").path)
    try NPY.write(Tensor(uncheckedShape: [4, 3], storage: .float32(Array(repeating: 1, count: 12))), to: dir.appendingPathComponent("wide.npy").path)
    try NPY.write(Tensor(uncheckedShape: [2, 2], storage: .float32([0.1, 0.2, .nan, 0.1])), to: dir.appendingPathComponent("nan.npy").path)
    try Data([0x08, 0x09, 0x12, 0xFF, 0xFF, 0xFF]).write(to: dir.appendingPathComponent("garbage.onnx"))
    try Data("hello world".utf8).write(to: dir.appendingPathComponent("notnpy.npy"))
    try fm.createDirectory(at: dir.appendingPathComponent("adir"), withIntermediateDirectories: false)
    return dir
  }

  @Test func theTableHasItsRows() {
    #expect(Self.rows.count >= 30, "docs/ERRORS.md's table was not found or lost rows")
  }

  @Test("each documented error is printed word for word", arguments: rows)
  func documentedMessage(_ row: Row) throws {
    let dir = try Self.scratch()
    let before = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    let r = try CLI.run(row.arguments, in: dir)
    #expect(r.status == 1, "\(row.name): status \(r.status)")
    let first = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
    #expect(first == row.message, "\(row.name)")
    #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() == before, "\(row.name) left files")
  }
}
