import Foundation
import TensorCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reading a tensor's payload from an external data file, confined to the model's folder.
enum ExternalData {
  /// Reads exactly `byteCount` bytes for `tensor` from its `location` at `offset`.
  static func read(tensor: ONNXTensorProto, byteCount: Int, modelDirectory: String) throws(ONNXFormatError) -> Data {
    let name = tensor.name
    guard let location = tensor.externalDataValue("location"), !location.isEmpty else {
      throw .invalidExternalData(
        tensor: name, key: "location", value: tensor.externalDataValue("location"),
        reason: "data_location is EXTERNAL but no file location is given")
    }
    let offset = try integer(tensor, key: "offset") ?? 0
    let length = try integer(tensor, key: "length")

    let file = try resolve(location: location, tensor: name, modelDirectory: modelDirectory)

    let handle: FileHandle
    do {
      handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: file))
    } catch {
      throw .cannotRead(path: file, reason: "\(error.localizedDescription)")
    }
    defer { try? handle.close() }

    let fileSize: Int
    do {
      fileSize = Int(exactly: try handle.seekToEnd()) ?? Int.max
    } catch {
      throw .cannotRead(path: file, reason: "\(error.localizedDescription)")
    }

    if let length, length != byteCount {
      throw .externalDataTruncated(
        tensor: name, file: file,
        detail: "length is \(length) bytes but dims \(tensor.dims) of \(tensor.dataType) need \(byteCount) bytes")
    }
    let (end, overflow) = offset.addingReportingOverflow(byteCount)
    guard !overflow, end <= fileSize else {
      throw .externalDataTruncated(
        tensor: name, file: file,
        detail: "needs bytes \(offset)..<\(overflow ? Int.max : end) but the file has \(fileSize) bytes")
    }
    if byteCount == 0 { return Data() }
    guard byteCount <= ShapeSize.memoryBudget / 2 else {
      throw .cannotReadExternalData(
        tensor: name, file: file, reason: "its \(byteCount) bytes do not fit in this machine's memory")
    }

    do {
      try handle.seek(toOffset: UInt64(offset))
      var data = Data()
      data.reserveCapacity(byteCount)
      // read(upToCount:) may return short counts; loop until done or end of file.
      while data.count < byteCount {
        guard let chunk = try handle.read(upToCount: byteCount - data.count), !chunk.isEmpty else { break }
        data.append(chunk)
      }
      guard data.count == byteCount else {
        throw ONNXFormatError.externalDataTruncated(
          tensor: name, file: file,
          detail: "read \(data.count) of \(byteCount) bytes at offset \(offset) before the file ended")
      }
      return data
    } catch let error as ONNXFormatError {
      throw error
    } catch {
      throw .cannotRead(path: file, reason: "\(error.localizedDescription)")
    }
  }

  /// A non-negative integer entry (`offset`, `length`), or nil when absent.
  private static func integer(_ tensor: ONNXTensorProto, key: String) throws(ONNXFormatError) -> Int? {
    guard let text = tensor.externalDataValue(key) else { return nil }
    guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
      throw .invalidExternalData(tensor: tensor.name, key: key, value: text, reason: "expected a non-negative integer")
    }
    return value
  }

  /// The real path of `location` inside `modelDirectory`.
  ///
  /// Refuses absolute locations, `..` that climbs above the folder, and links that resolve
  /// outside it (compared as real paths).
  static func resolve(location: String, tensor: String, modelDirectory: String) throws(ONNXFormatError) -> String {
    let outside = ONNXFormatError.externalDataOutsideModelDirectory(
      tensor: tensor, location: location, modelDirectory: modelDirectory)
    guard !location.contains("\0") else {
      throw .invalidExternalData(tensor: tensor, key: "location", value: nil, reason: "contains a NUL character")
    }
    guard !location.hasPrefix("/"), !location.hasPrefix("\\"), !location.hasPrefix("~") else { throw outside }
    // Windows drive paths (`C:\…`, `C:/…`) are absolute too.
    if location.count >= 2, location.dropFirst().first == ":" { throw outside }

    var depth = 0
    for component in location.split(separator: "/", omittingEmptySubsequences: true) {
      switch component {
      case ".": continue
      case "..":
        depth -= 1
        guard depth >= 0 else { throw outside }
      default: depth += 1
      }
    }

    let directory = modelDirectory.isEmpty ? "." : modelDirectory
    guard let realDirectory = realPath(directory) else {
      throw .cannotRead(path: directory, reason: "model directory cannot be resolved (\(errnoText()))")
    }
    let joined = directory.hasSuffix("/") ? directory + location : directory + "/" + location
    guard let realFile = realPath(joined) else {
      let code = errno
      if code == ENOENT || code == ENOTDIR { throw .externalDataFileMissing(tensor: tensor, file: joined) }
      throw .cannotRead(path: joined, reason: errnoText(code))
    }
    let prefix = realDirectory.hasSuffix("/") ? realDirectory : realDirectory + "/"
    guard realFile.hasPrefix(prefix) else { throw outside }

    var info = stat()
    guard stat(realFile, &info) == 0 else {
      throw .cannotReadExternalData(tensor: tensor, file: joined, reason: errnoText())
    }
    guard (info.st_mode & S_IFMT) == S_IFREG else {
      throw .cannotReadExternalData(tensor: tensor, file: joined, reason: "not a regular file")
    }
    return realFile
  }

  private static func realPath(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  private static func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
  }
}
