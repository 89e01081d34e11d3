import Foundation

/// A mutex with a scoped `withLock`.
final class NSLockBox: @unchecked Sendable {
  private let lock = NSLock()
  func withLock<R>(_ body: () throws -> R) rethrows -> R {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }
}
