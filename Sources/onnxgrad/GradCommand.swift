import ArgumentParser
import NumPyIO
import ONNXGrad

struct GradCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grad",
    abstract: "torch.autograd.grad(out, inp, grad_outputs=seed): the vector-Jacobian product, shaped like the input.")

  @OptionGroup var options: ModelInputOptions
  @OptionGroup var stream: StreamOptions
  @Option(help: ArgumentHelp("The output, or one component of its last axis (uv:0 is u).", valueName: "OUTPUT[:k]"))
  var of: String
  @Option(help: "The input to differentiate with respect to.") var wrt: String
  @Option(help: "grad_outputs as .npy, shaped like the selected output (default: ones).") var seed: String?
  @Option(help: "Where to write the result (.npy).") var out: String

  /// The key the seed travels under among the chunked arrays (not an input name).
  static let seedKey = "\u{0}seed"

  func run() throws {
    guard out.hasSuffix(".npy") else { throw ValidationError("--out \(out): grad writes one array; give a .npy file") }
    let model = try options.loadModel()
    let selector = try OutputSelector(parsing: of)
    var arrays = try options.inputArrays(for: model, maxMemory: stream.memoryBudget())
    if let seed { arrays[Self.seedKey] = try NPYMappedFile(seed) }
    let rows = RowStream(arrays: arrays, options: stream, origin: nonFiniteOrigin(model))
    let r = try rows.run(
      chunkable: model.rowsAreIndependent(outputs: [selector.name]), destination: { _ in .npy(out) },
      reading: options.readPaths(for: model, extra: seed.map { [$0] } ?? [])
    ) { n in
      let compiled = try model.compileGrad(of: selector, wrt: wrt, inputShapes: rows.shapes(rows: n, order: model.inputNames))
      return { chunk in
        var inputs = chunk
        let seedRows = inputs.removeValue(forKey: Self.seedKey)
        return [("grad", try compiled(model.orderedInputs(inputs), seed: seedRows))]
      }
    }
    guard let g = r.first.first?.tensor, let shape = r.shapes.first else { return }
    print("d(\(selector))/d(\(wrt)): \(g.dtype) [\(shape.map(String.init).joined(separator: ", "))] → \(out)")
    print(preview(g, total: shape.first))
  }
}
