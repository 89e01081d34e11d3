import FuzzSupport
import NumPyIO

/// libFuzzer entry: the input as a `.npz` archive — ZIP directory, members, deflate, then each
/// member as `.npy`. Thrown errors are the expected outcome; only crashes and sanitizer reports
/// count.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPZ(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
  _ = try? NPZ.decode(FuzzInput.bytes(data, size), source: "fuzz.npz")
  return 0
}
