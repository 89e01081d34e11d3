import Foundation
import Synchronization
import TensorCore

/// A fixed set of worker threads that, with the calling thread, run the iterations of a
/// parallel loop. Workers spin briefly for the next loop before sleeping, so back-to-back calls
/// (a benchmark, a training loop) hand work over in well under a microsecond.
///
/// Each loop is its own `Job` with its own counters: a worker that wakes late and still holds
/// an earlier job finds that job's iterations all claimed and returns, so it can never run an
/// old body on a new loop's iterations.
final class WorkerPool: @unchecked Sendable {
  /// One worker per core beyond the caller's.
  static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

  /// One parallel loop: its body, its size, and the iterations claimed and finished.
  final class Job: @unchecked Sendable {
    let body: (Int) -> Void
    let count: Int
    let next = Atomic<Int>(0)
    let finished = Atomic<Int>(0)

    init(body: @escaping (Int) -> Void, count: Int) {
      self.body = body
      self.count = count
    }

    /// Claims and runs iterations until none are left.
    func work() {
      while true {
        let i = next.wrappingAdd(1, ordering: .acquiringAndReleasing).oldValue
        guard i < count else { return }
        body(i)
        finished.wrappingAdd(1, ordering: .releasing)
      }
    }
  }

  let workers: Int
  private let condition = NSCondition()
  private let generation = Atomic<Int>(0)
  /// The latest job; read and written under `condition`.
  private var current: Job?
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
    let job = Job(body: body, count: count)
    condition.lock()
    current = job
    generation.wrappingAdd(1, ordering: .releasing)
    condition.broadcast()
    condition.unlock()
    job.work()
    while job.finished.load(ordering: .acquiring) < count {}
    condition.lock()
    if current === job { current = nil }
    condition.unlock()
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
      let job = current
      condition.unlock()
      job?.work()
    }
  }
}
