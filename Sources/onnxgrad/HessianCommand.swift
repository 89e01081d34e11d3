import ArgumentParser
import ONNXGrad

struct HessianCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hessian",
    abstract: "Per-sample Hessian [B, n, n] of one value per sample (OUTPUT:k), or [B, *features, n, n], as vmap(hessian(f)).")

  @OptionGroup var options: ModelInputOptions
  @OptionGroup var higher: HigherOrderOptions
  @OptionGroup var stream: StreamOptions
  @Option(help: "Where to write the Hessian (.npy).") var out: String

  func run() throws {
    try higher.runSecondOrder("hessian", options: options, stream: stream, out: out) {
      try $0.compileHessian(of: $1, wrt: $2, inputShapes: $3)
    }
  }
}
