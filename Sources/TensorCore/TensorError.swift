/// Errors raised by tensor operations; each says what was expected and what was found.
public struct TensorError: Error, CustomStringConvertible, Sendable, Equatable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
