import Foundation
import NumPyIO
import TensorCore
import Testing

/// Runs the built `onnxgrad` binary (a sibling of the test bundle) and captures what it prints.
struct CLI {
  static let binary: URL = {
    let here = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for dir in [here, here.deletingLastPathComponent(), here.deletingLastPathComponent().deletingLastPathComponent()] {
      let candidate = dir.appendingPathComponent("onnxgrad")
      if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
    }
    return Fixtures.repoRoot.appendingPathComponent(".build/debug/onnxgrad")
  }()

  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  /// Runs the binary with `args`, in `directory` when given (relative paths resolve there), with
  /// `environment` added to this process's.
  static func run(_ args: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Result {
    let p = Process()
    p.executableURL = binary
    p.arguments = args
    if let directory { p.currentDirectoryURL = directory }
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let out = Pipe()
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
  }
}

func temporaryDirectory() throws -> URL {
  let dir = FileManager.default.temporaryDirectory.appendingPathComponent("onnxgrad-tests-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
  return dir
}

let generator = Fixtures.path("generator", "model_legacy.onnx")
let generatorDynamo = Fixtures.path("generator", "model_dynamo.onnx")
let coords = Fixtures.path("generator", "input_coords.npy")

@Suite struct CommandLineRoundTrip {
  @Test func jacobianToNpzHoldsOutputsAndJacobian() throws {
    let dir = try temporaryDirectory()
    let out = dir.appendingPathComponent("j.npz").path
    let r = try CLI.run(["jacobian", generatorDynamo, "--input", coords, "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    let members = try NPZ.read(out)
    #expect(members.map(\.name).sorted() == ["duv_dcoords", "uv"])
    let jac = try #require(members.first { $0.name == "duv_dcoords" }?.tensor)
    let ref = try Fixtures.array("generator", "ref_jacobian_uv_wrt_coords.npy")
    #expect(toleranceRatio(jac, ref, rtol: 2e-5, atol: 1e-6) <= 1)
    let uv = try #require(members.first { $0.name == "uv" }?.tensor)
    #expect(toleranceRatio(uv, try Fixtures.array("generator", "ref_output_uv.npy"), rtol: 2e-5, atol: 1e-6) <= 1)
  }

  @Test func gradOfComponentWithSeed() throws {
    let dir = try temporaryDirectory()
    let out = dir.appendingPathComponent("du.npy").path
    let r = try CLI.run(["grad", generator, "--input", "coords=\(coords)", "--of", "uv:1", "--wrt", "coords", "--out", out])
    #expect(r.status == 0, "\(r.stderr)")
    let ref = try Fixtures.array("generator", "ref_grad_uv_1_wrt_coords_ones.npy")
    #expect(toleranceRatio(try NPY.read(out), ref, rtol: 2e-5, atol: 1e-6) <= 1)
    let seeded = dir.appendingPathComponent("seeded.npy").path
    let s = try CLI.run([
      "grad", generator, "--input", coords, "--of", "uv", "--wrt", "coords", "--seed",
      Fixtures.path("generator", "seed_uv.npy"), "--out", seeded,
    ])
    #expect(s.status == 0, "\(s.stderr)")
    let seededRef = try Fixtures.array("generator", "ref_grad_uv_wrt_coords_seed.npy")
    #expect(toleranceRatio(try NPY.read(seeded), seededRef, rtol: 2e-5, atol: 1e-6) <= 1)
  }

  @Test func runWritesOneFilePerOutput() throws {
    let dir = try temporaryDirectory().appendingPathComponent("outs")
    let r = try CLI.run(["run", Fixtures.path("two_outputs", "model_dynamo.onnx"), "--input", Fixtures.path("two_outputs", "input_x.npy"), "--out", dir.path])
    #expect(r.status == 0, "\(r.stderr)")
    for name in ["a", "b"] {
      let got = try NPY.read(dir.appendingPathComponent("\(name).npy").path)
      #expect(toleranceRatio(got, try Fixtures.array("two_outputs", "ref_output_\(name).npy"), rtol: 2e-5, atol: 1e-6) <= 1)
    }
  }

  @Test func infoJSONNamesInputsOutputsAndOps() throws {
    let r = try CLI.run(["info", generatorDynamo, "--json"])
    #expect(r.status == 0)
    let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    #expect(json["opset"] as? Int == 20)
    #expect((json["opHistogram"] as? [String: Int]) == ["Gemm": 4, "LeakyRelu": 3, "Tanh": 1])
    #expect(json["parameterCount"] as? Int == 2 * 100 + 100 + 2 * (100 * 100 + 100) + 100 * 2 + 2)
  }
}

/// Bad input: `error: …` on stderr naming the problem, exit status 1, no output file.
@Suite struct CommandLineErrors {
  func expectFailure(_ args: [String], out: String, mentions: [String]) throws {
    let r = try CLI.run(args)
    #expect(r.status == 1, "exit status \(r.status); stderr: \(r.stderr)")
    #expect(r.stderr.hasPrefix("error:"), "stderr: \(r.stderr)")
    for m in mentions { #expect(r.stderr.contains(m), "stderr should mention '\(m)': \(r.stderr)") }
    #expect(!FileManager.default.fileExists(atPath: out), "\(out) was left behind")
  }

  /// batchmix with its ReduceMean renamed in place (same length, so the protobuf stays valid) to
  /// an op nothing implements.
  @Test func unknownOpNamesOpDomainOpsetAndNode() throws {
    let dir = try temporaryDirectory()
    let model = dir.appendingPathComponent("unknown_op.onnx")
    let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("batchmix", "model_legacy.onnx")))
    try Data(bytes.replacing(Data("ReduceMean".utf8), with: Data("NoSuchOp42".utf8))).write(to: model)
    let out = dir.appendingPathComponent("x.npy").path
    try expectFailure(
      ["jacobian", model.path, "--input", Fixtures.path("batchmix", "input_x.npy"), "--out", out],
      out: out, mentions: ["NoSuchOp42", "ai.onnx", "opset 20", "node '"])
  }

  /// `info` lists every unsupported op (name, domain, opset, node) and succeeds; running the
  /// model fails naming all of them at once.
  @Test func unsupportedOpsAreListedByInfoAndAllNamedByRun() throws {
    let dir = try temporaryDirectory()
    let model = dir.appendingPathComponent("two_unknown_ops.json")
    let json = try String(contentsOfFile: Fixtures.path("tanh_sigmoid", "model_legacy.json"), encoding: .utf8)
    try json.replacingOccurrences(of: "\"opType\": \"Tanh\"", with: "\"opType\": \"Tanhh\"")
      .replacingOccurrences(of: "\"opType\": \"Sigmoid\"", with: "\"opType\": \"Swish\", \"domain\": \"com.example\"")
      .write(to: model, atomically: true, encoding: .utf8)
    let info = try CLI.run(["info", model.path])
    #expect(info.status == 0, "\(info.stderr)")
    #expect(info.stdout.contains("Tanhh (domain ai.onnx, opset 20) × 1"), "\(info.stdout)")
    #expect(info.stdout.contains("Swish (domain com.example, opset 0) × 1"), "\(info.stdout)")
    let out = dir.appendingPathComponent("y").path
    try expectFailure(
      ["run", model.path, "--input", Fixtures.path("tanh_sigmoid", "input_x.npy"), "--out", out],
      out: out, mentions: ["2 ops onnxgrad does not support", "'Tanhh'", "'Swish' (domain 'com.example'"])
  }

  @Test func unknownCommandIsNamed() throws {
    let r = try CLI.run(["frobnicate", generator])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("error: 'frobnicate' is not an onnxgrad command"), "\(r.stderr)")
  }

  /// Inputs from a deflated `.npz` (`np.savez_compressed`) give what the same `.npy` gives.
  @Test func deflatedNpzInputsMatchNpyInputs() throws {
    let dir = try temporaryDirectory()
    let archive = dir.appendingPathComponent("inputs.npz").path
    try NPZ.write([("coords", try NPY.read(coords))], to: archive, compressed: true)
    let fromNpz = dir.appendingPathComponent("a.npy").path
    let fromNpy = dir.appendingPathComponent("b.npy").path
    #expect(try CLI.run(["jacobian", generator, "--input", archive, "--out", fromNpz]).status == 0)
    #expect(try CLI.run(["jacobian", generator, "--input", coords, "--out", fromNpy]).status == 0)
    #expect(try NPY.read(fromNpz) == NPY.read(fromNpy))
  }

  /// `x - x.mean(dim=0)` mixes rows: per-sample Jacobians are refused, naming the node and `--full`.
  @Test func rowMixingModelRefusesPerSampleJacobians() throws {
    let out = try temporaryDirectory().appendingPathComponent("x.npy").path
    try expectFailure(
      ["jacobian", Fixtures.path("batchmix", "model_legacy.onnx"), "--input", Fixtures.path("batchmix", "input_x.npy"), "--out", out],
      out: out, mentions: ["ReduceMean", "mixes", "--full"])
  }

  /// `--wrt x,t` writes `du_dx_t` whose last axis is the x features followed by the t feature,
  /// each block equal to the PyTorch per-input Jacobian.
  @Test func jacobianWithRespectToTwoInputs() throws {
    let dir = try temporaryDirectory()
    let out = dir.appendingPathComponent("j.npz").path
    let r = try CLI.run([
      "jacobian", Fixtures.path("pinn_tanh", "model_legacy.onnx"), "--input", "x=\(Fixtures.path("pinn_tanh", "input_x.npy"))",
      "--input", "t=\(Fixtures.path("pinn_tanh", "input_t.npy"))", "--wrt", "x,t", "--out", out,
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let jac = try #require(try NPZ.read(out).first { $0.name == "du_dx_t" }?.tensor)
    let dx = try Fixtures.array("pinn_tanh", "ref_jacobian_u_wrt_x.npy")
    let dt = try Fixtures.array("pinn_tanh", "ref_jacobian_u_wrt_t.npy")
    let batch = dx.shape[0]
    let nx = dx.count / batch
    let nt = dt.count / batch
    #expect(jac.shape.first == batch && jac.count == batch * (nx + nt), "\(jac.shape)")
    var rows: [Double] = []
    for b in 0..<batch { rows += dx.doubles[(b * nx)..<((b + 1) * nx)] + dt.doubles[(b * nt)..<((b + 1) * nt)] }
    let reference = Tensor(uncheckedShape: jac.shape, storage: .float64(rows))
    #expect(toleranceRatio(jac, reference, rtol: 1e-4, atol: 1e-6) <= 1)
  }

  @Test func wrtListNamingAnInputTwiceIsRefused() throws {
    let out = try temporaryDirectory().appendingPathComponent("x.npy").path
    try expectFailure(
      ["jacobian", Fixtures.path("pinn_tanh", "model_legacy.onnx"), "--input", "x=\(Fixtures.path("pinn_tanh", "input_x.npy"))",
       "--input", "t=\(Fixtures.path("pinn_tanh", "input_t.npy"))", "--wrt", "x,x", "--out", out],
      out: out, mentions: ["--wrt", "twice"])
  }

  @Test func unknownInputNameListsValidNames() throws {
    let out = try temporaryDirectory().appendingPathComponent("x.npy").path
    try expectFailure(
      ["grad", generator, "--input", "coords=\(coords)", "--of", "uv", "--wrt", "cords", "--out", out],
      out: out, mentions: ["'cords'", "'coords'"])
  }

  @Test func unknownOutputNameListsValidNames() throws {
    let out = try temporaryDirectory().appendingPathComponent("x.npz").path
    try expectFailure(["jacobian", generator, "--input", coords, "--of", "vu", "--out", out], out: out, mentions: ["'vu'", "'uv'"])
  }

  @Test func componentOutOfRange() throws {
    let out = try temporaryDirectory().appendingPathComponent("x.npy").path
    try expectFailure(
      ["grad", generator, "--input", coords, "--of", "uv:2", "--wrt", "coords", "--out", out], out: out,
      mentions: ["component 2", "size 2"])
  }

  @Test func shapeMismatchSaysExpectedAndGot() throws {
    let dir = try temporaryDirectory()
    let bad = dir.appendingPathComponent("bad.npy").path
    try NPY.write(Tensor.filled(0.5, shape: [4, 3], dtype: .float32), to: bad)
    let out = dir.appendingPathComponent("out.npy").path
    try expectFailure(["jacobian", generator, "--input", bad, "--out", out], out: out, mentions: ["coords", "[4, 3]", "2"])
  }

  @Test func seedOfWrongShape() throws {
    let dir = try temporaryDirectory()
    let seed = dir.appendingPathComponent("seed.npy").path
    try NPY.write(Tensor.filled(1, shape: [7, 2], dtype: .float32), to: seed)
    let out = dir.appendingPathComponent("out.npy").path
    try expectFailure(
      ["grad", generator, "--input", coords, "--of", "uv:0", "--wrt", "coords", "--seed", seed, "--out", out], out: out,
      mentions: ["[7]", "[7, 2]"])
  }

  @Test func missingExternalDataNamesTheFile() throws {
    let dir = try temporaryDirectory()
    let model = dir.appendingPathComponent("model_dynamo.onnx").path
    try FileManager.default.copyItem(atPath: generatorDynamo, toPath: model)
    let out = dir.appendingPathComponent("out.npy").path
    try expectFailure(["jacobian", model, "--input", coords, "--out", out], out: out, mentions: ["model_dynamo.onnx.data"])
    // info reads no external weights: it describes the model without its .onnx.data.
    let info = try CLI.run(["info", model])
    #expect(info.status == 0, "\(info.stderr)")
    #expect(info.stdout.contains("coords"))
  }

  @Test func truncatedExternalDataNamesTheFile() throws {
    let dir = try temporaryDirectory()
    let model = dir.appendingPathComponent("model_dynamo.onnx").path
    try FileManager.default.copyItem(atPath: generatorDynamo, toPath: model)
    let data = try Data(contentsOf: URL(fileURLWithPath: generatorDynamo + ".data"))
    try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: model + ".data"))
    let out = dir.appendingPathComponent("out.npy").path
    try expectFailure(["jacobian", model, "--input", coords, "--out", out], out: out, mentions: ["model_dynamo.onnx.data", "truncated"])
  }

  @Test func unreadableModelSaysWhy() throws {
    let dir = try temporaryDirectory()
    let model = dir.appendingPathComponent("garbage.onnx").path
    try Data("this is not a model".utf8).write(to: URL(fileURLWithPath: model))
    let out = dir.appendingPathComponent("out.npy").path
    try expectFailure(["jacobian", model, "--input", coords, "--out", out], out: out, mentions: ["garbage.onnx"])
    try expectFailure(["info", dir.appendingPathComponent("missing.onnx").path], out: out, mentions: ["missing.onnx"])
  }

  @Test func badNpyInputSaysWhy() throws {
    let dir = try temporaryDirectory()
    let bad = dir.appendingPathComponent("bad.npy").path
    try Data("\u{93}NUMPY garbage".utf8).write(to: URL(fileURLWithPath: bad))
    let out = dir.appendingPathComponent("out.npy").path
    try expectFailure(["jacobian", generator, "--input", bad, "--out", out], out: out, mentions: ["bad.npy"])
  }

  @Test func integerInputIsRefused() throws {
    let dir = try temporaryDirectory()
    let ints = dir.appendingPathComponent("ints.npy").path
    try NPY.write(Tensor(uncheckedShape: [3, 2], storage: .int64([1, 2, 3, 4, 5, 6])), to: ints)
    let out = dir.appendingPathComponent("out.npy").path
    try expectFailure(["jacobian", generator, "--input", ints, "--out", out], out: out, mentions: ["coords", "astype"])
  }
}

@Suite struct BenchCommandOutput {
  @Test(arguments: ["run", "grad", "jacobian"])
  func jsonHasTheDocumentedKeys(_ what: String) throws {
    var args = ["bench", generator, "--input", coords, "--what", what, "--repeat", "5", "--json"]
    if what == "grad" { args += ["--of", "uv:0"] }
    let r = try CLI.run(args)
    #expect(r.status == 0, "\(r.stderr)")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    for key in ["median_us", "min_us", "samples_per_s", "compile_ms"] {
      let v = try #require(json[key] as? Double, "\(key) missing")
      #expect(v > 0 && v.isFinite, "\(key) = \(v)")
    }
    #expect(json["what"] as? String == what)
    #expect(json["batch"] as? Int == 7)
    #expect(json["repeat"] as? Int == 5)
    let median = try #require(json["median_us"] as? Double)
    let minimum = try #require(json["min_us"] as? Double)
    #expect(minimum <= median)
  }
}

/// Inputs from the robustness review: each gives `error: …`, exit 1, and leaves nothing behind.
@Suite struct HostileInputs {
  func expectFailure(_ args: [String], mentions: [String]) throws {
    let r = try CLI.run(args)
    #expect(r.status == 1, "exit status \(r.status); stderr: \(r.stderr)")
    #expect(r.stderr.hasPrefix("error:"), "stderr: \(r.stderr)")
    for m in mentions { #expect(r.stderr.contains(m), "stderr should mention '\(m)': \(r.stderr)") }
  }

  /// A hand-written .npy header: `shape` as Python text, f4 data of `dataBytes` bytes.
  func npy(_ shape: String, dataBytes: Int = 0) -> Data {
    var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }"
    while (10 + header.utf8.count + 1) % 64 != 0 { header += " " }
    header += "\n"
    var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]
    bytes += Array(header.utf8) + [UInt8](repeating: 0, count: dataBytes)
    return Data(bytes)
  }

