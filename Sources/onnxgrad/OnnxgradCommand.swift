import ArgumentParser
import Foundation

/// `onnxgrad`: outputs and input derivatives of ONNX models exported from PyTorch.
@main
struct OnnxgradCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "onnxgrad",
    abstract: "Outputs and input derivatives (VJPs, per-sample Jacobians, Hessians, Laplacians, partials of any order) of ONNX models exported from PyTorch.",
    subcommands: [
      InfoCommand.self, RunCommand.self, GradCommand.self, JacobianCommand.self, HessianCommand.self, LaplacianCommand.self,
      DerivativesCommand.self, BenchCommand.self, OpsCommand.self,
    ])

  /// Parses and runs; every failure prints `error: …` to stderr and exits with status 1.
  static func main() {
    let commands = configuration.subcommands.map { $0.configuration.commandName ?? "" } + ["help"]
    if let first = CommandLine.arguments.dropFirst().first, !first.hasPrefix("-"), !commands.contains(first) {
      FileHandle.standardError.write(
        Data("error: '\(first)' is not an onnxgrad command; the commands are \(commands.joined(separator: ", ")) (see 'onnxgrad --help')\n".utf8))
      Foundation.exit(1)
    }
    do {
      var command = try parseAsRoot()
      try command.run()
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        print(fullMessage(for: error))
        Foundation.exit(0)
      }
      var message = fullMessage(for: error)
      if message.lowercased().hasPrefix("error:") { message = String(message.dropFirst("error:".count)).trimmingCharacters(in: .whitespaces) }
      message = "error: " + message
      FileHandle.standardError.write(Data((message + "\n").utf8))
      Foundation.exit(1)
    }
  }
}
