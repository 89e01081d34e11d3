import ArgumentParser
import ONNXGrad

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run the model and write every output as <output name>.npy.")

  @OptionGroup var options: ModelInputOptions
  @OptionGroup var stream: StreamOptions
  @Option(help: "A directory (one <output>.npy per output) or a .npz file.") var out: String

  func run() throws {
    if out.hasSuffix(".npy") {
      throw ValidationError("--out \(out): run writes every output of the model; give a directory or a .npz file")
    }
    let model = try options.loadModel()
    let rows = RowStream(arrays: try options.inputArrays(for: model, maxMemory: stream.memoryBudget()), options: stream, origin: nonFiniteOrigin(model))
    let names = model.outputNames.map(fileSafe)
    let r = try rows.run(
      chunkable: model.rowsAreIndependent(), destination: { _ in try arrayDestination(out, count: names.count) },
      reading: options.readPaths(for: model)
    ) { n in
      let compiled = try model.compileRun(inputShapes: rows.shapes(rows: n, order: model.inputNames))
      return { chunk in Array(zip(names, try compiled(model.orderedInputs(chunk)))) }
    }
    for (o, shape) in zip(r.first, r.shapes) { print("\(o.name): \(o.tensor.dtype) [\(shape.map(String.init).joined(separator: ", "))]") }
    print("wrote \(r.first.count) output\(r.first.count == 1 ? "" : "s") to \(out)")
  }
}
