import Foundation
import ONNXFormat
import TensorCore
import Testing

/// Broken files and broken tensors give typed errors that name the file and tensor; nothing traps.
@Suite struct ErrorTests {
  @Test func garbageFileIsNotAModel() {
    let path = fixture("garbage.onnx")
    let error = #expect(throws: ONNXFormatError.self) { try ONNXModel.load(path: path) }
    #expect(error == .notAModel(path: path, byteCount: 86))
    #expect(error?.description.contains("garbage.onnx") == true)
  }

  @Test func emptyFileIsRefused() {
    let path = fixture("empty.onnx")
    let error = #expect(throws: ONNXFormatError.self) { try ONNXModel.load(path: path) }
    #expect(error == .emptyFile(path: path))
    #expect(throws: ONNXFormatError.emptyFile(path: "<memory>")) { try ONNXModel.decode(bytes: []) }
  }

  @Test func modelWithoutGraphIsRefused() {
    let path = fixture("nograph.onnx")
    let error = #expect(throws: ONNXFormatError.self) { try ONNXModel.load(path: path) }
    #expect(error == .missingGraph(path: path))
  }

  @Test func missingModelFileAndDirectoryAreRefused() {
    let missing = fixture("no-such-model.onnx")
    let e1 = #expect(throws: ONNXFormatError.self) { try ONNXModel.load(path: missing) }
    #expect(e1 == .cannotRead(path: missing, reason: "no such file"))
    let e2 = #expect(throws: ONNXFormatError.self) { try ONNXModel.load(path: fixturesDirectory) }
    #expect(e2 == .cannotRead(path: fixturesDirectory, reason: "it is a directory, expected a model file"))
  }

  @Test func randomBytesNeverTrap() throws {
    // Deterministic pseudo-random inputs, plus every prefix of a real model: each either decodes
    // or throws an ONNXFormatError.
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> UInt8 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return UInt8(truncatingIfNeeded: state >> 33)
    }
    var failures = 0
    for length in 1...300 {
      let bytes = (0..<length).map { _ in next() }
      do { _ = try ONNXModel.decode(bytes: bytes) } catch { failures += 1 }
    }
    #expect(failures > 250)
    guard let model = FileManager.default.contents(atPath: fixture("helper.onnx")) else {
      Issue.record("helper.onnx missing")
      return
    }
    let full = [UInt8](model)
    for cut in stride(from: 1, to: full.count, by: 7) {
      if let m = try? ONNXModel.decode(bytes: Array(full[..<cut])) {
        for t in m.graph.initializers { _ = try? t.materialize(modelDirectory: fixturesDirectory) }
      }
    }
    #expect(try ONNXModel.decode(bytes: full).graph.nodes.count == 6)
  }

  @Test func rawDataOfWrongLengthIsRefused() throws {
    let model = try ONNXModel.load(path: fixture("badcount.onnx"))
    let w2 = try #require(model.graph.initializer(named: "W2"))
    let error = #expect(throws: ONNXFormatError.self) { try w2.materialize(modelDirectory: model.modelDirectory) }
    guard case .elementCountMismatch(let tensor, let dims, let expected, let found, _) = error else {
      Issue.record("unexpected \(String(describing: error))")
      return
    }
    #expect(tensor == "W2" && dims == [2, 4] && expected == 8 && found == 7)
    // The other initializers of the same model still load.
    #expect(try model.graph.initializer(named: "W1")?.materialize(modelDirectory: model.modelDirectory).shape == [4, 3])
  }

  @Test func typedFieldOfWrongLengthIsRefused() {
    let t = ONNXTensorProto(name: "w", dataType: .float, dims: [2, 2], floatData: [1, 2, 3])
    #expect(throws: ONNXFormatError.elementCountMismatch(tensor: "w", dims: [2, 2], expected: 4, found: 3, source: "float_data")) {
      try t.materialize(modelDirectory: ".")
    }
    let h = ONNXTensorProto(name: "h", dataType: .float16, dims: [3], int32Data: [0x3C00])
    #expect(throws: ONNXFormatError.self) { try h.materialize(modelDirectory: ".") }
  }

  @Test func invalidDimsAreRefused() {
    let negative = ONNXTensorProto(name: "n", dataType: .float, dims: [2, -1], floatData: [])
    #expect(throws: ONNXFormatError.invalidDims(tensor: "n", dims: [2, -1])) { try negative.materialize(modelDirectory: ".") }
    let huge = ONNXTensorProto(name: "big", dataType: .double, dims: [1 << 40, 1 << 40], rawData: [1, 2])
    #expect(throws: ONNXFormatError.invalidDims(tensor: "big", dims: [1 << 40, 1 << 40])) { try huge.materialize(modelDirectory: ".") }
    // Fits in Int, but the byte count overflows: still no allocation and no trap.
    let wide = ONNXTensorProto(name: "wide", dataType: .double, dims: [1 << 61], rawData: [])
    #expect(throws: ONNXFormatError.self) { try wide.materialize(modelDirectory: ".") }
  }

  @Test func unsupportedTypesNameTheTensorAndType() {
    let t = ONNXTensorProto(name: "labels", dataType: .string, dims: [1], stringData: [[65]])
    let error = #expect(throws: ONNXFormatError.self) { try t.materialize(modelDirectory: ".") }
    #expect(error == .unsupportedDataType(tensor: "labels", dataType: .string))
    #expect(error?.description.contains("labels") == true)
    #expect(error?.description.contains("STRING") == true)
    let future = ONNXTensorProto(name: "f", dataType: ONNXDataType(77), dims: [1], rawData: [0])
    #expect(throws: ONNXFormatError.unsupportedDataType(tensor: "f", dataType: ONNXDataType(77))) {
      try future.materialize(modelDirectory: ".")
    }
  }

  @Test func uint64AboveInt64MaxIsRefused() throws {
    let big = ONNXTensorProto(name: "u", dataType: .uint64, dims: [2], uint64Data: [5, UInt64.max])
    #expect(throws: ONNXFormatError.valueOutOfRange(tensor: "u", dataType: .uint64, value: "\(UInt64.max)")) {
      try big.materialize(modelDirectory: ".")
    }
    let raw = ONNXTensorProto(name: "r", dataType: .uint64, dims: [1], rawData: [UInt8](repeating: 0xFF, count: 8))
    #expect(throws: ONNXFormatError.self) { try raw.materialize(modelDirectory: ".") }
    let ok = ONNXTensorProto(name: "ok", dataType: .uint64, dims: [2], uint64Data: [5, UInt64(Int64.max)])
    #expect(try ok.materialize(modelDirectory: ".").int64s == [5, Int64.max])
  }

  @Test func errorDescriptionsCarryContext() {
    let e = ONNXFormatError.externalDataTruncated(tensor: "W1", file: "/m/w.bin", detail: "needs bytes 0..<48 but the file has 40 bytes")
    #expect(e.description.contains("/m/w.bin") && e.description.contains("W1") && e.description.contains("truncated"))
    let m = ONNXFormatError.externalDataFileMissing(tensor: "W1", file: "/m/gone.bin")
    #expect(m.description.contains("/m/gone.bin") && m.description.contains("W1"))
  }
}
