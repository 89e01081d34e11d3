import Foundation

/// Size checks for shapes that come from files: every product of dimensions onnxgrad computes
/// (element counts, row sizes, byte sizes) must fit in `Int`, whatever zeros the shape holds.
public enum ShapeSize {
  /// The element count of `shape`, or nil when a dimension is negative or the product of its
  /// non-zero dimensions (so any partial product) overflows `Int`.
  public static func count(_ shape: [Int]) -> Int? {
    var nonZero = 1
    var hasZero = false
    for d in shape {
      guard d >= 0 else { return nil }
      if d == 0 { hasZero = true; continue }
      let (p, overflow) = nonZero.multipliedReportingOverflow(by: d)
      guard !overflow else { return nil }
      nonZero = p
    }
    return hasZero ? 0 : nonZero
  }

  /// Bytes for `count` elements of `byteSize`, or nil on overflow.
  public static func bytes(count: Int, byteSize: Int) -> Int? {
    let (b, overflow) = count.multipliedReportingOverflow(by: byteSize)
    return overflow ? nil : b
  }

  /// The most working memory one computation may ask for where the caller bounds it (the
  /// command line binds `--max-memory` around each run: `ShapeSize.$limit.withValue(bytes) {…}`);
  /// nil: the machine's physical memory. A task-local, so each run (and thread that binds it)
  /// has its own.
  @TaskLocal public static var limit: Int?

  /// The most working memory a computation may ask for: `limit`, else physical memory.
  public static var memoryBudget: Int { limit ?? Int(clamping: ProcessInfo.processInfo.physicalMemory) }

  /// Throws when `bytes` (nil: overflowed) exceeds `memoryBudget`, naming `what`, what it
  /// needs and how to ask for less.
  public static func checkBudget(_ bytes: Int?, for what: String) throws {
    guard let bytes, bytes <= memoryBudget else {
      let need = bytes.map(describe) ?? "more than 2^63 bytes"
      let room = limit.map { "the \(describe($0)) this run may use; give fewer rows (--batch-size) or more memory (--max-memory)" }
        ?? "this machine's \(describe(memoryBudget)); use a smaller batch"
      throw TensorError("\(what) needs \(need) of memory, more than \(room)")
    }
  }

  /// A byte count in GiB, MiB or KiB, one decimal.
  public static func describe(_ bytes: Int) -> String {
    let b = Double(bytes)
    if b >= 1_073_741_824 { return String(format: "%.1f GiB", b / 1_073_741_824) }
    if b >= 1_048_576 { return String(format: "%.1f MiB", b / 1_048_576) }
    return b >= 1024 ? String(format: "%.1f KiB", b / 1024) : "\(bytes) bytes"
  }
}