  @Test func shapesWhoseSizeOverflowAreRefused() throws {
    let dir = try temporaryDirectory()
    let path = dir.appendingPathComponent("huge.npy")
    try npy("(0, 4294967296, 4294967296)").write(to: path)
    for command in [["jacobian"], ["jacobian", "--full"], ["run"]] {
      let out = dir.appendingPathComponent("o\(command.count).npz").path
      try expectFailure(command + [generator, "--input", path.path, "--out", out], mentions: ["huge.npy"])
      #expect(!FileManager.default.fileExists(atPath: out))
    }
  }

  @Test func devicesAndFIFOsAreNotRead() throws {
    let dir = try temporaryDirectory()
    let fifo = dir.appendingPathComponent("fifo.npy").path
    #expect(mkfifo(fifo, 0o600) == 0)
    for input in [fifo, "/dev/zero"] {
      try expectFailure(["run", generator, "--input", input, "--out", dir.appendingPathComponent("o.npz").path], mentions: ["not a regular file"])
    }
    try expectFailure(["info", fifo], mentions: ["not a regular file"])
  }

  @Test func failedDirectoryWriteKeepsExistingFiles() throws {
    let dir = try temporaryDirectory()
    let keep = dir.appendingPathComponent("keep")
    try FileManager.default.createDirectory(at: keep.appendingPathComponent("duv_dcoords.npy"), withIntermediateDirectories: true)
    let old = keep.appendingPathComponent("uv.npy")
    try Data("OLD".utf8).write(to: old)
    try expectFailure(["jacobian", generator, "--input", coords, "--out", keep.path], mentions: ["duv_dcoords.npy"])
    #expect(try Data(contentsOf: old) == Data("OLD".utf8))
    let left = try FileManager.default.contentsOfDirectory(atPath: keep.path).sorted()
    #expect(left == ["duv_dcoords.npy", "uv.npy"], "left behind: \(left)")
  }

  /// A run that fails before writing creates no output directory (the rollback of a write that
  /// fails part-way is tested in NumPyIOTests.DirectoryWriteTests).
  @Test func failedRunCreatesNoDirectory() throws {
    let dir = try temporaryDirectory()
    let out = dir.appendingPathComponent("new/sub").path
    let bad = dir.appendingPathComponent("bad.npy")
    try npy("(7, 3)", dataBytes: 84).write(to: bad)
    try expectFailure(["run", generator, "--input", bad.path, "--out", out], mentions: ["coords"])
    #expect(!FileManager.default.fileExists(atPath: out))
  }

  @Test func inputGivenTwiceThroughNpzIsRefused() throws {
    let dir = try temporaryDirectory()
    let npz = dir.appendingPathComponent("in.npz").path
    try NPZ.write([(name: "coords", tensor: try NPY.read(coords))], to: npz)
    try expectFailure(
      ["run", generator, "--input", "coords=\(coords)", "--input", npz, "--out", dir.appendingPathComponent("o.npz").path],
      mentions: ["given twice"])
  }
}
