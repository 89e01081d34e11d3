#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
public import TensorCore

/// Bytes a `NPYMappedFile` reads: a file's read-only memory map, or a buffer it owns (a deflated
/// `.npz` member, inflated).
///
/// `@unchecked Sendable`: the bytes are never written after `init`; `release` only drops
/// pages of a file map, which the kernel reads again from the file if they are touched.
final class ByteStore: @unchecked Sendable {
  let base: UnsafeRawPointer?
  let count: Int
  private let mapped: Bool

  /// Maps the regular file `path` leads to (through links).
  init(mapping path: String) throws(NumPyIOError) {
    func fail(_ message: String) -> NumPyIOError { NumPyIOError(file: path, kind: .io, message) }
    let fd: Int32
    do { (fd, count) = try RegularFile.open(path, expecting: "a .npy or .npz file") } catch {
      throw fail("cannot read: \(error.reason)")
    }
    defer { close(fd) }
    mapped = true
    guard count > 0 else {
      base = nil
      return
    }
    let map = mmap(nil, count, PROT_READ, MAP_PRIVATE, fd, 0)
    guard let map, map != MAP_FAILED else { throw fail("cannot map the file into memory: \(String(cString: strerror(errno)))") }
    base = UnsafeRawPointer(map)
  }

  /// A copy of `bytes`, owned.
  init(copying bytes: [UInt8]) {
    count = bytes.count
    mapped = false
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes.count), alignment: 64)
    bytes.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(buffer), byteCount: bytes.count) }
    base = UnsafeRawPointer(buffer)
  }

  deinit {
    guard let base else { return }
    if mapped { munmap(UnsafeMutableRawPointer(mutating: base), count) } else { base.deallocate() }
  }

  var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

  /// Drops the whole pages of `[start, start + length)` of a file map from this process's memory.
  func release(from start: Int, length: Int) {
    guard mapped, let base, length > 0 else { return }
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let first = (start + page - 1) / page * page
    let end = (start + length) / page * page
    if end > first { madvise(UnsafeMutableRawPointer(mutating: base) + first, end - first, MADV_DONTNEED) }
  }
}

/// A `.npy` array read by rows: a memory-mapped `.npy` file, a stored member of a memory-mapped
/// `.npz`, or an inflated deflated member. Only the header is parsed up front, and `rows(_:)`
/// decodes rows straight from the bytes. Pages of a map already read are given back to the
/// kernel, so reading a file of any size front to back keeps memory bounded by one chunk.
///
/// C-order arrays with at least one axis are read by rows; others (Fortran order, 0-d) only
/// whole (`rows(0..<rowCount)`).
///
/// `@unchecked Sendable`: the store is read-only (see `ByteStore`).
public final class NPYMappedFile: @unchecked Sendable {
  /// What errors name: the path, or `archive[member]`.
  public let path: String
  /// The array's shape as the header declares it.
  public let shape: [Int]
  /// The dtype its elements become (`f2` and `f4` → float32, `f8` → float64, integers → int64).
  public let dtype: DType
  let descr: NPYDescr
  let fortranOrder: Bool
  /// Offsets in `store`: where the `.npy` bytes start, and where its data starts.
  let start: Int
  let dataOffset: Int
  private let store: ByteStore

  /// Opens and maps `path` (through links; it must lead to a regular file) and checks that the
  /// file holds every element the header declares.
  public convenience init(_ path: String) throws(NumPyIOError) {
    let store = try ByteStore(mapping: path)
    try self.init(store, start: 0, count: store.count, source: path)
  }

  /// The `.npy` bytes at `[start, start + count)` of `store`; `source` names them in errors.
  init(_ store: ByteStore, start: Int, count: Int, source: String) throws(NumPyIOError) {
    self.store = store
    self.path = source
    self.start = start
    let region = UnsafeRawBufferPointer(rebasing: store.bytes[start..<(start + count)])
    let header = try NPYHeader.parse(Array(region.prefix(NPYHeader.maxPrefixBytes)), source: source)
    shape = header.shape
    descr = header.descr
    dtype = header.descr.tensorDType
    fortranOrder = header.fortranOrder
    dataOffset = start + header.dataOffset
    guard let elements = ShapeSize.count(header.shape), let needed = ShapeSize.bytes(count: elements, byteSize: descr.size),
      needed <= count - header.dataOffset
    else {
      throw NumPyIOError(
        file: source, kind: .truncated,
        "truncated: header says shape \(NPYHeader.pythonShape(header.shape)) of '\(descr.text)', more data than the \(count - header.dataOffset) bytes there")
    }
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
    let first = dataOffset + range.lowerBound * rowElements * descr.size
    let count = range.count * rowElements
    let storage = try NPYElements.decode(store.bytes, from: first, count: count, descr: descr, source: path)
    store.release(from: first, length: count * descr.size)
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
}
