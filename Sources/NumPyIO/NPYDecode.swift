import TensorCore

/// Reading and writing NumPy `.npy` files.
public enum NPY {
  /// Decodes the bytes of a `.npy` file (format 1.0, 2.0 or 3.0) into a C-order tensor.
  ///
  /// `f2` becomes float32, `f4` float32, `f8` float64; integer and bool arrays become int64.
  /// Big-endian data and `fortran_order: True` are converted. `source` names the bytes in errors.
  public static func decode(_ bytes: [UInt8], source: String) throws(NumPyIOError) -> Tensor {
    let header = try NPYHeader.parse(bytes, source: source)
    let descr = header.descr
    func fail(_ kind: NumPyIOError.Kind, _ message: String) -> NumPyIOError {
      NumPyIOError(file: source, kind: kind, message)
    }
    guard let count = ShapeSize.count(header.shape) else {
      throw fail(.badHeader, "bad header: shape \(NPYHeader.pythonShape(header.shape)) has too many elements")
    }
    let (needed, overflow) = count.multipliedReportingOverflow(by: descr.size)
    let available = bytes.count - header.dataOffset
    guard !overflow, needed <= available else {
      let size = overflow ? "more than \(Int.max)" : "\(needed)"
      throw fail(
        .truncated,
        "truncated: header says shape \(NPYHeader.pythonShape(header.shape)) of '\(descr.text)' = \(size) bytes of data, "
          + "file has \(available)")
    }
    let storage = try NPYElements.decode(bytes, from: header.dataOffset, count: count, descr: descr, source: source)
    do {
      guard header.fortranOrder && header.shape.count > 1 else { return try Tensor(shape: header.shape, storage: storage) }
      // Column-major data of shape S is the row-major array of shape reversed(S), axes reversed.
      let reversed = try Tensor(shape: header.shape.reversed(), storage: storage)
      return try reversed.permuted(Array((0..<header.shape.count).reversed()))
    } catch {
      throw fail(.badHeader, "bad header: \(error)")
    }
  }

  /// Reads a `.npy` file; see ``decode(_:source:)``.
  public static func read(_ path: String) throws(NumPyIOError) -> Tensor {
    try decode(try FileIO.readAll(path), source: path)
  }
}
