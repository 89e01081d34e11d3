import Foundation
import NumPyIO
import TensorCore

/// The PyTorch golden fixtures in Tests/Fixtures, made by tools/make_fixtures.py.
enum Fixtures {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../Fixtures").standardized

  static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../..").standardized

  static func path(_ caseName: String, _ file: String) -> String {
    root.appendingPathComponent(caseName).appendingPathComponent(file).path
  }

  static func caseJSON(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: root.appendingPathComponent(name).appendingPathComponent("case.json"))
    return (try JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
  }

  static func array(_ caseName: String, _ file: String) throws -> Tensor {
    try NPY.read(path(caseName, file))
  }
}

extension Fixtures {
  /// The cases tools/make_fixtures.py wrote, as VERSIONS.json lists them; empty when the index
  /// cannot be read (`fixtureIndexIsReadableAndEveryCaseHasItsFiles` fails then).
  static var caseNames: [String] {
    guard let data = try? Data(contentsOf: root.appendingPathComponent("VERSIONS.json")),
      let index = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    else { return [] }
    return index["cases"] as? [String] ?? []
  }
}

/// One form of a fixture case's model: `generator/legacy`, `pinn_tanh/mlp_json`…
struct FixtureModel: CustomStringConvertible, Sendable {
  let caseName: String
  let exporter: String
  var description: String { "\(caseName)/\(exporter)" }

  /// The file case.json names for this export (`model_<exporter>.onnx` for the torch exports).
  var modelPath: String {
    let exports = (try? Fixtures.caseJSON(caseName))?["exports"] as? [String: Any]
    let file = (exports?[exporter] as? [String: Any])?["file"] as? String ?? "model_\(exporter).onnx"
    return Fixtures.path(caseName, file)
  }
}

/// One reference result of a case.json.
struct Reference: Sendable {
  let file: String
  let kind: String
  let output: String
  let input: String?
  let component: Int?
  let cotangent: String?
}

extension FixtureModel {
  /// Every export of every case. A case whose case.json cannot be read, or that lists no
  /// export, still appears (as exporter `missing`), so every test over the fixtures fails on
  /// it instead of silently running fewer cases.
  static let all: [FixtureModel] = Fixtures.caseNames.flatMap { name -> [FixtureModel] in
    guard let json = try? Fixtures.caseJSON(name), let exporters = json["exporters_succeeded"] as? [String],
      !exporters.isEmpty
    else { return [FixtureModel(caseName: name, exporter: "missing")] }
    return exporters.map { FixtureModel(caseName: name, exporter: $0) }
  }

  /// The exports of cases whose rows are independent (per-sample Jacobians exist).
  static let perSample = all.filter(\.rowsIndependent)
  /// The exports of cases whose rows mix (only whole-batch Jacobians exist).
  static let rowMixing = all.filter { !$0.rowsIndependent }

  var rowsIndependent: Bool { ((try? Fixtures.caseJSON(caseName))?["rows_independent"] as? Bool) ?? true }

  var references: [Reference] {
    let refs = ((try? Fixtures.caseJSON(caseName))?["references"] as? [[String: Any]]) ?? []
    return refs.compactMap { r in
      guard let file = r["file"] as? String, let kind = r["kind"] as? String, let output = r["output"] as? String else {
        return nil
      }
      return Reference(
        file: file, kind: kind, output: output, input: r["input"] as? String, component: r["component"] as? Int,
        cotangent: r["cotangent"] as? String)
    }
  }

  var inputs: [String: Tensor] {
    get throws {
      let list = ((try Fixtures.caseJSON(caseName))["inputs"] as? [[String: Any]]) ?? []
      var result: [String: Tensor] = [:]
      for i in list {
        guard let name = i["name"] as? String, let file = i["file"] as? String else { continue }
        result[name] = try Fixtures.array(caseName, file)
      }
      return result
    }
  }

  var isDouble: Bool { ((try? Fixtures.caseJSON(caseName))?["model_dtype"] as? String) == "float64" }

  /// Whether this export computed new weights in float32 (case.json `weights_rounded_by`).
  var weightsRoundedByExport: Bool {
    (((try? Fixtures.caseJSON(caseName))?["weights_rounded_by"] as? [String]) ?? []).contains(exporter)
  }
}

/// The accuracy bar: f32 models within rtol 1e-4 and atol 1e-5 × magnitude; f64 models within
/// 1e-10 (relative and × magnitude). The magnitude is the largest of the reference and of its
/// siblings (`scaleFrom`: the other derivatives of the same output and input), so a derivative
/// that cancels to exactly 0 (the ones-VJP of a softmax) is judged at the scale of its terms.
func fixtureTolerance(_ model: FixtureModel, reference: Tensor, scaleFrom siblings: [Tensor] = []) -> (rtol: Double, atol: Double) {
  let magnitude = ([reference] + siblings).map { $0.doubles.map(abs).filter(\.isFinite).max() ?? 0 }.max() ?? 0
  return model.isDouble ? (1e-10, 1e-10 * magnitude) : (1e-4, 1e-5 * magnitude)
}

extension FixtureModel {
  /// Every derivative reference of `output` with respect to `input` (VJPs and Jacobians).
  func derivativeReferences(of output: String, wrt input: String) throws -> [Tensor] {
    try references.filter { $0.output == output && $0.input == input && $0.kind != "output" && $0.kind != "cotangent_seed" }
      .map { try Fixtures.array(caseName, $0.file) }
  }
}

/// Largest |a − b| / (atol + rtol·|b|) over the elements; ≤ 1 means within tolerance.
///
/// A NaN or infinity in `a` matches only the same non-finite value in the reference `b`
/// (and vice versa); any other pairing makes the ratio infinite.
func toleranceRatio(_ a: Tensor, _ b: Tensor, rtol: Double, atol: Double) -> Double {
  guard a.shape == b.shape else { return .infinity }
  var worst = 0.0
  for (x, y) in zip(a.doubles, b.doubles) {
    if !x.isFinite || !y.isFinite {
      if x.isNaN && y.isNaN || x == y { continue }
      return .infinity
    }
    worst = max(worst, abs(x - y) / (atol + rtol * abs(y)))
  }
  return worst
}
