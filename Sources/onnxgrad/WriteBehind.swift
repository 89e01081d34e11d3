import Foundation

/// Runs jobs one at a time on a thread of its own, behind the caller: `submit` waits until the
/// previous job has finished (rethrowing its error) and hands over the next, so the caller
/// computes chunk k + 1 while chunk k is being written.
///
/// A job owns what it captures until it finishes: the caller touches none of it again before
/// the next `submit` or `drain` returns. `close()` ends the thread; call it when done (the
/// thread holds the object until then).
final class WriteBehind: @unchecked Sendable {
  // @unchecked Sendable: every stored property is read and written under `condition`'s lock.
  private let condition = NSCondition()
  private var pending: (() throws -> Void)?
  private var busy = false
  private var failure: Error?
  private var closed = false

  init() {
    let thread = Thread { [self] in loop() }
    thread.name = "onnxgrad write-behind"
    thread.start()
  }

  /// Waits for the previous job (throwing its error, if it failed) and starts `job`.
  func submit(_ job: @escaping () throws -> Void) throws {
    condition.lock()
    defer { condition.unlock() }
    try waitUntilIdle()
    pending = job
    busy = true
    condition.broadcast()
  }

  /// Waits for the last job; throws its error, if it failed.
  func drain() throws {
    condition.lock()
    defer { condition.unlock() }
    try waitUntilIdle()
  }

  /// With the lock held: waits for the job in hand; throws its error, if it failed.
  private func waitUntilIdle() throws {
    while busy { condition.wait() }
    if let failure {
      self.failure = nil
      throw failure
    }
  }

  /// Ends the thread once the job in hand (if any) has finished.
  func close() {
    condition.lock()
    closed = true
    condition.broadcast()
    condition.unlock()
  }

  private func loop() {
    while true {
      condition.lock()
      while pending == nil && !closed { condition.wait() }
      guard var job = pending else {
        condition.unlock()
        return
      }
      pending = nil
      condition.unlock()
      var error: Error?
      do { try job() } catch let e { error = e }
      job = {}  // what the job captured is released before the caller hears it is done
      condition.lock()
      failure = error
      busy = false
      condition.broadcast()
      condition.unlock()
    }
  }
}
