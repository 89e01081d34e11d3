import ArgumentParser
import ONNXGrad

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Run the model and write every output as <output name>.npy.")

  @OptionGroup var options: ModelInputOptions
  @Option(help: "A directory (one <output>.npy per output) or a .npz file.") var out: String

  func run() throws {
    let model = try options.loadModel()
    let outputs = try model.run(inputs: options.loadInputs(for: model))
    try writeArrays(outputs, to: out, reading: options.readPaths(for: model))
    for o in outputs { print("\(o.name): \(describe(o.tensor))") }
    print("wrote \(outputs.count) output\(outputs.count == 1 ? "" : "s") to \(out)")
  }
}
