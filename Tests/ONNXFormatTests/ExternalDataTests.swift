import Foundation
import ONNXFormat
import TensorCore
import Testing

/// External data is read at its offset, and only from inside the model's folder.
@Suite struct ExternalDataTests {
  private func firstInitializer(_ name: String) throws -> (ONNXModel, ONNXTensorProto) {
    let model = try ONNXModel.load(path: fixture(name))
    return (model, try #require(model.graph.initializers.first))
  }

  @Test func locationEscapingTheFolderIsRefused() throws {
    let (model, w1) = try firstInitializer("outside.onnx")
    #expect(w1.externalDataValue("location") == "../outside.bin")
    let error = #expect(throws: ONNXFormatError.self) { try w1.materialize(modelDirectory: model.modelDirectory) }
    #expect(error == .externalDataOutsideModelDirectory(tensor: "W1", location: "../outside.bin", modelDirectory: fixturesDirectory))
  }

  @Test func truncatedExternalFileIsRefused() throws {
    let (model, w1) = try firstInitializer("truncated.onnx")
    let error = #expect(throws: ONNXFormatError.self) { try w1.materialize(modelDirectory: model.modelDirectory) }
    guard case .externalDataTruncated(let tensor, let file, _) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(tensor == "W1")
    #expect(file.hasSuffix("/truncated.bin"))
    #expect(error?.description.contains("truncated.bin") == true)
  }

  @Test func lengthDisagreeingWithDimsIsRefused() throws {
    let (model, w1) = try firstInitializer("badlength.onnx")
    let error = #expect(throws: ONNXFormatError.self) { try w1.materialize(modelDirectory: model.modelDirectory) }
    guard case .externalDataTruncated(let tensor, let file, let detail) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(tensor == "W1" && file.hasSuffix("/truncated.bin") && detail.contains("44") && detail.contains("48"))
  }

  @Test func missingExternalFileIsNamed() throws {
    let (model, w1) = try firstInitializer("missing.onnx")
    let error = #expect(throws: ONNXFormatError.self) { try w1.materialize(modelDirectory: model.modelDirectory) }
    #expect(error == .externalDataFileMissing(tensor: "W1", file: fixturesDirectory + "/does_not_exist.bin"))
    #expect(error?.description.contains("does_not_exist.bin") == true)
  }

  @Test(arguments: ["/etc/passwd", "\\\\server\\share", "C:\\weights.bin", "a/../../x.bin", "../x", "~/x.bin"])
  func absoluteOrEscapingLocationsAreRefused(_ location: String) {
    let t = ONNXTensorProto(
      name: "w", dataType: .float, dims: [1], dataLocation: .external,
      externalData: [ONNXKeyValue(key: "location", value: location), ONNXKeyValue(key: "length", value: "4")])
    #expect(throws: ONNXFormatError.externalDataOutsideModelDirectory(tensor: "w", location: location, modelDirectory: fixturesDirectory)) {
      try t.materialize(modelDirectory: fixturesDirectory)
    }
  }

  @Test func malformedEntriesAreRefused() {
    func tensor(_ entries: [(String, String)]) -> ONNXTensorProto {
      ONNXTensorProto(
        name: "w", dataType: .float, dims: [1], dataLocation: .external,
        externalData: entries.map { ONNXKeyValue(key: $0.0, value: $0.1) })
    }
    for entries in [[("offset", "0")], [("location", "")], [("location", "truncated.bin"), ("offset", "-4")],
                    [("location", "truncated.bin"), ("length", "four")]] {
      let error = #expect(throws: ONNXFormatError.self) { try tensor(entries).materialize(modelDirectory: fixturesDirectory) }
      guard case .invalidExternalData(let name, _, _, _) = error else {
        Issue.record("\(entries): unexpected \(String(describing: error))")
        continue
      }
      #expect(name == "w")
    }
    // Offset beyond the end of the file.
    let far = tensor([("location", "truncated.bin"), ("offset", "\(Int.max)")])
    let error = #expect(throws: ONNXFormatError.self) { try far.materialize(modelDirectory: fixturesDirectory) }
    guard case .externalDataTruncated = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
  }

  @Test func symlinksResolvingOutsideAreRefusedAndInsideAccepted() throws {
    let fm = FileManager.default
    let root = try makeTemporaryDirectory()
    defer { try? fm.removeItem(atPath: root) }
    let modelDir = root + "/model"
    try fm.createDirectory(atPath: modelDir, withIntermediateDirectories: true)
    // Bytes of three float32 values 1, 2, 3 (little endian), preceded by 4 bytes of padding.
    var payload: [UInt8] = [9, 9, 9, 9]
    for v: Float in [1, 2, 3] { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload += $0 } }
    try Data(payload).write(to: URL(fileURLWithPath: root + "/secret.bin"))
    try Data(payload).write(to: URL(fileURLWithPath: modelDir + "/inside.bin"))
    try fm.createSymbolicLink(atPath: modelDir + "/escape.bin", withDestinationPath: "../secret.bin")
    try fm.createSymbolicLink(atPath: modelDir + "/alias.bin", withDestinationPath: "inside.bin")
    try fm.createSymbolicLink(atPath: modelDir + "/sub", withDestinationPath: root)

    func tensor(_ location: String) -> ONNXTensorProto {
      ONNXTensorProto(
        name: "w", dataType: .float, dims: [3], dataLocation: .external,
        externalData: [
          ONNXKeyValue(key: "location", value: location), ONNXKeyValue(key: "offset", value: "4"),
          ONNXKeyValue(key: "length", value: "12"),
        ])
    }
    for location in ["escape.bin", "sub/secret.bin"] {
      #expect(throws: ONNXFormatError.externalDataOutsideModelDirectory(tensor: "w", location: location, modelDirectory: modelDir)) {
        try tensor(location).materialize(modelDirectory: modelDir)
      }
    }
    for location in ["inside.bin", "alias.bin", "./inside.bin"] {
      let t = try tensor(location).materialize(modelDirectory: modelDir)
      #expect(t.elements(as: Float.self) == [1, 2, 3], "\(location)")
    }
    // The model directory itself may be reached through a link.
    try fm.createSymbolicLink(atPath: root + "/linkdir", withDestinationPath: modelDir)
    #expect(try tensor("inside.bin").materialize(modelDirectory: root + "/linkdir").elements(as: Float.self) == [1, 2, 3])
    // A directory is not a data file.
    try fm.createDirectory(atPath: modelDir + "/dir.bin", withIntermediateDirectories: true)
    #expect(throws: ONNXFormatError.self) { try tensor("dir.bin").materialize(modelDirectory: modelDir) }
  }

  @Test func largeOffsetIsReadBySeeking() throws {
    // 1 MiB of padding before the tensor: the read starts at the offset, not at zero.
    let root = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(atPath: root) }
    var bytes = [UInt8](repeating: 0xAB, count: 1 << 20)
    for v: Double in [0.5, -1.5] { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
    try Data(bytes).write(to: URL(fileURLWithPath: root + "/big.data"))
    let t = ONNXTensorProto(
      name: "d", dataType: .double, dims: [2], dataLocation: .external,
      externalData: [ONNXKeyValue(key: "location", value: "big.data"), ONNXKeyValue(key: "offset", value: "\(1 << 20)")])
    #expect(try t.materialize(modelDirectory: root).elements(as: Double.self) == [0.5, -1.5])
  }
}
