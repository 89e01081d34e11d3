import ArgumentParser
import ONNXGrad

struct LaplacianCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "laplacian",
    abstract: "Per-sample Laplacian [B] of one value per sample (OUTPUT:k), or [B, *features]: the Hessian's trace, computed without the Hessian.")

  @OptionGroup var options: ModelInputOptions
  @OptionGroup var higher: HigherOrderOptions
  @OptionGroup var stream: StreamOptions
  @Option(help: "Where to write the Laplacian (.npy).") var out: String

  func run() throws {
    try higher.runSecondOrder("laplacian", options: options, stream: stream, out: out) {
      try $0.compileLaplacian(of: $1, wrt: $2, inputShapes: $3)
    }
  }
}
