import Foundation
import ONNXGrad
import TensorCore
import Testing

/// Large batches run as row chunks on several threads; every row must equal the same row run
/// alone (whose results the PyTorch fixture tests pin down).
@Suite struct RowChunking {
  static func points(_ n: Int, dtype: DType) -> Tensor {
    var state: UInt64 = 12345
    let values = (0..<(n * 2)).map { _ -> Double in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Double(state >> 11) / Double(1 << 53) * 2 - 1
    }
    return Tensor(uncheckedShape: [n, 2], storage: .float64(values)).converted(to: dtype)
  }

  static func row(_ t: Tensor, _ i: Int) -> Tensor {
    let per = t.shape.dropFirst().reduce(1, *)
    let v = Array(t.doubles[(i * per)..<((i + 1) * per)])
    return Tensor(uncheckedShape: [1] + t.shape.dropFirst(), storage: .float64(v)).converted(to: t.dtype)
  }

  @Test(arguments: [300, 2 * 2048 + 37], [JacobianMode.forward, .reverse])
  func chunkedJacobianEqualsRowByRow(batch: Int, mode: JacobianMode) throws {
    let model = try Model.load(path: generator)
    let x = Self.points(batch, dtype: .float32)
    let whole = try model.jacobian(inputs: ["coords": x], of: "uv", wrt: "coords", mode: mode)
    #expect(whole.jacobian.shape == [batch, 2, 2])
    for i in stride(from: 0, to: batch, by: 97) + [batch - 1] {
      let one = try model.jacobian(inputs: ["coords": Self.row(x, i)], of: "uv", wrt: "coords", mode: mode)
      #expect(toleranceRatio(Self.row(whole.jacobian, i), one.jacobian, rtol: 1e-5, atol: 1e-7) <= 1, "row \(i)")
      let uv = try #require(whole.outputs.first?.tensor)
      #expect(toleranceRatio(Self.row(uv, i), try #require(one.outputs.first?.tensor), rtol: 1e-5, atol: 1e-7) <= 1)
    }
  }

  @Test func chunkedGradAndRunEqualRowByRow() throws {
    let model = try Model.load(path: generator).converted(to: .float64)
    let batch = 1000
    let x = Self.points(batch, dtype: .float64)
    let g = try model.grad(inputs: ["coords": x], of: OutputSelector(name: "uv", component: 0), wrt: "coords")
    let y = try #require(try model.run(inputs: ["coords": x]).first?.tensor)
    for i in stride(from: 0, to: batch, by: 111) {
      let gi = try model.grad(inputs: ["coords": Self.row(x, i)], of: OutputSelector(name: "uv", component: 0), wrt: "coords")
      #expect(toleranceRatio(Self.row(g, i), gi, rtol: 1e-12, atol: 1e-14) <= 1, "row \(i)")
      let yi = try #require(try model.run(inputs: ["coords": Self.row(x, i)]).first?.tensor)
      #expect(toleranceRatio(Self.row(y, i), yi, rtol: 1e-12, atol: 1e-14) <= 1, "row \(i)")
    }
  }

  /// Higher-order jets run in row chunks too (the seeds' batch axis is 1): every row equals the
  /// row run alone, for a fused (tanh, order 2) and an unfused (order 4) jet.
  @Test(arguments: [[[0], [1], [0, 0], [0, 1]], [[0, 0, 0, 0], [0, 1, 1]]])
  func chunkedDerivativesEqualRowByRow(partials: [[Int]]) throws {
    let model = try Model.load(path: Fixtures.path("siren", "model_legacy.onnx"))
    let batch = 2 * 2048 + 37
    let x = Self.points(batch, dtype: .float32)
    let u = OutputSelector(name: "u")
    let whole = try model.derivatives(inputs: ["coords": x], of: u, wrt: ["coords"], partials: partials)
    let tanh = try Model.load(path: Fixtures.path("pinn_tanh", "model_legacy.onnx"))
    let xt = ["x": try Self.column(x, 0), "t": try Self.column(x, 1)]
    let lap = try tanh.laplacian(inputs: xt, of: u, wrt: ["x", "t"])
    for i in stride(from: 0, to: batch, by: 173) + [batch - 1] {
      let one = try model.derivatives(inputs: ["coords": Self.row(x, i)], of: u, wrt: ["coords"], partials: partials)
      for (w, o) in zip(whole.partials, one.partials) {
        #expect(toleranceRatio(try Self.row(w, i).reshaped([1]), o, rtol: 1e-5, atol: 1e-6) <= 1, "row \(i)")
      }
      let rowInputs = xt.mapValues { Self.row($0, i) }
      let l = try tanh.laplacian(inputs: rowInputs, of: u, wrt: ["x", "t"])
      #expect(toleranceRatio(try Self.row(lap.result, i).reshaped([1]), l.result, rtol: 1e-5, atol: 1e-6) <= 1, "row \(i)")
    }
  }

