import Foundation
import NumPyIO
import TensorCore
import Testing

/// Results computed in row chunks (`--batch-size`) and streamed to their files equal the
/// results of one whole-batch chunk, byte for byte; budgets and progress behave as documented.
@Suite struct Streaming {
  func run(_ args: [String]) throws {
    let r = try CLI.run(args)
    #expect(r.status == 0, "\(args): \(r.stderr)")
  }

  func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

  /// 200 rows of `features` uniform values in [-1, 1], as float32.
  static func rows(_ features: Int, seed: UInt64, in dir: URL, name: String) throws -> String {
    var state = seed
    let values = (0..<(200 * features)).map { _ -> Float in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }
    let path = dir.appendingPathComponent(name).path
    try NPY.write(Tensor(uncheckedShape: [200, features], storage: .float32(values)), to: path)
    return path
  }

  /// Every array of the file (or archive) at `a` equals the one at `b` to a few float32 ulps
  /// (chunks of other sizes may pick other GEMM kernels).
  func expectClose(_ a: String, _ b: String) throws {
    let read = { (p: String) throws -> [Tensor] in p.hasSuffix(".npz") ? try NPZ.read(p).map(\.tensor) : [try NPY.read(p)] }
    let (x, y) = (try read(a), try read(b))
    #expect(x.count == y.count)
    for (s, t) in zip(x, y) { #expect(toleranceRatio(s, t, rtol: 1e-5, atol: 1e-6) <= 1, "\(a) vs \(b)") }
  }

  @Test func chunkedOutputsEqualWholeBatchOutputs() throws {
    let dir = try temporaryDirectory()
    func out(_ name: String) -> String { dir.appendingPathComponent(name).path }
    let points = try Self.rows(2, seed: 1, in: dir, name: "points.npy")
    let seed = try Self.rows(2, seed: 2, in: dir, name: "seed.npy")
    let x = try Self.rows(1, seed: 3, in: dir, name: "x.npy")
    let t = try Self.rows(1, seed: 4, in: dir, name: "t.npy")
    let pinn = Fixtures.path("pinn_tanh", "model_legacy.onnx")
    let commands: [(name: String, args: [String])] = [
      ("run.npz", ["run", generator, "--input", points]),
      ("jac.npz", ["jacobian", generator, "--input", points]),
      ("jac.npy", ["jacobian", generator, "--input", points, "--mode", "reverse"]),
      ("grad.npy", ["grad", generator, "--input", points, "--of", "uv", "--wrt", "coords", "--seed", seed]),
      ("hess.npy", ["hessian", generator, "--input", points, "--of", "uv:1"]),
      ("lap.npy", ["laplacian", pinn, "--input", "x=\(x)", "--input", "t=\(t)", "--of", "u", "--wrt", "x,t"]),
      ("terms.npz", ["derivatives", pinn, "--input", "x=\(x)", "--input", "t=\(t)", "--of", "u", "--wrt", "x,t", "--terms", "x,t,xx,xxt"]),
    ]
    for c in commands {
      try run(c.args + ["--out", out("whole-" + c.name)])
      try run(c.args + ["--out", out("chunked-" + c.name), "--batch-size", "64"])
      try expectClose(out("whole-" + c.name), out("chunked-" + c.name))
    }
    // The same points as stored and as deflated .npz members, read by rows from the archive.
    for compressed in [false, true] {
      let archive = out("inputs-\(compressed).npz")
      try NPZ.write([(name: "coords", tensor: try NPY.read(points))], to: archive, compressed: compressed)
      try run(["jacobian", generator, "--input", archive, "--out", out("from-npz-\(compressed).npz"), "--batch-size", "64"])
      #expect(try bytes(out("from-npz-\(compressed).npz")) == bytes(out("chunked-jac.npz")))
    }
    let directory = out("dir")
    try run(["jacobian", generator, "--input", points, "--out", directory, "--batch-size", "3"])
    for m in try NPZ.read(out("whole-jac.npz")) {
      #expect(toleranceRatio(try NPY.read(directory + "/\(m.name).npy"), m.tensor, rtol: 1e-5, atol: 1e-6) <= 1)
    }
  }

  @Test func aChunkPastTheMemoryBudgetIsRefusedWithTheWayOut() throws {
    let dir = try temporaryDirectory()
    let points = try Self.rows(2, seed: 1, in: dir, name: "points.npy")
    let out = dir.appendingPathComponent("j.npy").path
    let r = try CLI.run(["jacobian", generator, "--input", points, "--out", out, "--max-memory", "1K", "--batch-size", "100"])
    #expect(r.status == 1)
    #expect(
      r.stderr.contains("(100 rows) need 1.6 KiB of memory, more than --max-memory 1.0 KiB; lower --batch-size (about 64 rows fit)"),
      "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out))
    let bad = try CLI.run(["run", generator, "--input", points, "--out", dir.path, "--max-memory", "lots"])
    #expect(bad.stderr.contains("--max-memory 'lots' is not a size"), "\(bad.stderr)")
    let zero = try CLI.run(["run", generator, "--input", points, "--out", dir.path, "--batch-size", "0"])
    #expect(zero.stderr.contains("--batch-size must be at least 1, got 0"), "\(zero.stderr)")
  }

  /// The bar is drawn on a real pseudo-terminal, redrawn in place with rows, rate and ETA;
  /// `--quiet` silences it and a pipe never gets it; nothing is shown before the delay. The runs
  /// take about a second here, so `ONNXGRAD_PROGRESS_AFTER` sets the delay to 0 or an hour.
  @Test func progressIsDrawnOnATerminal() throws {
    let dir = try temporaryDirectory()
    let input = try Interruption.points(in: dir)
    /// What the run shows on its terminal: `script` (util-linux) gives it a pseudo-terminal as
    /// stdin, stdout and stderr and copies everything written there to its own stdout.
    func stderrOnTerminal(_ extra: [String], after delay: String = "0") throws -> String {
      let out = dir.appendingPathComponent("j.npy").path
      let command = "ONNXGRAD_PROGRESS_AFTER=\(delay) " + ([CLI.binary.path, "jacobian", generator, "--input", input, "--out", out, "--batch-size", "20000"] + extra)
        .map { "'\($0)'" }.joined(separator: " ")
      let p = Process()
      p.executableURL = URL(fileURLWithPath: "/usr/bin/script")
      p.arguments = ["-q", "-e", "-c", command + " > /dev/null", "/dev/null"]
      let pipe = Pipe()
      p.standardOutput = pipe
      p.standardError = FileHandle.nullDevice
      try p.run()
      let seen = pipe.fileHandleForReading.readDataToEndOfFile()
      p.waitUntilExit()
      #expect(p.terminationStatus == 0)
      return String(decoding: seen, as: UTF8.self)
    }
    let shown = try stderrOnTerminal([])
    #expect(shown.contains("rows/s"), "\(shown)")
    #expect(shown.contains("/ 400,000 rows"), "\(shown)")
    #expect(shown.contains("ETA"))
    #expect(shown.contains("\r"))
    #expect(try stderrOnTerminal(["--quiet"]).isEmpty)
    #expect(try stderrOnTerminal([], after: "3600").isEmpty)
    let now = ["ONNXGRAD_PROGRESS_AFTER": "0"]
    let piped = try CLI.run(
      ["jacobian", generator, "--input", input, "--out", dir.appendingPathComponent("k.npy").path, "--batch-size", "20000"],
      environment: now)
    #expect(!piped.stderr.contains("rows/s"))
    let logged = try CLI.run(
      ["jacobian", generator, "--input", input, "--out", dir.appendingPathComponent("l.npy").path, "--batch-size", "20000", "--progress"],
      environment: now)
    #expect(logged.stderr.contains("/ 400,000 rows"), "\(logged.stderr)")
    #expect(!logged.stderr.contains("\r"))
  }
}

/// `--check-finite`: the first NaN or infinity stops the run, naming the row, the result and the
/// node behind it; nothing is written.
@Suite struct CheckFinite {
  @Test func namesTheRowTheResultAndTheNode() throws {
    let dir = try temporaryDirectory()
    let model = Fixtures.path("onnx_ops/log", "model.onnx")
    let x = dir.appendingPathComponent("x.npy").path
    var values = [Float](repeating: 1.5, count: 5 * 4)
    values[3 * 4 + 2] = -1
    try NPY.write(Tensor(uncheckedShape: [5, 4], storage: .float32(values)), to: x)
    let out = dir.appendingPathComponent("out").path
    let r = try CLI.run(["run", model, "--input", x, "--out", out, "--check-finite", "--batch-size", "2"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("--check-finite: 'y' holds nan at row 3, element [3, 2]"), "\(r.stderr)")
    #expect(r.stderr.contains("node 'op' (Log) is the first to produce a non-finite value"), "\(r.stderr)")
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["x.npy"], "a temporary file was left")
    // Without the flag the NaN is written, as PyTorch computes it.
    #expect(try CLI.run(["run", model, "--input", x, "--out", out]).status == 0)
    #expect(try NPY.read(out + "/y.npy").doubles[3 * 4 + 2].isNaN)
  }

