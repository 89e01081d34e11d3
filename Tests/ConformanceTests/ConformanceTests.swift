import Autodiff
import Executor
import Foundation
import GraphIR
import Ops
import TensorCore
import Testing

/// The conformance checker: every registered primitive, every case it declares.
@Suite struct Conformance {
  @Test(arguments: OpRegistry.primitives.map { String(describing: $0) })
  func everyPrimitiveDeclaresCases(_ name: String) throws {
    let type = try #require(OpRegistry.primitives.first { String(describing: $0) == name })
    #expect(!type.conformanceCases.isEmpty, "\(name) declares no conformance cases")
  }

  @Test(arguments: allCases)
  func shapeRuleMatchesKernel(_ oc: OpCase) throws {
    for dtype in [DType.float32, .float64] {
      var rng = SplitMix(seed: oc.index)
      let g = try singleOpGraph(oc.c, dtype: dtype)
      let inputs = oc.variables.map { sample($0, &rng).converted(to: dtype) }
      let declared = g.outputs.map { g.type(of: $0) }
      let outs = try oc.c.op.forward(oc.opInputs(inputs, dtype: dtype))
      #expect(outs.map(\.shape) == declared.map { $0.shape ?? [-1] })
      #expect(outs.map(\.dtype) == declared.map(\.dtype))
    }
  }