  /// Column `j` of a `[B, 2]` tensor as `[B, 1]`.
  static func column(_ t: Tensor, _ j: Int) throws -> Tensor {
    let v = stride(from: j, to: t.count, by: 2).map { t.doubles[$0] }
    return Tensor(uncheckedShape: [v.count, 1], storage: .float64(v)).converted(to: t.dtype)
  }

  @Test func concurrentCallsAgree() async throws {
    let model = try Model.load(path: generator)
    let x = Self.points(500, dtype: .float32)
    let compiled = try model.compileJacobian(of: "uv", wrt: "coords", inputShapes: [[500, 2]])
    let reference = try compiled([x]).jacobian
    try await withThrowingTaskGroup(of: Tensor.self) { group in
      for _ in 0..<8 { group.addTask { try compiled([x]).jacobian } }
      for try await j in group { #expect(j == reference) }
    }
  }
}

/// Every row-independent fixture model, its B = 7 inputs repeated to 259 rows (so the batch runs
/// as row chunks on several threads): each row of the outputs, VJPs and per-sample Jacobians
/// equals that of its source row run in the small batch (which the PyTorch tests pin down).
@Suite struct ChunkedFixtureModels {
  static let models = FixtureModel.perSample.filter { ["legacy", "dynamo", "skl2onnx", "tf2onnx"].contains($0.exporter) }

  /// `t` with its rows repeated cyclically to `rows` rows.
  static func tiled(_ t: Tensor, rows: Int) -> Tensor {
    let per = t.shape.dropFirst().reduce(1, *)
    let n = t.shape.first ?? 1
    let v = t.doubles
    let out = (0..<rows).flatMap { r in v[((r % n) * per)..<((r % n + 1) * per)] }
    return Tensor(uncheckedShape: [rows] + t.shape.dropFirst(), storage: .float64(out)).converted(to: t.dtype)
  }

  @Test(arguments: models)
  func chunkedRowsEqualTheirSourceRows(_ m: FixtureModel) throws {
    let model = try Model.load(path: m.modelPath)
    let small = try m.inputs
    let rows = 7 * 37
    let big = small.mapValues { Self.tiled($0, rows: rows) }
    let (tight, loose) = m.isDouble ? (1e-12, 1e-12) : (1e-6, 1e-5)
    func same(_ a: Tensor, _ b: Tensor, _ what: String) {
      let ratio = toleranceRatio(a, Self.tiled(b, rows: rows), rtol: tight, atol: loose * max(1, b.doubles.map(abs).max() ?? 0))
      #expect(ratio <= 1, "\(what): off by \(ratio)× between the chunked batch and the small batch")
    }
    let bigOutputs = try model.run(inputs: big)
    for (name, t) in try model.run(inputs: small) {
      same(try #require(bigOutputs.first { $0.name == name }?.tensor), t, "output \(name)")
    }
    for r in m.references.filter({ $0.kind == "jacobian" }) {
      let input = try #require(r.input)
      for mode in [JacobianMode.forward, .reverse] {
        same(
          try model.jacobian(inputs: big, of: r.output, wrt: input, mode: mode).jacobian,
          try model.jacobian(inputs: small, of: r.output, wrt: input, mode: mode).jacobian, "\(r.file) \(mode)")
      }
      let selector = OutputSelector(name: r.output, component: nil)
      same(try model.grad(inputs: big, of: selector, wrt: input), try model.grad(inputs: small, of: selector, wrt: input), "grad \(r.output)/\(input)")
    }
  }
}

@Suite struct CompiledCallChecks {
  @Test func chunkedCallRefusesInputsOfOtherShapesOrTypes() throws {
    let model = try Model.load(path: generator)
    let compiled = try model.compileRun(inputShapes: [[3000, 2]])
    #expect(throws: (any Error).self) { _ = try compiled([Tensor.filled(0.5, shape: [10, 2], dtype: .float32)]) }
    #expect(throws: (any Error).self) { _ = try compiled([Tensor.filled(0.5, shape: [3000, 2], dtype: .float64)]) }
    #expect(throws: (any Error).self) { _ = try compiled([]) }
    let jacobian = try model.compileJacobian(of: "uv", wrt: "coords", inputShapes: [[3000, 2]])
    #expect(throws: (any Error).self) { _ = try jacobian([Tensor.filled(0.5, shape: [2999, 2], dtype: .float32)]) }
  }

  @Test func emptyBatchGivesEmptyResults() throws {
    let model = try Model.load(path: Fixtures.path("elementwise", "model_legacy.onnx"))
    let x = Tensor.filled(0, shape: [0, 2], dtype: .float32)
    #expect(try model.grad(inputs: ["x": x], of: OutputSelector(name: "y"), wrt: "x").shape == [0, 2])
    for mode in [JacobianMode.forward, .reverse] {
      #expect(try model.jacobian(inputs: ["x": x], of: "y", wrt: "x", mode: mode).jacobian.shape == [0, 8, 2])
    }
  }
}
