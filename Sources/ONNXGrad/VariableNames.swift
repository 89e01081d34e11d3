/// Names for the differentiated variables and the parser of partial-derivative terms.
///
/// Default names: an input with one feature is named by the input's own name; an input with
/// n > 1 features gives `<input>_0 … <input>_{n−1}`. A term is a sequence of variable names
/// joined by `.` (`coords_0.coords_1`), or run together when every name is a single character
/// (`xxt`); one name alone is a first partial. Order inside a term does not matter.
public struct VariableNames: Sendable, Equatable {
  public let names: [String]

  public init(_ names: [String]) throws {
    for n in names where n.isEmpty || n.contains(".") || n.contains(",") {
      throw ONNXGradError.badTerm("variable name '\(n)' must be non-empty and contain neither '.' nor ','")
    }
    guard Set(names).count == names.count else {
      throw ONNXGradError.badTerm("variable names \(names) name one variable twice")
    }
    self.names = names
  }

  /// The default names of `inputs`, each `(name, feature count)`, in order.
  public static func defaults(_ inputs: [(name: String, features: Int)]) throws -> VariableNames {
    try VariableNames(inputs.flatMap { i in i.features == 1 ? [i.name] : (0..<i.features).map { "\(i.name)_\($0)" } })
  }

  /// The variable indices of `term` (its partial derivative as a multiset, in the order given).
  public func partial(_ term: String) throws -> [Int] {
    guard !term.isEmpty else { throw ONNXGradError.badTerm("a term is empty; give variable names, e.g. 'xx'") }
    let valid = names.map { "'\($0)'" }.joined(separator: ", ")
    func lookup(_ n: String) throws -> Int {
      guard let i = names.firstIndex(of: n) else {
        throw ONNXGradError.badTerm("term '\(term)' names '\(n)', which is not a variable; the variables are \(valid)")
      }
      return i
    }
    if term.contains(".") {
      let parts = term.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
      guard !parts.contains(where: \.isEmpty) else {
        throw ONNXGradError.badTerm("term '\(term)' has an empty variable name between dots")
      }
      return try parts.map(lookup)
    }
    if let whole = names.firstIndex(of: term) { return [whole] }
    guard names.allSatisfy({ $0.count == 1 }) else {
      throw ONNXGradError.badTerm(
        "term '\(term)' is not a variable, and names run together only when every name is one character; join names with '.' (the variables are \(valid))")
    }
    return try term.map { try lookup(String($0)) }
  }
}
