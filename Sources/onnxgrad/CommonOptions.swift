import ArgumentParser
import Foundation
import NumPyIO
import ONNXGrad
import TensorCore

/// Options every computing subcommand shares: the model, its inputs and the compute dtype.
struct ModelInputOptions: ParsableArguments {
  @Argument(help: "The model: an ONNX file (.onnx; external .onnx.data is found beside it).")
  var model: String

  @Option(
    name: .customLong("input"),
    help: ArgumentHelp(
      "An input as NAME=PATH.npy (repeat for each input), or PATH.npy for a single-input model, or PATH.npz whose members are named after the inputs.",
      valueName: "NAME=PATH"))
  var inputs: [String] = []

  @Option(help: "Compute in this dtype (f32 or f64) instead of the model's own; float inputs are converted.")
  var dtype: String?

  /// The loaded model, converted to `--dtype` if given; its notes go to stderr.
  func loadModel() throws -> Model {
    let m = try Model.load(path: model)
    for line in m.summary.notes { note("note: \(line)") }
    guard let dtype else { return m }
    switch dtype {
    case "f32", "float32": return try m.converted(to: .float32)
    case "f64", "float64": return try m.converted(to: .float64)
    default: throw ValidationError("--dtype must be f32 or f64, got '\(dtype)'")
    }
  }

  /// Where each `--input` comes from.
  enum InputSource {
    /// One array for the named input.
    case array(input: String, path: String)
    /// An `.npz` whose members are named after inputs.
    case archive(path: String)
    var path: String {
      switch self {
      case .array(_, let path), .archive(let path): path
      }
    }
  }

  /// The `--input` specifications resolved against the model's input names.
  func inputSources(for model: Model) throws -> [InputSource] {
    guard !inputs.isEmpty else {
      throw ValidationError("no --input given; the model's inputs are: \(model.inputNames.joined(separator: ", "))")
    }
    return try inputs.map { spec throws -> InputSource in
      if let eq = spec.firstIndex(of: "="), model.inputNames.contains(String(spec[..<eq])) || !spec.hasPrefix("/") && !FileManager.default.fileExists(atPath: spec) {
        let name = String(spec[..<eq])
        guard model.inputNames.contains(name) else {
          throw ValidationError("unknown input '\(name)' in --input \(spec); the model's inputs are: \(model.inputNames.map { "'\($0)'" }.joined(separator: ", "))")
        }
        return .array(input: name, path: String(spec[spec.index(after: eq)...]))
      }
      if spec.hasSuffix(".npz") { return .archive(path: spec) }
      guard model.inputNames.count == 1, let only = model.inputNames.first else {
        throw ValidationError("--input \(spec) names no input, but the model has \(model.inputNames.count) inputs (\(model.inputNames.joined(separator: ", "))); use NAME=PATH")
      }
      return .array(input: only, path: spec)
    }
  }

  /// The `--input` arrays by input name.
  func loadInputs(for model: Model) throws -> [String: Tensor] {
    var result: [String: Tensor] = [:]
    for source in try inputSources(for: model) {
      switch source {
      case .array(let name, let path):
        guard result[name] == nil else { throw ValidationError("input '\(name)' is given twice") }
        result[name] = try NPY.read(path)
      case .archive(let path):
        for member in try NPZ.read(path) {
          guard model.inputNames.contains(member.name) else {
            throw ValidationError("\(path): member '\(member.name)' is not an input; the model's inputs are: \(model.inputNames.joined(separator: ", "))")
          }
          guard result[member.name] == nil else { throw ValidationError("input '\(member.name)' is given twice") }
          result[member.name] = member.tensor
        }
      }
    }
    return result
  }

  /// The `--input` arrays by input name for streaming, each read by rows: `.npy` files and
  /// stored `.npz` members memory-mapped, deflated members inflated (bounded by `maxMemory`).
  func inputArrays(for model: Model, maxMemory: Int) throws -> [String: NPYMappedFile] {
    var result: [String: NPYMappedFile] = [:]
    for source in try inputSources(for: model) {
      switch source {
      case .array(let name, let path):
        guard result[name] == nil else { throw ValidationError("input '\(name)' is given twice") }
        result[name] = try NPYMappedFile(path)
      case .archive(let path):
        for member in try NPZ.mapped(path, maxBytes: maxMemory) {
          guard model.inputNames.contains(member.name) else {
            throw ValidationError("\(path): member '\(member.name)' is not an input; the model's inputs are: \(model.inputNames.joined(separator: ", "))")
          }
          guard result[member.name] == nil else { throw ValidationError("input '\(member.name)' is given twice") }
          result[member.name] = member.array
        }
      }
    }
    return result
  }

