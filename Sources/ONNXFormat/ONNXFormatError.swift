/// Everything that can go wrong reading an ONNX model file or one of its tensors.
///
/// Each case carries the file, tensor and values involved so that a message alone says what was
/// expected and what was found.
public enum ONNXFormatError: Error, CustomStringConvertible, Sendable, Equatable {
  /// The file could not be opened or read.
  case cannotRead(path: String, reason: String)
  /// The file has no bytes at all.
  case emptyFile(path: String)
  /// protobuf-c could not parse the bytes as an ONNX `ModelProto`.
  case notAModel(path: String, byteCount: Int)
  /// An ONNX JSON file is not valid JSON (`location`: line and column) or a value in it has the
  /// wrong form (`location`: its JSON path).
  case invalidJSON(path: String, format: String, location: String, reason: String)
  /// The model parsed but holds no `graph`.
  case missingGraph(path: String)
  /// Subgraphs (If/Loop bodies, graph attributes) nest deeper than we are willing to recurse.
  case nestingTooDeep(path: String, limit: Int)
  /// A string field (a name, a location) holds a NUL byte; `field` is its path (`graph.node.name`).
  case nulInString(path: String, field: String)
  /// A tensor's dims are negative or their product overflows.
  case invalidDims(tensor: String, dims: [Int64])
  /// The tensor's element type cannot be turned into a `Tensor`.
  case unsupportedDataType(tensor: String, dataType: ONNXDataType)
  /// The payload holds a different number of elements (or bytes) than the dims need.
  case elementCountMismatch(tensor: String, dims: [Int64], expected: Int, found: Int, source: String)
  /// An element does not fit the target type (a UINT64 above `Int64.max`).
  case valueOutOfRange(tensor: String, dataType: ONNXDataType, value: String)
  /// An `external_data` entry is missing or malformed.
  case invalidExternalData(tensor: String, key: String, value: String?, reason: String)
  /// The external data location is absolute, climbs out of the model's folder, or resolves
  /// (through symbolic links) to a file outside it.
  case externalDataOutsideModelDirectory(tensor: String, location: String, modelDirectory: String)
  /// The external data file does not exist.
  case externalDataFileMissing(tensor: String, file: String)
  /// The external data file exists but cannot be read as a regular file.
  case cannotReadExternalData(tensor: String, file: String, reason: String)
  /// The external data file is shorter than offset + length, or `length` disagrees with dims.
  case externalDataTruncated(tensor: String, file: String, detail: String)

  public var description: String {
    switch self {
    case .cannotRead(let path, let reason):
      return "cannot read ONNX model '\(path)': \(reason)"
    case .cannotReadExternalData(let tensor, let file, let reason):
      return "cannot read external data file '\(file)' for tensor '\(tensor)': \(reason)"
    case .emptyFile(let path):
      return "'\(path)' is empty, expected an ONNX model (protobuf ModelProto)"
    case .notAModel(let path, let byteCount):
      return "'\(path)' (\(byteCount) bytes) is not a valid ONNX model: protobuf ModelProto decoding failed"
    case .invalidJSON(let path, let format, let location, let reason):
      return "'\(path)' is not a valid \(format) model: \(location.isEmpty ? "" : "at \(location): ")\(reason)"
    case .missingGraph(let path):
      return "ONNX model '\(path)' has no graph"
    case .nestingTooDeep(let path, let limit):
      return "ONNX model '\(path)' nests subgraphs more than \(limit) levels deep"
    case .nulInString(let path, let field):
      return "ONNX model '\(path)': the string field \(field) holds a NUL byte; names and locations must not contain NUL"
    case .invalidDims(let tensor, let dims):
      return "tensor '\(tensor)' has invalid dims \(dims): dims must be non-negative and their product must fit in Int"
    case .unsupportedDataType(let tensor, let dataType):
      return "tensor '\(tensor)' has data type \(dataType), which is not supported (supported: FLOAT, DOUBLE, FLOAT16, BFLOAT16, INT64, INT32, INT16, INT8, UINT64, UINT32, UINT16, UINT8, BOOL)"
    case .elementCountMismatch(let tensor, let dims, let expected, let found, let source):
      return "tensor '\(tensor)' with dims \(dims) needs \(expected) elements, but \(source) holds \(found)"
    case .valueOutOfRange(let tensor, let dataType, let value):
      return "tensor '\(tensor)' of type \(dataType) holds \(value), which does not fit in int64"
    case .invalidExternalData(let tensor, let key, let value, let reason):
      let shown = value.map { " = '\($0)'" } ?? ""
      return "tensor '\(tensor)' has invalid external data entry '\(key)'\(shown): \(reason)"
    case .externalDataOutsideModelDirectory(let tensor, let location, let modelDirectory):
      return "external data location '\(location)' of tensor '\(tensor)' is outside the model directory '\(modelDirectory)'; only files inside it may be read"
    case .externalDataFileMissing(let tensor, let file):
      return "external data file '\(file)' for tensor '\(tensor)' does not exist"
    case .externalDataTruncated(let tensor, let file, let detail):
      return "external data file '\(file)' for tensor '\(tensor)' is truncated: \(detail)"
    }
  }
}
