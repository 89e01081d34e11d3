#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
public import TensorCore

/// A `.npy` file memory-mapped for reading by rows: only the header is parsed up front, and
/// `rows(_:)` decodes rows straight from the map. Pages already read are given back to the
/// kernel, so reading a file of any size front to back keeps memory bounded by one chunk.
///
/// C-order arrays with at least one axis are read by rows; others (Fortran order, 0-d) only
/// whole (`rows(0..<rowCount)`), which copies the file once.
///
/// `@unchecked Sendable`: the map is read-only and the `madvise` hints it takes are harmless
/// to other readers (a page dropped is read again from the file).
public final class NPYMappedFile: @unchecked Sendable {
  public let path: String
  /// The array's shape as the header declares it.
  public let shape: [Int]
  /// The dtype its elements become (`f2` and `f4` → float32, `f8` → float64, integers → int64).
  public let dtype: DType
  let descr: NPYDescr
  let fortranOrder: Bool
  let dataOffset: Int
  private let base: UnsafeMutableRawPointer?
  private let length: Int

  /// Opens and maps `path` (through links; it must lead to a regular file) and checks that the
  /// file holds every element the header declares.
  public init(_ path: String) throws(NumPyIOError) {
    self.path = path
    func fail(_ kind: NumPyIOError.Kind, _ message: String) -> NumPyIOError {
      NumPyIOError(file: path, kind: kind, message)
    }
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
    guard fd >= 0 else {
      let code = errno
      throw fail(.io, "cannot read: \(code == ENOENT ? "no such file" : String(cString: strerror(code)))")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0 else { throw fail(.io, "cannot read: cannot stat: \(String(cString: strerror(errno)))") }
    guard (info.st_mode & S_IFMT) != S_IFDIR else { throw fail(.io, "cannot read: it is a directory, expected a .npy or .npz file") }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw fail(.io, "cannot read: not a regular file (a device, FIFO or socket), expected a .npy or .npz file")
    }
    length = Int(info.st_size)
    if length > 0 {
      let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
      guard let mapped, mapped != MAP_FAILED else {
        throw fail(.io, "cannot map the file into memory: \(String(cString: strerror(errno)))")
      }
      base = mapped
    } else {
      base = nil
    }
    let whole = UnsafeRawBufferPointer(start: base, count: length)
    let header: NPYHeader
    do {
      header = try NPYHeader.parse(Array(whole.prefix(NPYHeader.maxPrefixBytes)), source: path)
    } catch {
      if let base { munmap(base, length) }
      throw error
    }
    shape = header.shape
    descr = header.descr
    dtype = header.descr.tensorDType
    fortranOrder = header.fortranOrder
    dataOffset = header.dataOffset
    guard let count = ShapeSize.count(header.shape), let needed = ShapeSize.bytes(count: count, byteSize: descr.size),
      needed <= length - dataOffset
    else {
      if let base { munmap(base, length) }
      throw fail(
        .truncated,
        "truncated: header says shape \(NPYHeader.pythonShape(header.shape)) of '\(descr.text)', more data than the file's \(length - dataOffset) bytes")
    }
  }

  deinit {
    if let base { munmap(base, length) }
  }

  /// Rows along axis 0 (the whole array for a 0-d one).
  public var rowCount: Int { shape.first ?? 1 }

  /// Whether `rows(_:)` reads parts of the array (C order, at least one axis).
  public var readsByRows: Bool { !fortranOrder && !shape.isEmpty }

  /// The rows `range` of axis 0 as a tensor of shape `[range.count] + shape[1...]`; a Fortran-
  /// order or 0-d array only as a whole. The pages read are released afterwards.
  public func rows(_ range: Range<Int>) throws(NumPyIOError) -> Tensor {
    let rowElements = shape.dropFirst().reduce(1, *)
    let whole = range == 0..<rowCount
    guard whole || readsByRows, range.lowerBound >= 0, range.upperBound <= rowCount else {
      throw NumPyIOError(
        file: path, kind: .invalidArgument, "rows \(range) of an array of \(rowCount) rows cannot be read on their own")
    }
    let bytes = UnsafeRawBufferPointer(start: base, count: length)
    let start = dataOffset + range.lowerBound * rowElements * descr.size
    let count = range.count * rowElements
    let storage = try NPYElements.decode(bytes, from: start, count: count, descr: descr, source: path)
    release(from: start, bytes: count * descr.size)
    do {
      guard !readsByRows, whole, shape.count > 1 else {
        return try Tensor(shape: shape.isEmpty ? [] : [range.count] + shape.dropFirst(), storage: storage)
      }
      let reversed = try Tensor(shape: shape.reversed(), storage: storage)
      return try reversed.permuted(Array((0..<shape.count).reversed()))
    } catch {
      throw NumPyIOError(file: path, kind: .badHeader, "bad header: \(error)")
    }
  }

  /// Drops the whole pages of `[start, start + bytes)` from this process's memory.
  private func release(from start: Int, bytes: Int) {
    guard let base, bytes > 0 else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let first = (start + page - 1) / page * page
    let end = (start + bytes) / page * page
    if end > first { madvise(base + first, end - first, MADV_DONTNEED) }
  }
}
