import Foundation
import ONNXImport
import TensorCore
import Testing

/// The comparison helper and the fixture index the PyTorch comparisons rest on: a helper that
/// cannot fail, or an index that silently yields no cases, would let every comparison pass.
@Suite struct Harness {
  static func tensor(_ v: [Double]) -> Tensor { Tensor(uncheckedShape: [v.count], storage: .float64(v)) }

  @Test func nonFiniteResultsFailAgainstFiniteReferences() {
    let ref = Self.tensor([1, 2, 3, 4])
    #expect(toleranceRatio(Self.tensor([1, .nan, .nan, .nan]), ref, rtol: 1e-5, atol: 1e-6) == .infinity)
    #expect(toleranceRatio(Self.tensor([1, 2, .infinity, 4]), ref, rtol: 1e-5, atol: 1e-6) == .infinity)
    #expect(toleranceRatio(ref, Self.tensor([1, 2, 3, .nan]), rtol: 1e-5, atol: 1e-6) == .infinity)
    #expect(toleranceRatio(Self.tensor([1, 2, -.infinity, 4]), Self.tensor([1, 2, .infinity, 4]), rtol: 1, atol: 1) == .infinity)
  }

  @Test func matchingNonFiniteValuesAndCloseValuesPass() {
    let ref = Self.tensor([1, .nan, .infinity, 4])
    #expect(toleranceRatio(Self.tensor([1, .nan, .infinity, 4 + 2e-5]), ref, rtol: 1e-5, atol: 0) < 1)
    #expect(toleranceRatio(Self.tensor([1, .nan, .infinity, 4.001]), ref, rtol: 1e-5, atol: 0) > 1)
  }

  @Test func fixtureIndexIsReadableAndEveryCaseHasItsFiles() throws {
    let names = Fixtures.caseNames
    #expect(!names.isEmpty, "Tests/Fixtures/VERSIONS.json lists no cases: run tools/make_fixtures.py")
    for name in names {
      let json = try Fixtures.caseJSON(name)
      let exporters = try #require(json["exporters_succeeded"] as? [String], "\(name): case.json lists no exports")
      #expect(!exporters.isEmpty, "\(name): no export succeeded")
    }
    #expect(!FixtureModel.all.contains { $0.exporter == "missing" })
    #expect(FixtureModel.all.count >= names.count)
  }
}

/// docs/supported-ops.md is generated from the registry (`onnxgrad ops --markdown`).
@Test func supportedOpsDocumentIsCurrent() throws {
  let path = Fixtures.repoRoot.appendingPathComponent("docs/supported-ops.md").path
  let text = try String(contentsOfFile: path, encoding: .utf8)
  #expect(text == ONNXImporter.supportedOpsMarkdown(), "docs/supported-ops.md is stale: run onnxgrad ops --markdown > docs/supported-ops.md")
}
