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

/// A model export of a fixture case: `generator/legacy`.
struct FixtureModel: CustomStringConvertible, Sendable {
  let caseName: String
  let exporter: String
  var description: String { "\(caseName)/\(exporter)" }
  var modelPath: String { Fixtures.path(caseName, "model_\(exporter).onnx") }
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

extension Fixtures {
  /// The cases tools/make_fixtures.py wrote, as VERSIONS.json lists them; empty when the index
  /// cannot be read (`fixtureIndexIsReadable` fails then).
  static var caseNames: [String] {
    guard let data = try? Data(contentsOf: root.appendingPathComponent("VERSIONS.json")),
      let index = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    else { return [] }
    return index["cases"] as? [String] ?? []
  }
}

extension FixtureModel {
  /// Every export of every case whose rows are independent. A case whose case.json cannot be
  /// read, or that lists no export, still appears (as exporter `missing`), so every test over
  /// the fixtures fails on it instead of silently running fewer cases.
  static let all: [FixtureModel] = Fixtures.caseNames.flatMap { name -> [FixtureModel] in
    guard let json = try? Fixtures.caseJSON(name), let exporters = json["exporters_succeeded"] as? [String],
      !exporters.isEmpty
    else { return [FixtureModel(caseName: name, exporter: "missing")] }
    if json["rows_independent"] as? Bool == false { return [] }
    return exporters.map { FixtureModel(caseName: name, exporter: $0) }
  }

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
