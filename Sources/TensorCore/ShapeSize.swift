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

  /// Physical memory of this machine, the most working memory a computation may ask for.
  public static var memoryBudget: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

  /// Throws when `bytes` (nil: overflowed) exceeds the machine's memory, naming `what`.
  public static func checkBudget(_ bytes: Int?, for what: String) throws {
    guard let bytes, bytes <= memoryBudget else {
      let need = bytes.map { String(format: "%.1f GiB", Double($0) / 1_073_741_824) } ?? "more than 2^63 bytes"
      throw TensorError(
        "\(what) needs \(need) of memory, more than this machine's \(String(format: "%.1f GiB", Double(memoryBudget) / 1_073_741_824)); use a smaller batch")
    }
  }
}
