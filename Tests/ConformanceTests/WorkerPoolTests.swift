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

/// Iterations slower than the polling window and pauses longer than it: the caller sleeps until
/// the last iteration signals, workers sleep until the next loop wakes them, and nothing is lost.
@Test func workerPoolSleepsAndWakesWithoutLosingIterations() {
  final class Counter: @unchecked Sendable {
    let lock = NSLock()
    var value = 0
  }
  let counter = Counter()
  let pool = WorkerPool(workers: 2)
  for round in 0..<30 {
    pool.run(6) { i in
      if i % 3 == round % 3 { usleep(200) }
      counter.lock.lock()
      counter.value += 1
      counter.lock.unlock()
    }
    if round % 5 == 0 { usleep(500) }
  }
  #expect(counter.value == 30 * 6)
}

@Test func threadCountComesFromTheEnvironment() {
  #expect(WorkerPool.configuredThreads(environment: ["ONNXGRAD_THREADS": "1"]) == 1)
  #expect(WorkerPool.configuredThreads(environment: ["ONNXGRAD_THREADS": "3"]) == 3)
  let cores = ProcessInfo.processInfo.activeProcessorCount
  for ignored in ["0", "-2", "two", ""] {
    #expect(WorkerPool.configuredThreads(environment: ["ONNXGRAD_THREADS": ignored]) == cores)
  }
  #expect(WorkerPool.configuredThreads(environment: [:]) == cores)
}
