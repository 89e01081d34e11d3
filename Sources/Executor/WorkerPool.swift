import Foundation
import Synchronization
import TensorCore

/// A fixed set of worker threads that, with the calling thread, run the iterations of a
/// parallel loop. Workers spin briefly for the next loop before sleeping, so back-to-back calls
/// (a benchmark, a training loop) hand work over in well under a microsecond.
final class WorkerPool: @unchecked Sendable {
  /// One worker per core beyond the caller's.
  static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

  let workers: Int
  private let condition = NSCondition()
  private let generation = Atomic<Int>(0)
  private let nextIndex = Atomic<Int>(0)
  private let finished = Atomic<Int>(0)
  private var job: ((Int) -> Void)?
  private var jobCount = 0
  private let runLock = NSLock()
  /// Spin iterations a worker polls for new work before it sleeps.
  private let spinLimit = 200_000

  init(workers: Int) {
    self.workers = workers
    for _ in 0..<workers {
      let thread = Thread { [unowned self] in self.workerLoop() }
      thread.stackSize = 1 << 20
      thread.start()
    }
  }

  /// Runs `body(i)` for every `i` in `0..<count`, spread over the workers and the caller; returns
  /// when all have finished. Calls from several threads are serialised.
  func run(_ count: Int, _ body: @escaping (Int) -> Void) {
    guard count > 1, workers > 0 else {
      for i in 0..<count { body(i) }
      return
    }
    runLock.lock()
    defer { runLock.unlock() }
    condition.lock()
    job = body
    jobCount = count
    nextIndex.store(0, ordering: .relaxed)
    finished.store(0, ordering: .relaxed)
    generation.wrappingAdd(1, ordering: .releasing)
    condition.broadcast()
    condition.unlock()
    work(body, count)
    while finished.load(ordering: .acquiring) < count {}
    job = nil
  }

  private func work(_ body: (Int) -> Void, _ count: Int) {
    while true {
      let i = nextIndex.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
      guard i < count else { return }
      body(i)
      finished.wrappingAdd(1, ordering: .releasing)
    }
  }

  private func workerLoop() {
    BLAS.setThreads(1)
    var seen = 0
    while true {
      var spins = 0
      while generation.load(ordering: .acquiring) == seen && spins < spinLimit { spins += 1 }
      condition.lock()
      while generation.load(ordering: .acquiring) == seen { condition.wait() }
      seen = generation.load(ordering: .acquiring)
      let body = job
      let count = jobCount
      condition.unlock()
      if let body { work(body, count) }
    }
  }
}