  @Test(arguments: allCases)
  func float32KernelAgreesWithFloat64(_ oc: OpCase) throws {
    var rng = SplitMix(seed: oc.index)
    let inputs = oc.variables.map { sample($0, &rng) }
    let y64 = try oc.c.op.forward(oc.opInputs(inputs, dtype: .float64))
    let y32 = try oc.c.op.forward(oc.opInputs(inputs.map { $0.converted(to: .float32) }, dtype: .float32))
    for (a, b) in zip(y64, y32) { #expect(relativeError(a.doubles, b.doubles) < 1e-5) }
  }

  @Test(arguments: differentiableCases)
  func jvpMatchesCentralDifferences(_ oc: OpCase) throws {
    var rng = SplitMix(seed: oc.index)
    let g = try singleOpGraph(oc.c)
    let x = oc.variables.map { sample($0, &rng) }
    let wrt = oc.variables.indices.filter { oc.variables[$0].differentiable }
    let t = wrt.map { randomLike(x[$0], &rng) }
    let dg = try JVP.transform(g, of: g.outputs, wrt: wrt.map { g.inputs[$0] })
    let results = try run(dg.graph, x + t)
    let h = 1e-6
    var plus = x
    var minus = x
    for (i, w) in wrt.enumerated() {
      plus[w] = axpy(x[w], h, t[i])
      minus[w] = axpy(x[w], -h, t[i])
    }
    let fp = try run(g, plus)
    let fm = try run(g, minus)
    for (o, d) in dg.derivatives.enumerated() {
      let jvp = materialize(d, in: dg, results: results, shape: fp[o].shape)
      let fd = zip(fp[o].doubles, fm[o].doubles).map { ($0 - $1) / (2 * h) }
      #expect(relativeError(jvp.doubles, fd) < 1e-6, "output \(o): JVP \(jvp.doubles.prefix(4)) vs FD \(fd.prefix(4))")
    }
  }

  @Test(arguments: differentiableCases)
  func vjpIsAdjointOfJVP(_ oc: OpCase) throws {
    var rng = SplitMix(seed: oc.index)
    let g = try singleOpGraph(oc.c)
    let x = oc.variables.map { sample($0, &rng) }
    let wrt = oc.variables.indices.filter { oc.variables[$0].differentiable }
    let t = wrt.map { randomLike(x[$0], &rng) }
    let forward = try JVP.transform(g, of: g.outputs, wrt: wrt.map { g.inputs[$0] })
    let fr = try run(forward.graph, x + t)
    let y = try run(g, x)
    let ybar = y.map { randomLike($0, &rng) }
    let reverse = try VJP.transform(g, of: g.outputs, wrt: wrt.map { g.inputs[$0] })
    let rr = try run(reverse.graph, x + ybar)
    var lhs = 0.0
    for (o, d) in forward.derivatives.enumerated() {
      lhs += dot(ybar[o], materialize(d, in: forward, results: fr, shape: y[o].shape))
    }
    var rhs = 0.0
    for (i, d) in reverse.derivatives.enumerated() {
      rhs += dot(materialize(d, in: reverse, results: rr, shape: x[wrt[i]].shape), t[i])
    }
    #expect(abs(lhs - rhs) <= 1e-12 * max(1, abs(lhs), abs(rhs)), "⟨ȳ, Jẋ⟩ = \(lhs), ⟨Jᵀȳ, ẋ⟩ = \(rhs)")
  }

  @Test(arguments: differentiableCases)
  func jacfwdEqualsJacrev(_ oc: OpCase) throws {
    var rng = SplitMix(seed: oc.index)
    let g = try singleOpGraph(oc.c)
    let x = oc.variables.map { sample($0, &rng) }
    let wrt = oc.variables.indices.filter { oc.variables[$0].differentiable }
    let y = try run(g, x)
    let inSeeds = oneHotSeeds(wrt.map { x[$0].shape })
    let forward = try JVP.transform(g, of: g.outputs, wrt: wrt.map { g.inputs[$0] }, directionAxes: 1)
    let fr = try run(forward.graph, x + inSeeds)
    let outSeeds = oneHotSeeds(y.map(\.shape))
    let reverse = try VJP.transform(g, of: g.outputs, wrt: wrt.map { g.inputs[$0] }, directionAxes: 1)
    let rr = try run(reverse.graph, x + outSeeds)
    let kIn = inSeeds.first?.shape[0] ?? 0
    let kOut = outSeeds.first?.shape[0] ?? 0
    // jf[o][k][j]: output o, element j, input direction k. jr[i][m][e]: input i element e, output direction m.
    let jf = forward.derivatives.enumerated().map { o, d in
      materialize(d, in: forward, results: fr, shape: [kIn] + y[o].shape).doubles
    }
    let jr = reverse.derivatives.enumerated().map { i, d in
      materialize(d, in: reverse, results: rr, shape: [kOut] + x[wrt[i]].shape).doubles
    }
    var outOffset = 0
    for (o, yo) in y.enumerated() {
      var inOffset = 0
      for (i, w) in wrt.enumerated() {
        let (no, ni) = (yo.count, x[w].count)
        var fwd: [Double] = []
        var rev: [Double] = []
        for j in 0..<no {
          for e in 0..<ni {
            fwd.append(jf[o][(inOffset + e) * no + j])
            rev.append(jr[i][(outOffset + j) * ni + e])
          }
        }
        #expect(relativeError(fwd, rev) < 1e-12, "∂y\(o)/∂x\(w): jacfwd \(fwd.prefix(6)) vs jacrev \(rev.prefix(6))")
        inOffset += ni
      }
      outOffset += yo.count
    }
  }

  /// Forward over reverse with direction axes on both levels (the Hessian's construction):
  /// the JVP of the VJP graph along each input basis vector matches central differences of it.
  @Test(arguments: differentiableCases)
  func secondOrderForwardOverReverse(_ oc: OpCase) throws {
    var rng = SplitMix(seed: oc.index)
    let g = try singleOpGraph(oc.c)
    let x = oc.variables.map { sample($0, &rng) }
    let wrt = oc.variables.indices.filter { oc.variables[$0].differentiable }
    let y = try run(g, x)
    let outSeeds = oneHotSeeds(y.map(\.shape))
    let reverse = try VJP.transform(g, of: g.outputs, wrt: wrt.map { g.inputs[$0] }, directionAxes: 1)
    let rg = reverse.graph
    let gradOutputs = reverse.derivatives.compactMap { $0 }
    guard !gradOutputs.isEmpty else { return }
    let primalInputs = wrt.map { rg.inputs[$0] }
    let inSeeds = oneHotSeeds(wrt.map { x[$0].shape })
    let second = try JVP.transform(rg, of: gradOutputs, wrt: primalInputs, directionAxes: 1)
    let sr = try run(second.graph, x + outSeeds + inSeeds)
    let kIn = inSeeds.first?.shape[0] ?? 0
    let h = 1e-6
    var k = 0
    for (i, w) in wrt.enumerated() {
      for e in 0..<x[w].count {
        var plus = x
        var minus = x
        var pv = x[w].doubles
        var mv = pv
        pv[e] += h
        mv[e] -= h
        plus[w] = Tensor(uncheckedShape: x[w].shape, storage: .float64(pv))
        minus[w] = Tensor(uncheckedShape: x[w].shape, storage: .float64(mv))
        let rp = try run(rg, plus + outSeeds)
        let rm = try run(rg, minus + outSeeds)
        for (j, d) in second.derivatives.enumerated() {
          let idx = try #require(rg.outputs.firstIndex(of: gradOutputs[j]))
          let fd = zip(rp[idx].doubles, rm[idx].doubles).map { ($0 - $1) / (2 * h) }
          let shape = [kIn] + rp[idx].shape
          let all = materialize(d, in: second, results: sr, shape: shape).doubles
          let per = fd.count
          let got = Array(all[(k * per)..<((k + 1) * per)])
          #expect(relativeError(got, fd) < 1e-5, "input \(i) element \(e), gradient \(j): \(got.prefix(4)) vs FD \(fd.prefix(4))")
        }
        k += 1
      }
    }
  }

  /// Forward over forward: the JVP of the JVP graph matches central differences of it.
  @Test(arguments: differentiableCases)
  func secondOrderForwardOverForward(_ oc: OpCase) throws {
    var rng = SplitMix(seed: oc.index)
    let g = try singleOpGraph(oc.c)
    let x = oc.variables.map { sample($0, &rng) }
    let wrt = oc.variables.indices.filter { oc.variables[$0].differentiable }
    let t = wrt.map { randomLike(x[$0], &rng) }
    let s = wrt.map { randomLike(x[$0], &rng) }
    let first = try JVP.transform(g, of: g.outputs, wrt: wrt.map { g.inputs[$0] })
    let fg = first.graph
    let tangents = first.derivatives.compactMap { $0 }
    guard !tangents.isEmpty else { return }
    let second = try JVP.transform(fg, of: tangents, wrt: wrt.map { fg.inputs[$0] })
    let sr = try run(second.graph, x + t + s)
    let h = 1e-6
    var plus = x
    var minus = x
    for (i, w) in wrt.enumerated() {
      plus[w] = axpy(x[w], h, s[i])
      minus[w] = axpy(x[w], -h, s[i])
    }
    let fp = try run(fg, plus + t)
    let fm = try run(fg, minus + t)
    for (j, d) in second.derivatives.enumerated() {
      let idx = try #require(fg.outputs.firstIndex(of: tangents[j]))
      let fd = zip(fp[idx].doubles, fm[idx].doubles).map { ($0 - $1) / (2 * h) }
      let got = materialize(d, in: second, results: sr, shape: fp[idx].shape).doubles
      #expect(relativeError(got, fd) < 1e-5, "tangent \(j): \(got.prefix(4)) vs FD \(fd.prefix(4))")
    }
  }
}

extension Conformance {
  /// Third order, forward over forward over forward: the JVP of the second-order graph matches
  /// central differences of it (what `Jet.transform` nests for partials of order 3 and 4).
  @Test(arguments: differentiableCases)
  func thirdOrderForwardOverForwardOverForward(_ oc: OpCase) throws {
    var rng = SplitMix(seed: oc.index)
    let g = try singleOpGraph(oc.c)
    let x = oc.variables.map { sample($0, &rng) }
    let wrt = oc.variables.indices.filter { oc.variables[$0].differentiable }
    let seeds = (0..<3).map { _ in wrt.map { randomLike(x[$0], &rng) } }
    let first = try JVP.transform(g, of: g.outputs, wrt: wrt.map { g.inputs[$0] })
    let tangents = first.derivatives.compactMap { $0 }
    guard !tangents.isEmpty else { return }
    let second = try JVP.transform(first.graph, of: tangents, wrt: wrt.map { first.graph.inputs[$0] })
    let curvatures = second.derivatives.compactMap { $0 }
    guard !curvatures.isEmpty else { return }
    let sg = second.graph
    let third = try JVP.transform(sg, of: curvatures, wrt: wrt.map { sg.inputs[$0] })
    let tr = try run(third.graph, x + seeds[0] + seeds[1] + seeds[2])
    let h = 1e-5
    var plus = x
    var minus = x
    for (i, w) in wrt.enumerated() {
      plus[w] = axpy(x[w], h, seeds[2][i])
      minus[w] = axpy(x[w], -h, seeds[2][i])
    }
    let sp = try run(sg, plus + seeds[0] + seeds[1])
    let sm = try run(sg, minus + seeds[0] + seeds[1])
    for (j, d) in third.derivatives.enumerated() {
      let idx = try #require(sg.outputs.firstIndex(of: curvatures[j]))
      let fd = zip(sp[idx].doubles, sm[idx].doubles).map { ($0 - $1) / (2 * h) }
      let got = materialize(d, in: third, results: tr, shape: sp[idx].shape).doubles
      #expect(relativeError(got, fd) < 1e-4, "third order \(j): \(got.prefix(4)) vs FD \(fd.prefix(4))")
    }
  }
}

/// The registry is generated from the op folder; a file without a registry entry fails here.
@Test func registryMatchesOpFolder() throws {
  let opsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../Sources/Ops").standardized.resolvingSymlinksInPath()
  let enumerator = FileManager.default.enumerator(atPath: opsDir.path)
  var files: [String] = []
  var composites: [String] = []
  while let f = enumerator?.nextObject() as? String {
    let parts = f.split(separator: "/")
    guard f.hasSuffix(".swift"), parts.count == 2, !["Kinds", "Support"].contains(String(parts[0])) else { continue }
    if parts[0] == "Composites" { composites.append(f) } else { files.append(f) }
  }
  #expect(files.sorted() == OpRegistry.sourceFiles.sorted(), "run tools/gen-op-registry")
  #expect(composites.sorted() == OpRegistry.compositeFiles.sorted(), "run tools/gen-op-registry")
  #expect(OpRegistry.primitives.count == OpRegistry.sourceFiles.count)
  #expect(OpRegistry.compositeLowerings.count == OpRegistry.compositeFiles.count)
}

/// Every registered op runs in plans through its own allocation-free kernel, in f32 and f64:
/// no silent fallback to the allocating `forward` path.
@Test(arguments: allCases)
func planUsesTheOpsKernel(_ oc: OpCase) throws {
  for dtype in [DType.float32, .float64] {
    let g = try singleOpGraph(oc.c, dtype: dtype)
    let plan = try Plan(graph: g, inputShapes: oc.variables.map(\.shape))
    #expect(plan.fallbacks.isEmpty, "\(dtype): \(plan.fallbacks) ran forward instead of a kernel")
  }
}