  /// Every file this run reads by name: the model and the `--input` files (`extra`: others, such
  /// as a seed), for `OutputTargets.refuseOverwriting`.
  func readPaths(for model: Model, extra: [String] = []) throws -> [String] {
    [self.model] + (try inputSources(for: model).map(\.path)) + extra
  }
}

/// The only name in `names` (an omitted `--of`/`--wrt`), or an error asking for `flag`.
func onlyName(_ names: [String], _ what: String, flag: String) throws -> String {
  guard names.count == 1, let only = names.first else {
    throw ValidationError("the model has \(names.count) \(what)s (\(names.joined(separator: ", "))); choose one with \(flag)")
  }
  return only
}

/// The input names of a `--wrt` list (`x,t`): non-empty and each named once.
func inputList(_ text: String) throws -> [String] {
  let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
  guard !names.contains(where: \.isEmpty) else { throw ValidationError("--wrt '\(text)' has an empty input name") }
  guard Set(names).count == names.count else { throw ValidationError("--wrt '\(text)' names an input twice") }
  return names
}

/// File names for arrays: characters outside `[A-Za-z0-9_.-]` become `_`.
func fileSafe(_ name: String) -> String {
  let safe = String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) ? $0 : "_" })
  return safe.isEmpty || safe.hasPrefix(".") ? "_" + safe : safe
}

/// Where `--out` puts `count` arrays: a `.npz`, a `.npy` (one array only) or a directory.
func arrayDestination(_ out: String, count: Int) throws -> ArrayDestination {
  if out.hasSuffix(".npz") { return .npz(out) }
  if out.hasSuffix(".npy") {
    guard count == 1 else {
      throw ValidationError("--out \(out): \(count) arrays are written here; give a directory or a .npz file")
    }
    return .npy(out)
  }
  return .directory(out)
}

/// Throws when a file in `targets` exists and is one of the files in `reading` (the same device
/// and inode, so links and other spellings of the path are caught), naming both.
func refuseOverwriting(_ targets: [String], reading: [String]) throws {
  func identity(_ path: String) -> (UInt64, UInt64)? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    return (UInt64(info.st_dev), UInt64(info.st_ino))
  }
  let sources = reading.compactMap { path in identity(path).map { (path, $0) } }
  for target in targets {
    guard let id = identity(target), let source = sources.first(where: { $0.1 == id }) else { continue }
    throw ValidationError("--out would overwrite '\(target)', which is the file this run reads as '\(source.0)'; choose another output path")
  }
}

/// A short preview of a tensor for the terminal: its first rows, then how many of `total`
/// rows (default: the tensor's own) are not shown.
func preview(_ t: Tensor, rows: Int = 3, total: Int? = nil) -> String {
  let shownRows = min(rows, t.shape.first ?? 1)
  let values = ((t.shape.isEmpty ? nil : try? t.rows(0..<shownRows)) ?? t).doubles
  let perRow = t.shape.dropFirst().reduce(1, *)
  let lastDim = t.shape.count >= 2 ? t.shape[t.shape.count - 1] : perRow
  var lines: [String] = []
  let shown = shownRows
  for r in 0..<shown {
    let row = values[(r * perRow)..<min(values.count, (r + 1) * perRow)]
    let chunks = stride(from: row.startIndex, to: row.endIndex, by: max(1, lastDim)).map { start in
      "[" + row[start..<min(row.endIndex, start + lastDim)].map { String(format: "% .6e", $0) }.joined(separator: ", ") + "]"
    }
    lines.append("  [\(r)] " + chunks.joined(separator: " "))
  }
  if let n = total ?? t.shape.first, n > shown { lines.append("  … \(n - shown) more") }
  return lines.joined(separator: "\n")
}

func describe(_ t: Tensor) -> String { "\(t.dtype) [\(t.shape.map(String.init).joined(separator: ", "))]" }
