import Foundation
import NumPyIO
import ONNXGrad
import TensorCore
import Testing

/// The `hessian`, `laplacian` and `derivatives` commands: files, names, notes and errors.
@Suite struct HigherOrderCommands {
  static let pinn = Fixtures.path("pinn_tanh", "model_dynamo.onnx")
  static let pinnInputs = [
    "--input", "x=\(Fixtures.path("pinn_tanh", "input_x.npy"))", "--input", "t=\(Fixtures.path("pinn_tanh", "input_t.npy"))",
  ]

  static func partialsReference(_ caseName: String, _ label: String) throws -> (terms: [[Int]], columns: [[Double]]) {
    let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(caseName, "higher_order.json")))
    let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    let outputs = try #require(json["outputs"] as? [[String: Any]])
    let spec = try #require(outputs.compactMap { $0["partials"] as? [String: Any] }.first { $0["label"] as? String == label })
    let terms = try #require(spec["terms"] as? [[Int]])
    let ref = try Fixtures.array(caseName, try #require(spec["file"] as? String))
    let batch = ref.shape[0]
    return (terms, terms.indices.map { j in (0..<batch).map { ref.doubles[$0 * terms.count + j] } })
  }

  /// The issue's example: `--terms x,t,xx,xt,tt,xxxx` writes u.npy and one file per term, equal
  /// to nested autograd.grad.
  @Test func derivativesWritesTheValueAndEveryTerm() throws {
    let dir = try temporaryDirectory().appendingPathComponent("terms")
    let r = try CLI.run(["derivatives", Self.pinn] + Self.pinnInputs + ["--of", "u", "--wrt", "x,t", "--terms", "x,t,xx,xt,tt,xxxx", "--out", dir.path])
    #expect(r.status == 0, "\(r.stderr)")
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    #expect(files == ["u.npy", "u_t.npy", "u_tt.npy", "u_x.npy", "u_xt.npy", "u_xx.npy", "u_xxxx.npy"])
    let ref = try Self.partialsReference("pinn_tanh", "u")
    for (name, partial) in [("x", [0]), ("t", [1]), ("xx", [0, 0]), ("xt", [0, 1]), ("tt", [1, 1]), ("xxxx", [0, 0, 0, 0])] {
      let got = try NPY.read(dir.appendingPathComponent("u_\(name).npy").path)
      let column = try #require(ref.terms.firstIndex(of: partial))
      let want = Tensor(uncheckedShape: [ref.columns[column].count], storage: .float64(ref.columns[column]))
      let scale = ref.terms.indices.filter { ref.terms[$0].count == partial.count }.flatMap { ref.columns[$0] }.map(abs).max() ?? 0
      let (rtol, atol) = partial.count <= 2 ? (3e-4, 3e-5 * scale) : (1e-3, 1e-4 * scale)
      #expect(got.shape == want.shape && toleranceRatio(got, want, rtol: rtol, atol: atol) <= 1, "u_\(name)")
    }
    let u = try NPY.read(dir.appendingPathComponent("u.npy").path)
    #expect(u.shape == [7])
  }

  /// Multi-character names joined with dots, a component label (`uv:0` → `uv0_…`), to a .npz.
  @Test func componentLabelsAndDottedTerms() throws {
    let out = try temporaryDirectory().appendingPathComponent("d.npz").path
    let r = try CLI.run([
      "derivatives", generator, "--input", coords, "--of", "uv:0", "--terms", "coords_0.coords_1,coords_1.coords_1.coords_0", "--out", out,
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let members = try NPZ.read(out)
    #expect(members.map(\.name).sorted() == ["uv0", "uv0_coords_0.coords_1", "uv0_coords_1.coords_1.coords_0"])
    let ref = try Self.partialsReference("generator", "uv0")
    let mixed = try #require(members.first { $0.name == "uv0_coords_0.coords_1" }?.tensor)
    let column = try #require(ref.terms.firstIndex(of: [0, 1]))
    let scale = ref.terms.indices.filter { ref.terms[$0].count == 2 }.flatMap { ref.columns[$0] }.map(abs).max() ?? 0
    #expect(toleranceRatio(mixed, Tensor(uncheckedShape: [7], storage: .float64(ref.columns[column])), rtol: 3e-4, atol: 3e-5 * scale) <= 1)
  }

  @Test func namesRenameTheVariables() throws {
    let dir = try temporaryDirectory()
    let both = try CLI.run([
      "derivatives", generator, "--input", coords, "--of", "uv:1", "--names", "x,t", "--terms", "xt,xxt", "--out", dir.path,
    ])
    #expect(both.status == 0, "\(both.stderr)")
    let xt = try NPY.read(dir.appendingPathComponent("uv1_xt.npy").path)
    let viaDefaults = try Model.load(path: generator).derivatives(
      inputs: ["coords": try NPY.read(coords)], of: OutputSelector(name: "uv", component: 1), wrt: ["coords"], partials: [[0, 1], [0, 0, 1]])
    #expect(xt == viaDefaults.partials[0])
  }

  @Test func hessianAndLaplacianFiles() throws {
    let dir = try temporaryDirectory()
    let h = dir.appendingPathComponent("h.npy").path
    let l = dir.appendingPathComponent("l.npy").path
    #expect(try CLI.run(["hessian", Self.pinn] + Self.pinnInputs + ["--of", "u", "--wrt", "x,t", "--out", h]).status == 0)
    #expect(try CLI.run(["laplacian", Self.pinn] + Self.pinnInputs + ["--of", "u", "--wrt", "x,t", "--out", l]).status == 0)
    let hessian = try NPY.read(h)
    let laplacian = try NPY.read(l)
    #expect(hessian.shape == [7, 2, 2] && laplacian.shape == [7])
    let hRef = try Fixtures.array("pinn_tanh", "ref_hessian_u.npy")
    let lRef = try Fixtures.array("pinn_tanh", "ref_laplacian_u.npy")
    let scale = hRef.doubles.map(abs).max() ?? 0
    #expect(toleranceRatio(try hessian.reshaped(hRef.shape), hRef, rtol: 3e-4, atol: 3e-5 * scale) <= 1)
    #expect(toleranceRatio(try laplacian.reshaped(lRef.shape), lRef, rtol: 3e-4, atol: 3e-5 * scale) <= 1)
    let full = dir.appendingPathComponent("huv.npy").path
    #expect(try CLI.run(["hessian", generator, "--input", coords, "--of", "uv", "--out", full]).status == 0)
    #expect(try NPY.read(full).shape == [7, 2, 2, 2])
  }

  /// A ReLU MLP has no second derivatives: exact zeros, and one line on stderr saying so.
  @Test func reluNetSecondDerivativesAreZeroByConstruction() throws {
    let dir = try temporaryDirectory()
    let model = dir.appendingPathComponent("relu.mlp.json")
    try Data("""
      {"format": "onnxgrad-mlp", "version": 1, "inputs": [{"name": "x", "features": 2}],
       "layers": [{"type": "linear", "weight": [[1.0, -2.0], [0.5, 0.25], [-1.5, 1.0]], "bias": [0.1, -0.2, 0.3]},
                  {"type": "relu"}, {"type": "linear", "weight": [[1.0, 2.0, -1.0]]}], "outputs": ["layer2"]}
      """.utf8).write(to: model)
    let x = dir.appendingPathComponent("x.npy").path
    try NPY.write(Tensor(uncheckedShape: [3, 2], storage: .float32([0.3, -0.7, 1.1, 0.4, -0.2, 0.9])), to: x)
    let h = dir.appendingPathComponent("h.npy").path
    let r = try CLI.run(["hessian", model.path, "--input", x, "--of", "layer2", "--out", h])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stderr.contains("zero by construction") && r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    let hessian = try NPY.read(h)
    #expect(hessian.shape == [3, 2, 2] && hessian.doubles.allSatisfy { $0 == 0 })
    let terms = try CLI.run(["derivatives", model.path, "--input", x, "--of", "layer2", "--terms", "x_0,x_0.x_1", "--out", dir.appendingPathComponent("t").path])
    #expect(terms.status == 0 && terms.stderr.contains("layer2_x_0.x_1 is zero by construction") && !terms.stderr.contains("layer2_x_0 "), "\(terms.stderr)")
  }

  @Test(arguments: [
    (["--terms", "xq"], ["'q'", "'x'", "'t'"]),
    (["--terms", "x,,t"], ["empty"]),
    (["--terms", "xx,xx"], ["twice"]),
    (["--names", "a,b,c", "--terms", "a"], ["3 names", "2 variables"]),
    (["--terms", "x", "--of", "nope"], ["'nope'", "'u'"]),
    (["--terms", "x", "--wrt", "x,x"], ["twice"]),
  ])
  func badRequestsAreNamed(_ extra: [String], _ mentions: [String]) throws {
    let out = try temporaryDirectory().appendingPathComponent("d").path
    var args = ["derivatives", Self.pinn] + Self.pinnInputs + ["--out", out]
    if !extra.contains("--of") { args += ["--of", "u"] }
    if !extra.contains("--wrt") { args += ["--wrt", "x,t"] }
    let r = try CLI.run(args + extra)
    #expect(r.status != 0)
    for m in mentions { #expect(r.stderr.contains(m), "\(m) not in: \(r.stderr)") }
    #expect(!FileManager.default.fileExists(atPath: out))
  }

  @Test func multiFeatureOutputNeedsAComponentForDerivatives() throws {
    let out = try temporaryDirectory().appendingPathComponent("d").path
    let r = try CLI.run(["derivatives", generator, "--input", coords, "--of", "uv", "--terms", "coords_0", "--out", out])
    #expect(r.status != 0 && r.stderr.contains("uv:0"), "\(r.stderr)")
  }
}
