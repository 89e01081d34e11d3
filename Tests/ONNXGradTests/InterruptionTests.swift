import Foundation
import NumPyIO
import TensorCore
import Testing

/// Runs killed by SIGINT or SIGTERM at random points leave no output, no temporary file and no
/// folder of theirs, and an existing file at the output path untouched (issue 9).
@Suite struct Interruption {
  /// 400,000 points: a few seconds of chunks of 20,000 rows in a debug build.
  static func points(in dir: URL) throws -> String {
    let path = dir.appendingPathComponent("points.npy").path
    var state: UInt64 = 0x5DEE_CE66
    let values = (0..<800_000).map { _ -> Float in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }
    try NPY.write(Tensor(uncheckedShape: [400_000, 2], storage: .float32(values)), to: path)
    return path
  }

  /// Each trial in its own folder holding the input and an existing `result.npz`; the output
  /// is that file or a new nested folder. A run killed before its commit must leave the folder
  /// as it was; one killed after (while printing) has a complete output.
  @Test func killedRunsLeaveNothingBehind() throws {
    let root = try temporaryDirectory()
    let input = try Self.points(in: root)
    var random = SystemRandomNumberGenerator()
    var untouched = 0
    for trial in 0..<8 {
      let dir = root.appendingPathComponent("trial\(trial)")
      try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false)
      let existing = dir.appendingPathComponent("result.npz").path
      try Data("OLD".utf8).write(to: URL(fileURLWithPath: existing))
      let out = trial % 2 == 0 ? existing : dir.appendingPathComponent("new/deeper").path
      let p = Process()
      p.executableURL = CLI.binary
      p.arguments = ["jacobian", generator, "--input", input, "--out", out, "--batch-size", "20000", "--quiet"]
      p.standardOutput = FileHandle.nullDevice
      p.standardError = FileHandle.nullDevice
      try p.run()
      usleep(UInt32.random(in: 0...1_000_000, using: &random))
      kill(p.processIdentifier, trial % 4 < 2 ? SIGINT : SIGTERM)
      p.waitUntilExit()
      let contents = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
      let old = try Data(contentsOf: URL(fileURLWithPath: existing)) == Data("OLD".utf8)
      if contents == ["result.npz"] && old {
        untouched += 1
        #expect(p.terminationReason == .uncaughtSignal, "trial \(trial): exited \(p.terminationStatus) without writing")
        continue
      }
      // Otherwise the run got past its commit: the output must be whole, nothing else left.
      if out.hasSuffix(".npz") {
        #expect(contents == ["result.npz"], "trial \(trial): left \(contents)")
        #expect(try NPZ.read(out).map(\.name) == ["uv", "duv_dcoords"], "trial \(trial)")
      } else {
        #expect(contents == ["new", "result.npz"] && old, "trial \(trial): left \(contents)")
        #expect(try NPY.read(out + "/duv_dcoords.npy").shape == [400_000, 2, 2], "trial \(trial)")
      }
    }
    #expect(untouched >= 4, "only \(untouched) of 8 runs were killed before their commit")
  }
}
