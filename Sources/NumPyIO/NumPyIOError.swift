/// An error reading or writing a `.npy` / `.npz` file; its description names the file.
///
/// The message says what was expected and what was found, e.g.
/// `x.npy: truncated: header says shape (100, 2) of '<f4' = 800 bytes of data, file has 512`.
public struct NumPyIOError: Error, CustomStringConvertible, Sendable, Equatable {
  /// What kind of problem this is (for callers and tests that branch on it).
  public enum Kind: String, Sendable, Equatable {
    /// The bytes do not start with the `.npy` magic or a known version.
    case notNPY
    /// The header is not the Python dict NumPy writes.
    case badHeader
    /// The element type is one onnxgrad does not read.
    case unsupportedDType
    /// The file ends before the data the header announces.
    case truncated
    /// A value does not fit the tensor type (e.g. a `u8` above `Int64.max`).
    case valueOutOfRange
    /// The `.npz` archive is malformed or uses a feature we do not read.
    case badArchive
    /// The caller passed something that cannot be written (duplicate or empty member names).
    case invalidArgument
    /// The operating system refused a read, write or rename.
    case io
  }

  /// The file (or source name) the error is about.
  public let file: String
  /// The category of the problem.
  public let kind: Kind
  /// What was expected and what was found, without the file name.
  public let message: String

  /// Creates an error about `file`; `message` must not repeat the file name.
  public init(file: String, kind: Kind, _ message: String) {
    self.file = file
    self.kind = kind
    self.message = message
  }

  /// `<file>: <message>`, the line the CLI prints after `error: `.
  public var description: String { "\(file): \(message)" }
}