  @Test func aNonFiniteInputIsNamed() throws {
    let dir = try temporaryDirectory()
    let x = dir.appendingPathComponent("x.npy").path
    try NPY.write(Tensor(uncheckedShape: [3, 2], storage: .float32([0.1, 0.2, .infinity, 0.4, 0.5, 0.6])), to: x)
    let r = try CLI.run(["jacobian", generator, "--input", x, "--out", dir.appendingPathComponent("j.npy").path, "--check-finite"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("at row 1"), "\(r.stderr)")
    #expect(r.stderr.contains("the input 'coords' itself holds inf on that row"), "\(r.stderr)")
  }

  @Test func aNonFiniteDerivativeOfAFiniteFunctionIsSaidToComeFromADerivative() throws {
    let dir = try temporaryDirectory()
    let model = Fixtures.path("onnx_ops/sqrt", "model.onnx")
    let x = dir.appendingPathComponent("x.npy").path
    try NPY.write(Tensor(uncheckedShape: [2, 4], storage: .float32([1, 2, 3, 4, 0, 1, 1, 1])), to: x)
    let r = try CLI.run(["jacobian", model, "--input", x, "--out", dir.appendingPathComponent("j.npy").path, "--check-finite"])
    #expect(r.status == 1)
    #expect(r.stderr.contains("holds inf at row 1, element [1, 0, 0]"), "\(r.stderr)")
    #expect(r.stderr.contains("every value of the model is finite on that row, so it comes from a derivative"), "\(r.stderr)")
  }
}
