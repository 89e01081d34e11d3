import ArgumentParser
import Foundation
import NumPyIO
import TensorCore

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
      note("error: '\(first)' is not an onnxgrad command; the commands are \(commands.joined(separator: ", ")) (see 'onnxgrad --help')")
      Foundation.exit(1)
    }
    BLAS.setThreads(1)
    SignalCleanup.install()
    var parsed: ParsableCommand?
    do {
      var command = try parseAsRoot()
      parsed = command
      try command.run()
    } catch let error as ValidationError {
      guard let subcommand = parsed.map({ type(of: $0) }), subcommand != OnnxgradCommand.self else { fail(error) }
      let name = subcommand.configuration.commandName ?? ""
      fail(error, usage: "Usage: \(usageString(for: subcommand))\n  See 'onnxgrad \(name) --help' for more information.")
    } catch {
      fail(error)
    }
  }

  /// Prints `error: …` (and `usage`, for an argument error found while running a subcommand) to
  /// stderr and exits with status 1; help and version requests print to stdout and exit 0.
  private static func fail(_ error: Error, usage: String? = nil) -> Never {
    let code = exitCode(for: error)
    if code == .success {
      print(fullMessage(for: error))
      Foundation.exit(0)
    }
    var message = fullMessage(for: error)
    if message.lowercased().hasPrefix("error:") { message = String(message.dropFirst("error:".count)).trimmingCharacters(in: .whitespaces) }
    message = "error: " + message
    if let usage { message = "error: \(error)\n\(usage)" }
    note(message)
    Foundation.exit(1)
  }
}

