import Autodiff
import Foundation
import ONNXGrad
import Testing

/// The structural ops' fixtures (tools/op_cases/structure.py) say whether their rows stay
/// apart; the batch-independence analysis must agree, treating every input of rank ≥ 1 as
/// batched on axis 0.
@Suite struct StructureFixtureRows {
  static let cases = OpFixture.all.filter { c in ((try? c.json["module"]) as? String) == "structure" }

  @Test func thereAreStructureCases() { #expect(!Self.cases.isEmpty) }

  @Test(arguments: cases)
  func batchAnalysisMatchesTheCase(_ c: OpFixture) throws {
    let expected = try #require((try c.json["rows_independent"]) as? Bool)
    let g = try Model.load(path: c.path("model.onnx")).graph
    let batched = g.inputs.filter { g.type(of: $0).rank >= 1 }
    let independent = (try? BatchIndependence.check(g, batched: batched, outputs: g.outputs)) != nil
    #expect(independent == expected, "\(c): the analysis says rows are \(independent ? "" : "not ")independent")
  }
}
