import Foundation
import Synchronization
import TensorCore

/// A fixed set of worker threads that, with the calling thread, run the iterations of a
/// parallel loop.
///
/// Waiting is polite: a worker polls for the next loop for up to `pollNanoseconds`, yielding
/// the core at every poll (`sched_yield`), then sleeps on a condition; the caller, once no
/// iteration is left to claim, waits for the claimed ones the same way. Back-to-back calls (a
/// benchmark, a training loop) still hand work over in about a microsecond, while on a loaded
/// machine no thread spins on a core another process needs: there the caller claims every
/// iteration a descheduled worker has not, so the parallel path is no slower than one thread.
///
/// Each loop is its own `Job` with its own counters: a worker that wakes late and still holds
/// an earlier job finds that job's iterations all claimed and returns, so it can never run an
/// old body on a new loop's iterations.
///
/// `@unchecked Sendable`: `current` is read and written only under `condition`; everything else
/// is immutable or atomic.
final class WorkerPool: @unchecked Sendable {
  /// One worker per core beyond the caller's, or `ONNXGRAD_THREADS` − 1 when that is set (1:
  /// no workers, everything on the calling thread).
  static let shared = WorkerPool(workers: max(0, configuredThreads() - 1))

  /// `ONNXGRAD_THREADS` when it is a positive whole number, else the active core count.
  static func configuredThreads(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
    if let text = environment["ONNXGRAD_THREADS"], let n = Int(text), n > 0 { return min(n, 1024) }
    return ProcessInfo.processInfo.activeProcessorCount
  }

  /// One parallel loop: its body, its size, and the iterations claimed and finished.
  ///
  /// `@unchecked Sendable`: the body is only called, and the counters are atomics.
  final class Job: @unchecked Sendable {
    let body: (Int) -> Void
    let count: Int
    let next = Atomic<Int>(0)
    let finished = Atomic<Int>(0)
    /// Signalled by whoever finishes the last iteration.
    let done = NSCondition()

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
        if finished.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == count {
          done.lock()
          done.broadcast()
          done.unlock()
        }
      }
    }

    var isFinished: Bool { finished.load(ordering: .acquiring) == count }

    /// Returns once every iteration has finished: polls (yielding the core) for up to
    /// `pollNanoseconds`, then sleeps until the last iteration signals.
    func waitUntilFinished(pollNanoseconds: UInt64) {
      if WorkerPool.poll(for: pollNanoseconds, until: { isFinished }) { return }
      done.lock()
      while !isFinished { done.wait() }
      done.unlock()
    }
  }

  let workers: Int
  private let condition = NSCondition()
  private let generation = Atomic<Int>(0)
  /// The latest job; read and written under `condition`.
  private var current: Job?
  private let runLock = NSLock()
  /// How long an idle thread polls before it sleeps.
  static let pollNanoseconds: UInt64 = 50_000

  init(workers: Int) {
    self.workers = workers
    for _ in 0..<workers {
      // Strong: a worker may start after its creator let go of the pool, and threads never end.
      let thread = Thread { self.workerLoop() }
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
    job.waitUntilFinished(pollNanoseconds: Self.pollNanoseconds)
    condition.lock()
    if current === job { current = nil }
    condition.unlock()
  }

  /// Polls `ready` for up to `nanoseconds`, yielding the core between polls; whether it became true.
  static func poll(for nanoseconds: UInt64, until ready: () -> Bool) -> Bool {
    let start = DispatchTime.now().uptimeNanoseconds
    while !ready() {
      guard DispatchTime.now().uptimeNanoseconds - start < nanoseconds else { return false }
      sched_yield()
    }
    return true
  }

  private func workerLoop() {
    BLAS.useOneThreadOnThisThread()
    var seen = 0
    while true {
      if !Self.poll(for: Self.pollNanoseconds, until: { generation.load(ordering: .acquiring) != seen }) {
        condition.lock()
        while generation.load(ordering: .acquiring) == seen { condition.wait() }
        condition.unlock()
      }
      condition.lock()
      seen = generation.load(ordering: .acquiring)
      let job = current
      condition.unlock()
      job?.work()
    }
  }
}
