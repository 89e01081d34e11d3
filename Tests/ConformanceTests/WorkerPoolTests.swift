import Foundation
import Testing

@testable import Executor

/// Back-to-back parallel loops: every iteration of every loop runs exactly once, with that
/// loop's own body (a late worker must not run an earlier loop's body on a later loop).
@Test func workerPoolRunsEachIterationOnceWithItsOwnBody() {
  final class Log: @unchecked Sendable {
    let lock = NSLock()
    var runs: [[Int]] = []
    var foreign = 0
    var current = -1
  }
  let log = Log()
  let pool = WorkerPool(workers: 4)
  let jobs = 1000
  for job in 0..<jobs {
    log.lock.lock()
    log.current = job
    log.runs.append([0, 0, 0, 0])
    log.lock.unlock()
    pool.run(4) { i in
      if i == job % 4 { sched_yield() }
      log.lock.lock()
      if log.current != job { log.foreign += 1 } else { log.runs[job][i] += 1 }
      log.lock.unlock()
    }
  }
  #expect(log.foreign == 0, "\(log.foreign) iterations ran an earlier loop's body")
  #expect(log.runs.allSatisfy { $0 == [1, 1, 1, 1] }, "some iteration ran zero or several times")
}
