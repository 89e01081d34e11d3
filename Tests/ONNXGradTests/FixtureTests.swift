import Foundation
import ONNXGrad
import TensorCore
import Testing

/// onnxgrad against PyTorch float64 references, for every fixture model and both exporters.
@Suite struct AgainstPyTorch {
  /// f32 models compute in f32 and are compared to the f64 reference at f32 accuracy; the same
  /// models converted to f64 must match to ~1e-7 (the only difference left is LeakyReLU's α,
  /// which ONNX stores as float32).
  static func tolerance(_ m: FixtureModel, f64: Bool) -> (rtol: Double, atol: Double) {
    if m.isDouble { return (1e-12, 1e-13) }
    return f64 ? (1e-7, 1e-9) : (2e-5, 1e-6)
  }

  @Test(arguments: FixtureModel.all, [false, true])
  func outputsMatch(_ m: FixtureModel, inF64: Bool) throws {
    var model = try Model.load(path: m.modelPath)
    if inF64 { model = try model.converted(to: .float64) }
    let outputs = try model.run(inputs: m.inputs)
    let tol = Self.tolerance(m, f64: inF64)
    let refs = m.references.filter { $0.kind == "output" }
    #expect(!refs.isEmpty)
    for r in refs {
      let got = try #require(outputs.first { $0.name == r.output }?.tensor)
      let ratio = toleranceRatio(got, try Fixtures.array(m.caseName, r.file), rtol: tol.rtol, atol: tol.atol)
      #expect(ratio <= 1, "\(r.file): off by \(ratio)× the tolerance")
    }
  }

  @Test(arguments: FixtureModel.all, [false, true])
  func gradsMatchAutogradGrad(_ m: FixtureModel, inF64: Bool) throws {
    var model = try Model.load(path: m.modelPath)
    if inF64 { model = try model.converted(to: .float64) }
    let inputs = try m.inputs
    let tol = Self.tolerance(m, f64: inF64)
    let refs = m.references.filter { $0.kind == "vjp" || $0.kind == "vjp_component" }
    #expect(refs.count >= 2)
    for r in refs {
      let input = try #require(r.input)
      let seed = try r.cotangent.flatMap { $0 == "ones" ? nil : try Fixtures.array(m.caseName, $0) }
      let got = try model.grad(inputs: inputs, of: OutputSelector(name: r.output, component: r.component), wrt: input, seed: seed)
      let ratio = toleranceRatio(got, try Fixtures.array(m.caseName, r.file), rtol: tol.rtol, atol: tol.atol)
      #expect(ratio <= 1, "\(r.file): off by \(ratio)× the tolerance")
    }
  }

  @Test(arguments: FixtureModel.all, [JacobianMode.forward, .reverse, .auto])
  func jacobiansMatchVmapJacrev(_ m: FixtureModel, mode: JacobianMode) throws {
    let model = try Model.load(path: m.modelPath)
    let inputs = try m.inputs
    let tol = Self.tolerance(m, f64: false)
    let refs = m.references.filter { $0.kind == "jacobian" }
    #expect(!refs.isEmpty)
    for r in refs {
      let input = try #require(r.input)
      let result = try model.jacobian(inputs: inputs, of: r.output, wrt: input, mode: mode)
      let ratio = toleranceRatio(result.jacobian, try Fixtures.array(m.caseName, r.file), rtol: tol.rtol, atol: tol.atol)
      #expect(ratio <= 1, "\(r.file) (\(result.mode)): off by \(ratio)× the tolerance")
      for o in m.references.filter({ $0.kind == "output" }) {
        let got = try #require(result.outputs.first { $0.name == o.output }?.tensor)
        #expect(toleranceRatio(got, try Fixtures.array(m.caseName, o.file), rtol: tol.rtol, atol: tol.atol) <= 1)
      }
    }
  }
}
