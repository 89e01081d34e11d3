import Dispatch
import Foundation
import NumPyIO
import ONNXGrad
import TensorCore
import Testing

/// One loaded model and its compiled plans used from many threads at once give every caller
/// the same results as a lone caller (plans serialise their runs; the worker pool serialises
/// parallel loops; nothing else is shared).
@Suite struct Concurrency {
  @Test func aModelAndItsPlansAreSafeFromManyThreads() throws {
    let model = try Model.load(path: generator)
    let x = try NPY.read(coords)
    let big = Tensor(uncheckedShape: [300, 2], storage: .float32((0..<600).map { Float(($0 * 37) % 101) / 50 - 1 }))
    let compiledSmall = try model.compileJacobian(of: "uv", wrt: "coords", inputShapes: [x.shape])
    let compiledBig = try model.compileJacobian(of: "uv", wrt: "coords", inputShapes: [big.shape])
    let expectedSmall = try compiledSmall([x]).jacobian
    let expectedBig = try compiledBig([big]).jacobian
    let expectedGrad = try model.grad(inputs: ["coords": big], of: OutputSelector(name: "uv", component: 1), wrt: "coords")
    final class Mismatches: @unchecked Sendable {
      let lock = NSLock()
      var count = 0
      var errors: [String] = []
      func add(_ e: String? = nil) {
        lock.lock()
        count += 1
        if let e { errors.append(e) }
        lock.unlock()
      }
    }
    let mismatches = Mismatches()
    DispatchQueue.concurrentPerform(iterations: 64) { i in
      do {
        switch i % 4 {
        case 0: if try compiledSmall([x]).jacobian != expectedSmall { mismatches.add() }
        case 1: if try compiledBig([big]).jacobian != expectedBig { mismatches.add() }
        case 2:
          let g = try model.grad(inputs: ["coords": big], of: OutputSelector(name: "uv", component: 1), wrt: "coords")
          if g != expectedGrad { mismatches.add() }
        default:
          let fresh = try model.compileJacobian(of: "uv", wrt: "coords", inputShapes: [big.shape])
          if try fresh([big]).jacobian != expectedBig { mismatches.add() }
        }
      } catch {
        mismatches.add("\(error)")
      }
    }
    #expect(mismatches.count == 0, "\(mismatches.count) results differed; errors: \(mismatches.errors)")
  }
}
