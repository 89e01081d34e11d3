import ArgumentParser
import NumPyIO
import ONNXGrad

struct JacobianCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "jacobian",
    abstract: "Per-sample Jacobian [B, *output_features, *input_features], as torch.func.vmap(torch.func.jacrev(f)); --full: the whole-batch one.",
    discussion: """
      To a .npy file only the Jacobian is written. To a directory or a .npz file, every model output \
      is written under its own name and the Jacobian as d<OUTPUT>_d<INPUT> (e.g. duv_dcoords.npy; \
      du_dx_t.npy for --wrt x,t); characters outside [A-Za-z0-9_.-] in names become _.
      """)

  @OptionGroup var options: ModelInputOptions
  @OptionGroup var stream: StreamOptions
  @Option(help: "The output (may be omitted when the model has one).") var of: String?
  @Option(
    help: ArgumentHelp(
      "The input, or several separated by commas: the variables are their features in order, and the Jacobian's last axis lists them all (may be omitted when the model has one input).",
      valueName: "INPUT[,INPUT…]"))
  var wrt: String?
  @Option(help: "forward, reverse, or auto (forward when inputs ≤ outputs).") var mode: String = "auto"
  @Option(help: "A .npy file (Jacobian only), a directory or a .npz file (outputs and Jacobian).") var out: String
  @Flag(help: "The whole-batch Jacobian [*output_shape, *input_shape] (B times the work; defined when rows mix).")
  var full = false

  func run() throws {
    guard let jacobianMode = JacobianMode(rawValue: mode) else {
      throw ValidationError("--mode must be auto, forward or reverse, got '\(mode)'")
    }
    let model = try options.loadModel()
    let output = try of ?? onlyName(model.outputNames, "output", flag: "--of")
    let wrtNames = try wrt.map(inputList) ?? [onlyName(model.inputNames, "input", flag: "--wrt")]
    if full && wrtNames.count > 1 { throw ValidationError("--full takes one input in --wrt, got \(wrtNames.count)") }
    let name = "d\(output)_d\(wrtNames.joined(separator: "_"))"
    let onlyJacobian = out.hasSuffix(".npy")
    let rows = RowStream(arrays: try options.inputArrays(for: model, maxMemory: stream.memoryBudget()), options: stream, origin: nonFiniteOrigin(model))
    var modeUsed = jacobianMode
    let r = try rows.run(
      chunkable: !full && model.rowsAreIndependent(), destination: { try arrayDestination(out, count: $0.count) },
      reading: options.readPaths(for: model)
    ) { n in
      let shapes = rows.shapes(rows: n, order: model.inputNames)
      if full {
        return { chunk in
          let r = try model.fullJacobian(inputs: chunk, of: output, wrt: wrtNames[0], mode: jacobianMode)
          modeUsed = r.mode
          return (onlyJacobian ? [] : r.outputs.map { (fileSafe($0.name), $0.tensor) }) + [(fileSafe(name), r.jacobian)]
        }
      }
      let compiled = try model.compileJacobian(of: output, wrt: wrtNames, mode: jacobianMode, inputShapes: shapes)
      modeUsed = compiled.mode
      return { chunk in
        let r = try compiled(model.orderedInputs(chunk))
        return (onlyJacobian ? [] : r.outputs.map { (fileSafe($0.name), $0.tensor) }) + [(fileSafe(name), r.jacobian)]
      }
    }
    guard let jacobian = r.first.last?.tensor, let shape = r.shapes.last else { return }
    print("\(name): \(jacobian.dtype) [\(shape.map(String.init).joined(separator: ", "))], \(modeUsed.rawValue) mode → \(out)")
    print(preview(jacobian, total: shape.first))
  }
}
