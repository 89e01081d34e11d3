import Foundation

/// A mutex with a scoped `withLock`.
///
/// `@unchecked Sendable`: its only field is an `NSLock`, made to be shared.
final class NSLockBox: @unchecked Sendable {
  private let lock = NSLock()
  func withLock<R>(_ body: () throws -> R) rethrows -> R {
    lock.lock()
    defer { lock.unlock() }
    return try body()
  }
}

/// Holds the first error a fallback kernel raised during a run.
///
/// `@unchecked Sendable`: used only by its plan's kernels, which run one call at a time under
/// the plan's lock.
final class ErrorSlot: @unchecked Sendable {
  private var error: Error?
  func record(_ e: Error) { if error == nil { error = e } }
  func take() -> Error? {
    defer { error = nil }
    return error
  }
}
