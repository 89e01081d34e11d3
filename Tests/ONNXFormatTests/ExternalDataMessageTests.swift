import Foundation
import ONNXFormat
import TensorCore
import Testing

/// Every message about a tensor's external data entries, each produced by a tensor with exactly
/// that fault and compared in full.
@Suite struct ExternalDataMessages {
  static func tensor(_ entries: [(String, String)], dims: [Int64] = [1]) -> ONNXTensorProto {
    ONNXTensorProto(
      name: "w", dataType: .float, dims: dims, dataLocation: .external,
      externalData: entries.map { ONNXKeyValue(key: $0.0, value: $0.1) })
  }

  static let cases: [(entries: [(String, String)], message: String)] = [
    ([("offset", "0")], "tensor 'w' has invalid external data entry 'location': data_location is EXTERNAL but no file location is given"),
    (
      [("location", "")],
      "tensor 'w' has invalid external data entry 'location' = '': data_location is EXTERNAL but no file location is given"
    ),
    (
      [("location", "truncated.bin"), ("offset", "-4")],
      "tensor 'w' has invalid external data entry 'offset' = '-4': expected a non-negative integer"
    ),
    (
      [("location", "truncated.bin"), ("length", "four")],
      "tensor 'w' has invalid external data entry 'length' = 'four': expected a non-negative integer"
    ),
    ([("location", "a\0b")], "tensor 'w' has invalid external data entry 'location': contains a NUL character"),
  ]

  @Test(arguments: cases.indices)
  func eachFaultHasItsMessage(_ index: Int) {
    let c = Self.cases[index]
    let error = #expect(throws: ONNXFormatError.self) { try Self.tensor(c.entries).materialize(modelDirectory: fixturesDirectory) }
    #expect(error?.description == c.message)
  }

  @Test func aMissingModelFolderIsNamed() {
    let folder = fixturesDirectory + "/no-such-folder"
    let error = #expect(throws: ONNXFormatError.self) {
      try Self.tensor([("location", "w.bin")]).materialize(modelDirectory: folder)
    }
    #expect(error?.description == "cannot read ONNX model '\(folder)': model directory cannot be resolved (No such file or directory)")
  }

  /// A tensor larger than half the machine's memory is refused before it is read (the file is
  /// sparse: it takes no disk space).
  @Test func dataPastTheMemoryIsRefusedUnread() throws {
    let dir = NSTemporaryDirectory() + "onnxgrad-external-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let count = ShapeSize.memoryBudget / 2 / 4 + 1
    let fd = open(dir + "/big.bin", O_CREAT | O_WRONLY, 0o644)
    #expect(fd >= 0)
    #expect(ftruncate(fd, off_t(count * 4)) == 0)
    close(fd)
    let error = #expect(throws: ONNXFormatError.self) {
      try Self.tensor([("location", "big.bin")], dims: [Int64(count)]).materialize(modelDirectory: dir)
    }
    #expect(
      error?.description
        == "cannot read external data file '\(dir)/big.bin' for tensor 'w': its \(count * 4) bytes do not fit in this machine's memory")
  }
}
