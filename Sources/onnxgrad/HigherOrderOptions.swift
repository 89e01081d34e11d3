import ArgumentParser
import Foundation
import NumPyIO
import ONNXGrad

/// The options every higher-order command shares: which output, with respect to which inputs.
struct HigherOrderOptions: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "The output, or one component of its last axis (uv:0 is u).", valueName: "OUTPUT[:k]"))
  var of: String
  @Option(
    help: ArgumentHelp(
      "The input, or several separated by commas: the variables are their features in order (may be omitted when the model has one input).",
      valueName: "INPUT[,INPUT…]"))
  var wrt: String?
  @Flag(help: "Print the derivative graph being run and the steps the plan fuses.") var printGraph = false

  func selector() throws -> OutputSelector { try OutputSelector(parsing: of) }

  func inputs(of model: Model) throws -> [String] {
    try wrt.map(inputList) ?? [onlyName(model.inputNames, "input", flag: "--wrt")]
  }
}


extension HigherOrderOptions {
  /// Compiles with `compile`, runs, says on stderr when the result is zero by construction, and
  /// writes the result to `out` (a .npy file).
  func runSecondOrder(
    _ what: String, options: ModelInputOptions, stream: StreamOptions, out: String,
    compile: (Model, OutputSelector, [String], [[Int]]) throws -> CompiledSecondOrder
  ) throws {
    guard out.hasSuffix(".npy") else { throw ValidationError("--out \(out): \(what) writes one array; give a .npy file") }
    let model = try options.loadModel()
    let wrt = try inputs(of: model)
    let selector = try selector()
    let rows = RowStream(arrays: try options.inputArrays(for: model, maxMemory: stream.memoryBudget()), options: stream, origin: nonFiniteOrigin(model))
    var zero = false
    var printed = !printGraph
    let r = try rows.run(
      chunkable: model.rowsAreIndependent(outputs: [selector.name]), destination: { _ in .npy(out) },
      reading: options.readPaths(for: model)
    ) { n in
      let compiled = try compile(model, selector, wrt, rows.shapes(rows: n, order: model.inputNames))
      if !printed { print("\(compiled)") }
      printed = true
      return { chunk in
        let r = try compiled(model.orderedInputs(chunk))
        zero = r.structurallyZero
        return [(what, r.result)]
      }
    }
    if zero {
      note("note: the \(what) of '\(of)' with respect to \(wrt.joined(separator: ", ")) is zero by construction (the graph has no second-order terms, e.g. only piecewise-linear activations)")
    }
    guard let result = r.first.first?.tensor, let shape = r.shapes.first else { return }
    print("\(what) of \(of) wrt \(wrt.joined(separator: ",")): \(result.dtype) [\(shape.map(String.init).joined(separator: ", "))] → \(out)")
    print(preview(result, total: shape.first))
  }
}

/// The terms of `--terms` (each once, trimmed) and their partials, the variables named by
/// `--names` (one per variable of `wrt`) or by default.
func partialTerms(_ terms: String, names: String?, model: Model, wrt: [String], inputShapes: [[Int]]) throws
  -> (terms: [String], partials: [[Int]])
{
  let defaults = try model.variableNames(wrt: wrt, inputShapes: inputShapes)
  var variables = defaults
  if let names {
    let list = names.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    guard list.count == defaults.names.count else {
      throw ValidationError("--names gives \(list.count) names, but \(wrt.joined(separator: ", ")) have \(defaults.names.count) variables (\(defaults.names.joined(separator: ", ")))")
    }
    variables = try VariableNames(list)
  }
  let list = terms.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
  let partials = try list.map { try variables.partial($0) }
  guard Set(list).count == list.count else { throw ValidationError("--terms '\(terms)' names a term twice") }
  return (list, partials)
}
