import Foundation

/// Rows done, rate and ETA on stderr, once the work has taken more than a second
/// (`ONNXGRAD_PROGRESS_AFTER` seconds when that is a non-negative number): a bar redrawn in
/// place on a terminal, or plain lines (at most one every 5 s) for logs.
final class ProgressDisplay {
  enum Mode { case off, bar, lines }

  let mode: Mode
  let total: Int
  let start = ContinuousClock.now
  /// Seconds of work before anything is shown.
  let delay: Double
  private var lastShown: ContinuousClock.Instant?
  private var drewBar = false

  init(mode: Mode, total: Int, environment: [String: String] = ProcessInfo.processInfo.environment) {
    self.mode = mode
    self.total = total
    delay = environment["ONNXGRAD_PROGRESS_AFTER"].flatMap(Double.init).flatMap { $0 >= 0 && $0.isFinite ? $0 : nil } ?? 1
  }

  /// Reports that `done` of `total` rows are finished.
  func update(_ done: Int) {
    guard mode != .off else { return }
    let now = ContinuousClock.now
    let elapsed = seconds(now - start)
    guard elapsed >= delay else { return }
    let interval = mode == .bar ? 0.1 : 5
    if let lastShown, seconds(now - lastShown) < interval, done < total { return }
    lastShown = now
    let rate = Double(done) / elapsed
    let eta = rate > 0 ? Double(total - done) / rate : 0
    let percent = total > 0 ? 100 * Double(done) / Double(total) : 100
    let text = "\(done.formatted()) / \(total.formatted()) rows (\(String(format: "%.0f", percent))%), \(Self.rate(rate)) rows/s, ETA \(Self.duration(eta))"
    switch mode {
    case .off: return
    case .lines: note(text)
    case .bar:
      let width = 24
      let filled = total > 0 ? min(width, width * done / total) : width
      let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
      writeRaw("\r\u{1B}[2K\(bar) \(text)")
      drewBar = true
    }
  }

  /// Ends the display: the bar's line is cleared so later output starts on a clean line.
  func finish() {
    if drewBar { writeRaw("\r\u{1B}[2K") }
    drewBar = false
  }

  private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }

  private func writeRaw(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
  }

  static func rate(_ r: Double) -> String {
    r >= 1e6 ? String(format: "%.1fM", r / 1e6) : r >= 1e3 ? String(format: "%.1fk", r / 1e3) : String(format: "%.0f", r)
  }

  static func duration(_ s: Double) -> String {
    let t = Int(s.rounded())
    return t >= 3600 ? "\(t / 3600)h\(String(format: "%02d", t / 60 % 60))m" : t >= 60 ? "\(t / 60)m\(String(format: "%02d", t % 60))s" : "\(t)s"
  }
}
