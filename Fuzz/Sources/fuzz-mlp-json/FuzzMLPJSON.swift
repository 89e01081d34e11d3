import FuzzSupport
import MLPFormat

/// libFuzzer entry: the input as onnxgrad MLP JSON, decoded and imported into a graph. Weight
/// files it names are missing (see `FuzzInput.modelPath`). Thrown errors are the expected
/// outcome; only crashes and sanitizer reports count.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMLPJSON(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  if let model = try? MLPModel.decode(bytes: FuzzInput.bytes(data, size), path: FuzzInput.modelPath + ".mlp.json") {
    FuzzInput.importGraph(model)
  }
  return 0
}
