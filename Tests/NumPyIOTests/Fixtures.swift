import Foundation
import NumPyIO
import TensorCore
import Testing

/// The NumPy-written fixtures and their manifest (made by tools/make_npy_fixtures.py).
enum Fixtures {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

  static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

  static func bytes(_ name: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: directory.appendingPathComponent(name))) }

  /// One array as NumPy loaded it: dtype onnxgrad maps it to, shape, and values as strings
  /// (floats in `float.hex()` form, integers in decimal).
  struct Expected: Codable, Sendable {
    var dtype: String
    var shape: [Int]
    var values: [String]
  }

  struct Case: Codable, Sendable, CustomTestStringConvertible {
    var file: String
    var dtype: String?
    var shape: [Int]?
    var values: [String]?
    /// For malformed files: the `NumPyIOError.Kind` raw value and a fragment of the message.
    var error: String?
    var contains: String?

    var testDescription: String { file }
    var expected: Expected? {
      guard let dtype, let shape, let values else { return nil }
      return Expected(dtype: dtype, shape: shape, values: values)
    }
  }

  struct Member: Codable, Sendable {
    var name: String
    var dtype: String
    var shape: [Int]
    var values: [String]
    var expected: Expected { Expected(dtype: dtype, shape: shape, values: values) }
  }

  struct Archive: Codable, Sendable, CustomTestStringConvertible {
    var file: String
    var members: [Member]
    var testDescription: String { file }
  }

  struct Golden: Codable, Sendable, CustomTestStringConvertible {
    var file: String
    var dtype: String
    var shape: [Int]
    var testDescription: String { file }
  }

  struct Manifest: Codable, Sendable {
    var numpy: String
    var cases: [Case]
    var npz: [Archive]
    var golden: [Golden]
  }

  /// The manifest, or nil when it cannot be read (a test checks that it can).
  static let manifest: Manifest? = {
    guard let data = try? Data(contentsOf: directory.appendingPathComponent("manifest.json")) else { return nil }
    return try? JSONDecoder().decode(Manifest.self, from: data)
  }()

  static var readable: [Case] { manifest?.cases.filter { $0.error == nil } ?? [] }
  static var malformed: [Case] { manifest?.cases.filter { $0.error != nil } ?? [] }

  /// The values the golden files were made from: floats `(i % 97) * 0.25 - 5`, int64 `i * 3 - 50`.
  static func goldenTensor(_ g: Golden) throws -> Tensor {
    let n = g.shape.reduce(1, *)
    switch g.dtype {
    case "float32": return try Tensor(shape: g.shape, storage: .float32((0..<n).map { Float($0 % 97) * 0.25 - 5 }))
    case "float64": return try Tensor(shape: g.shape, storage: .float64((0..<n).map { Double($0 % 97) * 0.25 - 5 }))
    default: return try Tensor(shape: g.shape, storage: .int64((0..<n).map { Int64($0) * 3 - 50 }))
    }
  }
}

/// Whether `t` holds exactly the expected dtype, shape and values (NaN matches NaN, -0 only -0).
func mismatch(_ t: Tensor, _ e: Fixtures.Expected) -> String? {
  guard t.dtype.rawValue == e.dtype else { return "dtype \(t.dtype.rawValue), expected \(e.dtype)" }
  guard t.shape == e.shape else { return "shape \(t.shape), expected \(e.shape)" }
  guard t.count == e.values.count else { return "\(t.count) values, expected \(e.values.count)" }
  switch t.storage {
  case .int64(let a):
    for (i, (v, s)) in zip(a, e.values).enumerated() where Int64(s) != v {
      return "value \(i) is \(v), expected \(s)"
    }
  case .float32, .float64, .bool:
    for (i, (v, s)) in zip(t.doubles, e.values).enumerated() {
      guard let x = Double(s) else { return "manifest value '\(s)' is not a number" }
      let same = (x.isNaN && v.isNaN) || x.bitPattern == v.bitPattern
      if !same { return "value \(i) is \(v), expected \(x) (\(s))" }
    }
  }
  return nil
}

/// The error a throwing call raised, as NumPyIOError (nil when it did not throw).
func caught<T>(_ body: () throws -> T) -> (any Error)? {
  do {
    _ = try body()
    return nil
  } catch {
    return error
  }
}

/// The raw bits of every element, so NaN and -0 compare exactly.
func bitPatterns(_ t: Tensor) -> [UInt64] {
  switch t.storage {
  case .float32(let a): a.map { UInt64($0.bitPattern) }
  case .float64(let a): a.map(\.bitPattern)
  case .int64(let a): a.map { UInt64(bitPattern: $0) }
  case .bool(let a): a.map { $0 ? 1 : 0 }
  }
}
