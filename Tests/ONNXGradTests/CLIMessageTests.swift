import Foundation
import NumPyIO
import TensorCore
import Testing

/// Every message the command line gives for arguments that do not fit the model, each produced
/// by one run with exactly that mistake and compared in full on stderr (with exit status 1).
@Suite struct CLIMessages {
  static let pinn = Fixtures.path("pinn_tanh", "model_legacy.onnx")
  static let x = Fixtures.path("pinn_tanh", "input_x.npy")
  static let t = Fixtures.path("pinn_tanh", "input_t.npy")
  /// A model with two outputs, `y0` and `y1`.
  static let split = Fixtures.path("onnx_ops/split_opset18_batch_axis", "model.onnx")
  static let splitInput = Fixtures.path("onnx_ops/split_opset18_batch_axis", "input_x.npy")

  /// Each case: the arguments (`OUT` stands for a fresh path in a temporary folder, `NPZ` for an
  /// archive there holding one array named `q`) and the complete error line.
  static let cases: [(args: [String], message: String)] = [
    (["run", generator, "--out", "OUT"], "error: no --input given; the model's inputs are: coords"),
    (
      ["run", pinn, "--input", x, "--out", "OUT"],
      "error: --input \(x) names no input, but the model has 2 inputs (x, t); use NAME=PATH"
    ),
    (
      ["run", generator, "--input", "NPZ", "--out", "OUT"],
      "error: NPZ: member 'q' is not an input; the model's inputs are: coords"
    ),
    (
      ["bench", generator, "--input", "NPZ", "--repeat", "1"],
      "error: NPZ: member 'q' is not an input; the model's inputs are: coords"
    ),
    (
      ["jacobian", pinn, "--input", "x=\(x)", "--input", "t=\(t)", "--out", "OUT"],
      "error: the model has 2 inputs (x, t); choose one with --wrt"
    ),
    (
      ["jacobian", split, "--input", splitInput, "--out", "OUT"],
      "error: the model has 2 outputs (y0, y1); choose one with --of"
    ),
    (
      ["jacobian", pinn, "--input", "x=\(x)", "--input", "t=\(t)", "--wrt", "x,", "--out", "OUT"],
      "error: --wrt 'x,' has an empty input name"
    ),
    (
      ["run", split, "--input", splitInput, "--out", "OUT.npy"],
      "error: --out OUT.npy: run writes every output of the model; give a directory or a .npz file"
    ),
    (
      ["jacobian", pinn, "--input", "x=\(x)", "--input", "t=\(t)", "--wrt", "x,t", "--full", "--out", "OUT"],
      "error: --full takes one input in --wrt, got 2"
    ),
    (
      ["derivatives", generator, "--input", coords, "--of", "uv:0", "--terms", "x", "--out", "OUT.npy"],
      "error: --out OUT.npy: derivatives writes several arrays; give a directory or a .npz file"
    ),
    (
      ["derivatives", generator, "--input", coords, "--of", "uv:0", "--terms", "a", "--names", "a,b,c", "--out", "OUT"],
      "error: --names gives 3 names, but coords have 2 variables (coords_0, coords_1)"
    ),
    (
      ["derivatives", generator, "--input", coords, "--of", "uv:0", "--terms", "a..b", "--names", "a,b", "--out", "OUT"],
      "error: term 'a..b' has an empty variable name between dots"
    ),
    (
      ["derivatives", generator, "--input", coords, "--of", "uv:0", "--terms", ",", "--out", "OUT"],
      "error: a term is empty; give variable names, e.g. 'xx'"
    ),
    (
      ["derivatives", generator, "--input", coords, "--of", "uv:0", "--terms", "coords_0,coords_0", "--out", "OUT"],
      "error: --terms 'coords_0,coords_0' names a term twice"
    ),
    (["bench", generator, "--input", coords, "--what", "derivatives"], "error: --what derivatives needs --terms"),
    (["bench", generator, "--input", coords, "--repeat=-1"], "error: --repeat must be 0…10,000,000, got -1"),
  ]

  @Test(arguments: cases.indices)
  func eachMistakeHasItsMessage(_ index: Int) throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out").path
    let npz = dir.appendingPathComponent("q.npz").path
    try NPZ.write([(name: "q", tensor: Tensor(uncheckedShape: [2, 2], storage: .float32([1, 2, 3, 4])))], to: npz)
    func resolve(_ s: String) -> String { s.replacingOccurrences(of: "OUT", with: out).replacingOccurrences(of: "NPZ", with: npz) }
    let c = Self.cases[index]
    let r = try CLI.run(c.args.map(resolve))
    #expect(r.status == 1, "\(c.args)")
    #expect(r.stderr.split(separator: "\n").first.map(String.init) == resolve(c.message), "\(c.args): \(r.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["q.npz"], "\(c.args) left a file")
  }

  /// `--max-memory` also bounds the working memory of a computation that cannot be split into
  /// row chunks (here the full Jacobian, which mixes rows): refused before it runs.
  @Test func maxMemoryBoundsTheWorkingMemory() throws {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("j.npy").path
    let points = dir.appendingPathComponent("points.npy").path
    try NPY.write(Tensor(uncheckedShape: [100, 2], storage: .float32((0..<200).map { Float($0) / 200 })), to: points)
    let r = try CLI.run(["jacobian", generator, "--input", points, "--full", "--out", out, "--max-memory", "1M"])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("error: running this graph on inputs of shapes [[100, 2], "), "\(r.stderr)")
    #expect(
      r.stderr.hasSuffix(
        "of memory, more than the 1.0 MiB this run may use; give fewer rows (--batch-size) or more memory (--max-memory)\n"),
      "\(r.stderr)")
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["points.npy"])
    #expect(try CLI.run(["jacobian", generator, "--input", points, "--full", "--out", out, "--max-memory", "100M"]).status == 0)
  }

  /// An argument error found while running prints the subcommand's usage under the message.
  @Test func aRunTimeArgumentErrorShowsTheSubcommandsUsage() throws {
    let r = try CLI.run(["jacobian", generator, "--input", coords, "--out", "j.npy", "--mode", "sideways"])
    let lines = r.stderr.split(separator: "\n").map(String.init)
    #expect(r.status == 1)
    #expect(lines.first == "error: --mode must be auto, forward or reverse, got 'sideways'", "\(r.stderr)")
    #expect(lines.dropFirst().first?.hasPrefix("Usage: onnxgrad jacobian [<options>] <model> --out <out>") == true, "\(r.stderr)")
    #expect(lines.last == "  See 'onnxgrad jacobian --help' for more information.", "\(r.stderr)")
  }
}
