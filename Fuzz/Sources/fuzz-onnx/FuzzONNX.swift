import FuzzSupport
import ONNXFormat

/// libFuzzer entry: the input as an ONNX protobuf model, decoded and imported into a graph.
/// Thrown errors are the expected outcome for bad input; only crashes and sanitizer reports count.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  if let model = try? ONNXModel.decode(bytes: FuzzInput.bytes(data, size), modelPath: FuzzInput.modelPath + ".onnx") {
    FuzzInput.importGraph(model)
  }
  return 0
}
