import FuzzSupport
import ONNXFormat

/// libFuzzer entry: the input as ONNX in protobuf's JSON mapping, decoded and imported into a
/// graph. Thrown errors are the expected outcome; only crashes and sanitizer reports count.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNXJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  if let model = try? ONNXModel.decodeJSON(bytes: FuzzInput.bytes(data, size), modelPath: FuzzInput.modelPath + ".json") {
    FuzzInput.importGraph(model)
  }
  return 0
}
