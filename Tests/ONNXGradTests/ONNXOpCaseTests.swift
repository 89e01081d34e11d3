import Autodiff
import Executor
import Foundation
import GraphIR
import ONNXGrad
import NumPyIO
import ONNXImport
import TensorCore
import Testing

/// One case of Tests/Fixtures/onnx_ops (tools/make_op_fixtures.py): a tiny ONNX model of one op,
/// its inputs, and ONNX Runtime's outputs.
struct OpFixture: CustomStringConvertible, Sendable {
  let name: String
  var description: String { name }

  static let root = Fixtures.root.appendingPathComponent("onnx_ops")

  /// Every case folder, sorted; a folder without a readable case.json still appears (and fails).
  static let all: [OpFixture] = {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
    return names.sorted().filter { !$0.hasPrefix(".") }.map(OpFixture.init)
  }()

  var folder: URL { Self.root.appendingPathComponent(name) }
  func path(_ file: String) -> String { folder.appendingPathComponent(file).path }

  var json: [String: Any] {
    get throws {
      let data = try Data(contentsOf: folder.appendingPathComponent("case.json"))
      return try #require((try JSONSerialization.jsonObject(with: data)) as? [String: Any])
    }
  }

  /// Inputs by name, and the names of the differentiable ones.
  var inputs: (values: [String: Tensor], differentiable: [String]) {
    get throws {
      let list = try #require(try json["inputs"] as? [[String: Any]])
      var values: [String: Tensor] = [:]
      var differentiable: [String] = []
      for i in list {
        let name = try #require(i["name"] as? String)
        values[name] = try NPY.read(path(try #require(i["file"] as? String)))
        if i["differentiable"] as? Bool == true { differentiable.append(name) }
      }
      return (values, differentiable)
    }
  }

  var references: [(name: String, tensor: Tensor)] {
    get throws {
      let list = try #require(try json["outputs"] as? [[String: Any]])
      return try list.map { o in
        (try #require(o["name"] as? String), try NPY.read(path(try #require(o["file"] as? String))))
      }
    }
  }
}

/// Each supported ONNX op against ONNX Runtime, and its derivatives against finite differences.
@Suite struct ONNXOpCases {
  @Test func everySupportedONNXOpHasACase() throws {
    #expect(!OpFixture.all.isEmpty, "Tests/Fixtures/onnx_ops is empty: run tools/make_op_fixtures.py")
    var covered = Set<String>()
    for c in OpFixture.all { covered.formUnion(try #require(try c.json["ops"] as? [String], "\(c)")) }
    let missing = ONNXImporter.supportedOps.filter { !covered.contains($0) }
    #expect(missing.isEmpty, "ops without a case in tools/op_cases: \(missing)")
  }

  @Test(arguments: OpFixture.all)
  func outputsMatchONNXRuntime(_ c: OpFixture) throws {
    let model = try Model.load(path: c.path("model.onnx"))
    let outputs = try model.run(inputs: try c.inputs.values)
    let refs = try c.references
    #expect(!refs.isEmpty)
    for r in refs {
      let got = try #require(outputs.first { $0.name == r.name }?.tensor, "output \(r.name)")
      #expect(got.dtype == r.tensor.dtype, "\(r.name): dtype \(got.dtype), ONNX Runtime \(r.tensor.dtype)")
      let scale = max(1, r.tensor.doubles.map(abs).filter(\.isFinite).max() ?? 0)
      let (rtol, atol) = r.tensor.dtype == .float32 ? (1e-5, 1e-6 * scale) : (1e-10, 1e-12 * scale)
      let ratio = toleranceRatio(got.converted(to: .float64), r.tensor.converted(to: .float64), rtol: rtol, atol: atol)
      #expect(ratio <= 1, "\(r.name): off by \(ratio)× the tolerance\ngot \(got.doubles.prefix(8))\nref \(r.tensor.doubles.prefix(8))")
    }
  }

  /// In f64: the JVP matches central differences, the VJP is its adjoint, and the JVP of the
  /// JVP graph matches central differences of it (second order).
  @Test(arguments: OpFixture.all)
  func derivativesMatchFiniteDifferences(_ c: OpFixture) throws {
    let model = try Model.load(path: c.path("model.onnx")).converted(to: .float64)
    let g = model.graph
    let (values, differentiable) = try c.inputs
    guard !differentiable.isEmpty else { return }
    let x = try model.orderedInputs(values)
    let wrt = try differentiable.map { name in try #require(g.input(named: name)) }
    let wrtIndex = wrt.map { w in g.inputs.firstIndex(of: w) ?? 0 }
    let of = g.outputs.filter { g.type(of: $0).dtype.isFloatingPoint }
    guard !of.isEmpty else { return }
    var rng = SplitMixRNG(seed: c.name.utf8.reduce(7) { $0 &* 31 &+ Int($1) })
    let t = wrtIndex.map { random(like: x[$0], &rng) }
    let s = wrtIndex.map { random(like: x[$0], &rng) }

    let first = try JVP.transform(g, of: of, wrt: wrt)
    let jvp = try run(first.graph, x + t)
    let fd = try centralDifference(g, x, wrtIndex, t, outputs: of.map { g.outputs.firstIndex(of: $0) ?? 0 })
    for (o, d) in first.derivatives.enumerated() {
      let got = value(d, in: first.graph, jvp, zerosLike: fd[o])
      #expect(relativeDifference(got, fd[o]) < 1e-6, "JVP of output \(o): \(got.doubles.prefix(4)) vs FD \(fd[o].doubles.prefix(4))")
    }

    let y = try run(g, x)
    let ybar = of.map { random(like: y[g.outputs.firstIndex(of: $0) ?? 0], &rng) }
    let reverse = try VJP.transform(g, of: of, wrt: wrt)
    let vjp = try run(reverse.graph, x + ybar)
    var lhs = 0.0
    for (o, d) in first.derivatives.enumerated() { lhs += dot(ybar[o], value(d, in: first.graph, jvp, zerosLike: ybar[o])) }
    var rhs = 0.0
    for (i, d) in reverse.derivatives.enumerated() { rhs += dot(value(d, in: reverse.graph, vjp, zerosLike: t[i]), t[i]) }
    #expect(abs(lhs - rhs) <= 1e-10 * max(1, abs(lhs), abs(rhs)), "⟨ȳ, Jẋ⟩ = \(lhs), ⟨Jᵀȳ, ẋ⟩ = \(rhs)")

    let tangents = first.derivatives.compactMap { $0 }
    guard !tangents.isEmpty else { return }
    let fg = first.graph
    let second = try JVP.transform(fg, of: tangents, wrt: wrtIndex.map { fg.inputs[$0] })
    let sr = try run(second.graph, x + t + s)
    let fd2 = try centralDifference(fg, x + t, wrtIndex, s, outputs: tangents.map { fg.outputs.firstIndex(of: $0) ?? 0 })
    for (j, d) in second.derivatives.enumerated() {
      let got = value(d, in: second.graph, sr, zerosLike: fd2[j])
      #expect(relativeDifference(got, fd2[j]) < 1e-5, "second order, tangent \(j): \(got.doubles.prefix(4)) vs FD \(fd2[j].doubles.prefix(4))")
    }
  }
}

private func run(_ g: Graph, _ inputs: [Tensor]) throws -> [Tensor] {
  try Plan(graph: g, inputShapes: inputs.map(\.shape)).run(inputs)
}

/// `(f(x + h·t) − f(x − h·t)) / 2h` for the given outputs, moving the inputs at `indices`.
private func centralDifference(_ g: Graph, _ x: [Tensor], _ indices: [Int], _ t: [Tensor], outputs: [Int]) throws -> [Tensor] {
  let h = 1e-6
  var plus = x
  var minus = x
  for (i, k) in indices.enumerated() {
    plus[k] = Tensor(uncheckedShape: x[k].shape, storage: .float64(zip(x[k].doubles, t[i].doubles).map { $0 + h * $1 }))
    minus[k] = Tensor(uncheckedShape: x[k].shape, storage: .float64(zip(x[k].doubles, t[i].doubles).map { $0 - h * $1 }))
  }
  let fp = try run(g, plus)
  let fm = try run(g, minus)
  return outputs.map { o in
    Tensor(uncheckedShape: fp[o].shape, storage: .float64(zip(fp[o].doubles, fm[o].doubles).map { ($0 - $1) / (2 * h) }))
  }
}

/// The derivative `d` from a run of `g`, or zeros shaped like `like` when it is a symbolic zero.
private func value(_ d: Value?, in g: Graph, _ results: [Tensor], zerosLike like: Tensor) -> Tensor {
  guard let d, let i = g.outputs.firstIndex(of: d) else { return Tensor.filled(0, shape: like.shape, dtype: .float64) }
  return results[i]
}

private func random(like t: Tensor, _ rng: inout SplitMixRNG) -> Tensor {
  Tensor(uncheckedShape: t.shape, storage: .float64((0..<t.count).map { _ in Double.random(in: -1...1, using: &rng) }))
}

private func dot(_ a: Tensor, _ b: Tensor) -> Double { zip(a.doubles, b.doubles).reduce(0) { $0 + $1.0 * $1.1 } }

/// Largest |a − b| over the largest finite magnitude (at least 1); infinite on a shape
/// mismatch or a non-finite value the other side lacks.
private func relativeDifference(_ a: Tensor, _ b: Tensor) -> Double {
  guard a.shape == b.shape else { return .infinity }
  let scale = max(1, a.doubles.map(abs).filter(\.isFinite).max() ?? 0, b.doubles.map(abs).filter(\.isFinite).max() ?? 0)
  return toleranceRatio(a, b, rtol: 0, atol: scale)
}

/// Deterministic SplitMix64 so failures reproduce.
struct SplitMixRNG: RandomNumberGenerator {
  var state: UInt64
  init(seed: Int) { state = UInt64(truncatingIfNeeded: seed) &* 0x9E37_79B9_7F4A_7C15 &+ 1 }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
