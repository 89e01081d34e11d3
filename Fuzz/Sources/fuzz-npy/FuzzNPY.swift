import FuzzSupport
import NumPyIO

/// libFuzzer entry: the input as a `.npy` file, header and body decoded into a tensor. Thrown
/// errors are the expected outcome; only crashes and sanitizer reports count.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  _ = try? NPY.decode(FuzzInput.bytes(data, size), source: "fuzz.npy")
  return 0
}
