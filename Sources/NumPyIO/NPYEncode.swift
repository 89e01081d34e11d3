import TensorCore

extension NPY {
  /// The exact bytes `np.save` writes for this tensor: C order, little endian, format 1.0.
  ///
  /// The descr is `'<f4'`, `'<f8'`, `'<i8'` or `'|b1'`; the header is padded with spaces and a newline so
  /// the data starts at a multiple of 64 bytes.
  public static func encode(_ t: Tensor) -> [UInt8] {
    var out = NPYHeader.encode(descr: descr(for: t.dtype), shape: t.shape)
    out.reserveCapacity(out.count + t.count * t.dtype.byteSize)
    NPYElements.encode(t.storage, into: &out)
    return out
  }

  /// The `descr` NumPy writes for `dtype`.
  static func descr(for dtype: DType) -> String {
    switch dtype {
    case .float32: "<f4"
    case .float64: "<f8"
    case .int64: "<i8"
    case .bool: "|b1"
    }
  }

  /// Writes ``encode(_:)`` to `path` atomically: a temporary file in the same folder, then rename.
  ///
  /// On failure no file is left at `path` (an existing file there is left unchanged).
  public static func write(_ t: Tensor, to path: String) throws(NumPyIOError) {
    try FileIO.writeAtomically(encode(t), to: path)
  }
}
