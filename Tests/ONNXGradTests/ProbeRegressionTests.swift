import Foundation
import NumPyIO
import TensorCore
import Testing

/// Findings of the independent probe in issue 9, each run through the real binary.
@Suite struct ProbeRegressions {
  func expectFailure(_ args: [String], mentions: [String]) throws -> CLI.Result {
    let r = try CLI.run(args)
    #expect(r.status == 1, "exit status \(r.status); stderr: \(r.stderr)")
    #expect(r.stderr.hasPrefix("error:"), "stderr: \(r.stderr)")
    for m in mentions { #expect(r.stderr.contains(m), "stderr should mention '\(m)': \(r.stderr)") }
    return r
  }

  @Test func modelsBehindRelativeLinksLoad() throws {
    let dir = try temporaryDirectory()
    let folder = dir.appendingPathComponent("snapshots/main")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: generator, toPath: dir.appendingPathComponent("blob").path)
    // snapshots/main/model.onnx → ../../blob, as model caches lay them out; the input is a link too.
    try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("model.onnx").path, withDestinationPath: "../../blob")
    try FileManager.default.createSymbolicLink(atPath: dir.appendingPathComponent("x.npy").path, withDestinationPath: coords)
    let info = try CLI.run(["info", "snapshots/main/model.onnx"], in: dir)
    #expect(info.status == 0, "\(info.stderr)")
    let r = try CLI.run(["run", "snapshots/main/model.onnx", "--input", "x.npy", "--out", "linked.npz"], in: dir)
    #expect(r.status == 0, "\(r.stderr)")
    let direct = dir.appendingPathComponent("direct.npz").path
    #expect(try CLI.run(["run", generator, "--input", coords, "--out", direct]).status == 0)
    #expect(try NPZ.read(dir.appendingPathComponent("linked.npz").path).map(\.tensor) == NPZ.read(direct).map(\.tensor))
  }

  @Test func anOutputThatIsAnInputIsRefused() throws {
    let dir = try temporaryDirectory()
    let input = dir.appendingPathComponent("x.npy").path
    try FileManager.default.copyItem(atPath: coords, toPath: input)
    let link = dir.appendingPathComponent("link.npy").path
    try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: input)
    let before = try Data(contentsOf: URL(fileURLWithPath: input))
    _ = try expectFailure(
      ["jacobian", generator, "--input", link, "--out", input], mentions: ["would overwrite '\(input)'", "reads as '\(link)'"])
    try FileManager.default.moveItem(atPath: input, toPath: dir.appendingPathComponent("uv.npy").path)
    _ = try expectFailure(
      ["run", generator, "--input", dir.appendingPathComponent("uv.npy").path, "--out", dir.path], mentions: ["would overwrite"])
    #expect(try Data(contentsOf: URL(fileURLWithPath: dir.appendingPathComponent("uv.npy").path)) == before)
    #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() == ["link.npy", "uv.npy"])
  }

  @Test func aFailingStandardOutputIsAnError() throws {
    let p = Process()
    p.executableURL = CLI.binary
    p.arguments = ["info", generator]
    p.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
    let err = Pipe()
    p.standardError = err
    try p.run()
    let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    #expect(p.terminationStatus == 1)
    #expect(e.contains("error: cannot write to standard output: No space left on device"), "\(e)")
  }

  @Test func aSignedComponentIsNotAComponent() throws {
    for selector in ["uv:+1", "uv:-1", "uv:"] {
      _ = try expectFailure(
        ["grad", generator, "--input", coords, "--of", selector, "--wrt", "coords", "--out", "/tmp/never.npy"],
        mentions: ["'\(selector)'", "K a whole number"])
    }
  }

  @Test func argumentErrorsWhileRunningShowTheSubcommandsUsage() throws {
    let r = try expectFailure(
      ["jacobian", generator, "--input", coords, "--mode", "sideways", "--out", "/tmp/never.npy"],
      mentions: ["--mode must be auto, forward or reverse, got 'sideways'", "Usage: onnxgrad jacobian ", "onnxgrad jacobian --help"])
    #expect(!r.stderr.contains("onnxgrad <subcommand>"))
  }
}
