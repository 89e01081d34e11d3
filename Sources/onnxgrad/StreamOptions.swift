import ArgumentParser
import Foundation
import TensorCore

/// Options of the commands that write results: chunking, memory budget and progress.
struct StreamOptions: ParsableArguments {
  @Option(
    name: .customLong("batch-size"),
    help: ArgumentHelp(
      "Rows computed and written per chunk (default: about 64 MiB of inputs and results per chunk, within --max-memory).",
      valueName: "N"))
  var batchSize: Int?

  @Option(
    name: .customLong("max-memory"),
    help: ArgumentHelp(
      "The most memory one run may use for inputs, results and chunk buffers, e.g. 2G or 512M (default: half of physical memory).",
      valueName: "SIZE"))
  var maxMemory: String?

  @Flag(
    name: .customLong("check-finite"),
    help: "Stop at the first NaN or infinity in a result, naming its row, the result and the model node that first produced a non-finite value on that row.")
  var checkFinite = false

  @Flag(help: "No progress display.") var quiet = false
  @Flag(help: "Progress as plain lines on stderr, also when stderr is not a terminal (for logs).") var progress = false

  /// The memory budget in bytes.
  func memoryBudget() throws -> Int {
    guard let maxMemory else { return ShapeSize.memoryBudget / 2 }
    guard let bytes = Self.parseSize(maxMemory), bytes > 0 else {
      throw ValidationError("--max-memory '\(maxMemory)' is not a size; give bytes or a number with K, M, G or T (e.g. 2G, 512M)")
    }
    return bytes
  }

  func validatedBatchSize() throws -> Int? {
    if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
    return batchSize
  }

  /// Bytes from `512M`, `2G`, `1.5GiB`, `4096` (powers of 1024).
  static func parseSize(_ text: String) -> Int? {
    var t = text.trimmingCharacters(in: .whitespaces).uppercased()
    for suffix in ["IB", "B"] where t.hasSuffix(suffix) && t.count > suffix.count {
      t.removeLast(suffix.count)
      break
    }
    let units: [Character: Double] = ["K": 1024, "M": 1_048_576, "G": 1_073_741_824, "T": 1_099_511_627_776]
    var scale = 1.0
    if let last = t.last, let unit = units[last] {
      scale = unit
      t.removeLast()
    }
    guard let value = Double(t), value.isFinite, value >= 0 else { return nil }
    let bytes = value * scale
    return bytes < 9.2e18 ? Int(bytes) : nil
  }

  /// How progress is shown on stderr.
  var progressMode: ProgressDisplay.Mode {
    if quiet { return .off }
    if progress { return .lines }
    return isatty(STDERR_FILENO) == 1 ? .bar : .off
  }
}
