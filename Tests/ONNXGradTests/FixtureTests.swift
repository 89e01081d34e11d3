import Foundation
import ONNXGrad
import TensorCore
import Testing

/// onnxgrad against PyTorch float64 references, for every fixture model in every form it was
/// written in (both torch exporters, both JSON forms, the MLP JSON format).
@Suite struct AgainstPyTorch {
  /// The same models converted to f64 must match to ~1e-7: what is left is attributes ONNX
  /// stores as float32 (LeakyReLU's α, HardSigmoid's 1/6: up to 6e-8 relative each, adding up
  /// over layers, hence 5e-7) — unless the exporter computed new weights in float32 (dynamo
  /// folding BatchNorm into a Gemm).
  static func tolerance(_ m: FixtureModel, reference: Tensor, siblings: [Tensor] = [], f64: Bool) -> (rtol: Double, atol: Double) {
    guard f64, !m.isDouble, !m.weightsRoundedByExport else { return fixtureTolerance(m, reference: reference, scaleFrom: siblings) }
    let magnitude = ([reference] + siblings).map { $0.doubles.map(abs).filter(\.isFinite).max() ?? 0 }.max() ?? 0
    return (5e-7, 5e-9 * max(1, magnitude))
  }

  @Test(arguments: FixtureModel.all, [false, true])
  func outputsMatch(_ m: FixtureModel, inF64: Bool) throws {
    var model = try Model.load(path: m.modelPath)
    if inF64 { model = try model.converted(to: .float64) }
    let outputs = try model.run(inputs: m.inputs)
    let refs = m.references.filter { $0.kind == "output" }
    #expect(!refs.isEmpty)
    for r in refs {
      let got = try #require(outputs.first { $0.name == r.output }?.tensor)
      let ref = try Fixtures.array(m.caseName, r.file)
      if !ref.dtype.isFloatingPoint {
        #expect(got == ref, "\(r.file): integer output differs")
        continue
      }
      let tol = Self.tolerance(m, reference: ref, f64: inF64)
      let ratio = toleranceRatio(got, ref, rtol: tol.rtol, atol: tol.atol)
      #expect(ratio <= 1, "\(r.file): off by \(ratio)× the tolerance")
    }
  }

  @Test(arguments: FixtureModel.all, [false, true])
  func gradsMatchAutogradGrad(_ m: FixtureModel, inF64: Bool) throws {
    var model = try Model.load(path: m.modelPath)
    if inF64 { model = try model.converted(to: .float64) }
    let inputs = try m.inputs
    let refs = m.references.filter { $0.kind == "vjp" || $0.kind == "vjp_component" }
    #expect(refs.count >= 2)
    for r in refs {
      let input = try #require(r.input)
      let seed = try r.cotangent.flatMap { $0 == "ones" ? nil : try Fixtures.array(m.caseName, $0) }
      let got = try model.grad(inputs: inputs, of: OutputSelector(name: r.output, component: r.component), wrt: input, seed: seed)
      let ref = try Fixtures.array(m.caseName, r.file)
      let tol = Self.tolerance(m, reference: ref, siblings: try m.derivativeReferences(of: r.output, wrt: input), f64: inF64)
      let ratio = toleranceRatio(got, ref, rtol: tol.rtol, atol: tol.atol)
      #expect(ratio <= 1, "\(r.file): off by \(ratio)× the tolerance")
    }
  }

  @Test(arguments: FixtureModel.perSample, [JacobianMode.forward, .reverse, .auto])
  func jacobiansMatchVmapJacrev(_ m: FixtureModel, mode: JacobianMode) throws {
    let model = try Model.load(path: m.modelPath)
    let inputs = try m.inputs
    let refs = m.references.filter { $0.kind == "jacobian" }
    #expect(!refs.isEmpty)
    for r in refs {
      let input = try #require(r.input)
      let result = try model.jacobian(inputs: inputs, of: r.output, wrt: input, mode: mode)
      let ref = try Fixtures.array(m.caseName, r.file)
      let tol = fixtureTolerance(m, reference: ref, scaleFrom: try m.derivativeReferences(of: r.output, wrt: input))
      let ratio = toleranceRatio(result.jacobian, ref, rtol: tol.rtol, atol: tol.atol)
      #expect(ratio <= 1, "\(r.file) (\(result.mode)): off by \(ratio)× the tolerance")
      for o in m.references.filter({ $0.kind == "output" }) {
        let got = try #require(result.outputs.first { $0.name == o.output }?.tensor)
        let oref = try Fixtures.array(m.caseName, o.file)
        guard oref.dtype.isFloatingPoint else {
          #expect(got == oref)
          continue
        }
        let otol = fixtureTolerance(m, reference: oref)
        #expect(toleranceRatio(got, oref, rtol: otol.rtol, atol: otol.atol) <= 1, "\(o.file) alongside the Jacobian")
      }
    }
  }

