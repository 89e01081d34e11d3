import ArgumentParser
import NumPyIO
import ONNXGrad

struct DerivativesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "derivatives",
    abstract: "Chosen partial derivatives of any order of one value per sample, each [B] (u_x, u_t, u_xx, u_xxxx, …).",
    discussion: """
      Variables are the features of the --wrt inputs in order, named by --names or by default: an \
      input with one feature by its own name, an input with n > 1 features as <input>_0 … <input>_{n-1}. \
      A term joins variable names with '.' (coords_0.coords_1), or runs them together when every name \
      is one character (xxt); order inside a term does not matter. Written: the selected output as \
      <label>.npy and each term as <label>_<term>.npy, where <label> is the output's name, or \
      <name><k> for OUTPUT:k (uv:0 → uv0.npy, uv0_xx.npy); to a .npz the same names without .npy.
      """)

  @OptionGroup var options: ModelInputOptions
  @OptionGroup var higher: HigherOrderOptions
  @OptionGroup var stream: StreamOptions
  @Option(help: ArgumentHelp("One name per variable, in order, separated by commas.", valueName: "N1,N2,…"))
  var names: String?
  @Option(help: ArgumentHelp("The partial derivatives to compute, separated by commas.", valueName: "T1,T2,…"))
  var terms: String
  @Option(help: "A directory or a .npz file.") var out: String

  func run() throws {
    if out.hasSuffix(".npy") { throw ValidationError("--out \(out): derivatives writes several arrays; give a directory or a .npz file") }
    let model = try options.loadModel()
    let selector = try higher.selector()
    let wrt = try higher.inputs(of: model)
    let rows = RowStream(arrays: try options.inputArrays(for: model, maxMemory: stream.memoryBudget()), options: stream, origin: nonFiniteOrigin(model))
    let (termList, partials) = try partialTerms(
      terms, names: names, model: model, wrt: wrt, inputShapes: rows.shapes(rows: nil, order: model.inputNames))
    let label = fileSafe(selector.component.map { "\(selector.name)\($0)" } ?? selector.name)
    var zero: [Bool] = []
    var printed = !higher.printGraph
    let r = try rows.run(
      chunkable: model.rowsAreIndependent(outputs: [selector.name]), destination: { try arrayDestination(out, count: $0.count) },
      reading: options.readPaths(for: model)
    ) { n in
      let shapes = rows.shapes(rows: n, order: model.inputNames)
      let compiled = try model.compileDerivatives(of: selector, wrt: wrt, partials: partials, inputShapes: shapes)
      if !printed { print("\(compiled)") }
      printed = true
      return { chunk in
        let r = try compiled(model.orderedInputs(chunk))
        zero = r.structurallyZero
        return [(label, r.value)] + zip(termList, r.partials).map { ("\(label)_\(fileSafe($0))", $1) }
      }
    }
    let zeroTerms = zip(termList, zero).filter(\.1).map(\.0)
    if !zeroTerms.isEmpty {
      note("note: \(zeroTerms.map { "\(label)_\($0)" }.joined(separator: ", ")) \(zeroTerms.count == 1 ? "is" : "are") zero by construction (the graph has no terms of that order, e.g. only piecewise-linear activations)")
    }
    let shape = r.shapes.first ?? []
    print("\(r.first.count) arrays of \(r.first.first?.tensor.dtype.description ?? "?") [\(shape.map(String.init).joined(separator: ", "))] → \(out): \(r.first.map(\.name).joined(separator: ", "))")
  }
}
