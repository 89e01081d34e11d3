import ArgumentParser
import NumPyIO
import ONNXGrad

struct GradCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "grad",
    abstract: "torch.autograd.grad(out, inp, grad_outputs=seed): the vector-Jacobian product, shaped like the input.")

  @OptionGroup var options: ModelInputOptions
  @Option(help: ArgumentHelp("The output, or one component of its last axis (uv:0 is u).", valueName: "OUTPUT[:k]"))
  var of: String
  @Option(help: "The input to differentiate with respect to.") var wrt: String
  @Option(help: "grad_outputs as .npy, shaped like the selected output (default: ones).") var seed: String?
  @Option(help: "Where to write the result (.npy).") var out: String

  func run() throws {
    guard out.hasSuffix(".npy") else { throw ValidationError("--out \(out): grad writes one array; give a .npy file") }
    let model = try options.loadModel()
    let selector = try OutputSelector(parsing: of)
    let seedTensor = try seed.map { try NPY.read($0) }
    let g = try model.grad(inputs: options.loadInputs(for: model), of: selector, wrt: wrt, seed: seedTensor)
    try writeArray(g, to: out, reading: options.readPaths(for: model, extra: seed.map { [$0] } ?? []))
    print("d(\(selector))/d(\(wrt)): \(describe(g)) → \(out)")
    print(preview(g))
  }
}