  /// Several inputs at once (`--wrt x,t`): the Jacobian's last axis lists every input's features
  /// in order, so it is the per-input references flattened and concatenated.
  @Test(
    arguments: FixtureModel.perSample.filter { $0.exporter == "legacy" || $0.exporter == "dynamo" },
    [JacobianMode.forward, .reverse])
  func jacobiansWithRespectToSeveralInputs(_ m: FixtureModel, mode: JacobianMode) throws {
    let inputs = try m.inputs
    let list = try #require(try Fixtures.caseJSON(m.caseName)["inputs"] as? [[String: Any]])
    let inputNames = list.compactMap { $0["name"] as? String }
    guard inputNames.count > 1 else { return }
    let model = try Model.load(path: m.modelPath)
    for output in Set(m.references.filter { $0.kind == "jacobian" }.map(\.output)) {
      let parts = try inputNames.map { name -> Tensor in
        let r = try #require(m.references.first { $0.kind == "jacobian" && $0.output == output && $0.input == name })
        return try Fixtures.array(m.caseName, r.file)
      }
      let batch = parts[0].shape[0]
      let counts = try inputNames.map { try #require(inputs[$0]).count / batch }
      let outCount = parts[0].count / batch / counts[0]
      var rows: [Double] = []
      for b in 0..<batch {
        for o in 0..<outCount {
          for (p, c) in zip(parts, counts) { rows += p.doubles[((b * outCount + o) * c)..<((b * outCount + o + 1) * c)] }
        }
      }
      let result = try model.jacobian(inputs: inputs, of: output, wrt: inputNames, mode: mode).jacobian
      #expect(result.shape.first == batch && result.shape.last == counts.reduce(0, +) && result.count == rows.count, "\(result.shape)")
      let reference = Tensor(uncheckedShape: result.shape, storage: .float64(rows))
      let tol = fixtureTolerance(m, reference: reference)
      #expect(toleranceRatio(result, reference, rtol: tol.rtol, atol: tol.atol) <= 1, "\(output) wrt \(inputNames) (\(mode))")
    }
  }

  /// Rows mix: per-sample Jacobians are refused naming the node and pointing at --full, and
  /// the whole-batch Jacobian matches torch.autograd.functional.jacobian.
  @Test(arguments: FixtureModel.rowMixing, [JacobianMode.forward, .reverse])
  func rowMixingModelsGiveTheWholeBatchJacobianOnly(_ m: FixtureModel, mode: JacobianMode) throws {
    let model = try Model.load(path: m.modelPath)
    let inputs = try m.inputs
    let refs = m.references.filter { $0.kind == "full_jacobian" }
    #expect(!refs.isEmpty)
    for r in refs {
      let input = try #require(r.input)
      #expect {
        _ = try model.jacobian(inputs: inputs, of: r.output, wrt: input, mode: mode)
      } throws: { error in
        let text = "\(error)"
        return text.contains("mixes them") && text.contains("node '") && text.contains("--full")
      }
      let full = try model.fullJacobian(inputs: inputs, of: r.output, wrt: input, mode: mode)
      let ref = try Fixtures.array(m.caseName, r.file)
      let tol = fixtureTolerance(m, reference: ref, scaleFrom: try m.derivativeReferences(of: r.output, wrt: input))
      let ratio = toleranceRatio(full.jacobian, ref, rtol: tol.rtol, atol: tol.atol)
      #expect(ratio <= 1, "\(r.file) (\(mode)): off by \(ratio)× the tolerance")
    }
  }

  /// Integer outputs (class labels) run, and asking for their derivative names them and their dtype.
  @Test(arguments: FixtureModel.all.filter { $0.caseName == "classifier" })
  func integerOutputsHaveNoDerivative(_ m: FixtureModel) throws {
    let model = try Model.load(path: m.modelPath)
    let inputs = try m.inputs
    let label = try #require(try model.run(inputs: inputs).first { $0.name == "label" }?.tensor)
    #expect(label.dtype == .int64)
    for attempt in [
      { _ = try model.grad(inputs: inputs, of: OutputSelector(name: "label", component: nil), wrt: "x") },
      { _ = try model.jacobian(inputs: inputs, of: "label", wrt: "x") },
      { _ = try model.fullJacobian(inputs: inputs, of: "label", wrt: "x") },
    ] {
      #expect { try attempt() } throws: { "\($0)".contains("output 'label' holds i64") }
    }
  }
}
