import ArgumentParser
import Foundation
import ONNXGrad
import TensorCore

struct BenchCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench",
    abstract: "Time the in-process call (plan compiled once) and print median and min µs per call.",
    discussion: """
      Prints median and min microseconds per call, samples per second and the compile time; \
      with --json one object with the keys median_us, min_us, samples_per_s, compile_ms, what, \
      batch, repeat, mode and dtype. --repeat 0 (the default) times for about one second.
      """)

  @OptionGroup var options: ModelInputOptions
  @Option(help: "What to time: run, grad, jacobian, hessian, laplacian or derivatives.") var what: String = "jacobian"
  @Option(help: ArgumentHelp("The output (all but jacobian also take OUTPUT:k).", valueName: "OUTPUT"))
  var of: String?
  @Option(help: ArgumentHelp("The input (jacobian, hessian, laplacian and derivatives take a comma-separated list).", valueName: "INPUT[,INPUT…]"))
  var wrt: String?
  @Option(help: ArgumentHelp("For derivatives: the terms, as for the derivatives command.", valueName: "T1,T2,…")) var terms: String?
  @Option(help: ArgumentHelp("For derivatives: one name per variable.", valueName: "N1,N2,…")) var names: String?
  @Option(help: "For jacobian: forward, reverse or auto.") var mode: String = "auto"
  @Option(name: .customLong("repeat"), help: "Timed calls (0: as many as fit in about one second, at least 20).")
  var repetitions: Int = 0
  @Flag(help: "Print one JSON object.") var json = false
  @Flag(help: "Print the graph being timed.") var printGraph = false

  func run() throws {
    let model = try options.loadModel()
    let inputs = try model.orderedInputs(options.loadInputs(for: model))
    let shapes = inputs.map(\.shape)
    let batch = shapes.first?.first ?? 1
    let call: () throws -> Void
    var modeUsed = "-"
    let compileStart = ContinuousClock.now
    switch what {
    case "run":
      let compiled = try model.compileRun(inputShapes: shapes)
      call = { _ = try compiled(inputs) }
    case "grad":
      let selector = try OutputSelector(parsing: of ?? onlyName(model.outputNames, "output", flag: "--of"))
      let compiled = try model.compileGrad(of: selector, wrt: wrt ?? onlyName(model.inputNames, "input", flag: "--wrt"), inputShapes: shapes)
      if printGraph { print("\(compiled)") }
      call = { _ = try compiled(inputs) }
    case "jacobian":
      guard let m = JacobianMode(rawValue: mode) else { throw ValidationError("--mode must be auto, forward or reverse") }
      let compiled = try model.compileJacobian(
        of: of ?? onlyName(model.outputNames, "output", flag: "--of"), wrt: wrtList(model), mode: m, inputShapes: shapes)
      modeUsed = compiled.mode.rawValue
      if printGraph { print("\(compiled)") }
      call = { _ = try compiled(inputs) }
    case "hessian", "laplacian":
      let selector = try OutputSelector(parsing: of ?? onlyName(model.outputNames, "output", flag: "--of"))
      let compiled = what == "hessian"
        ? try model.compileHessian(of: selector, wrt: wrtList(model), inputShapes: shapes)
        : try model.compileLaplacian(of: selector, wrt: wrtList(model), inputShapes: shapes)
      if printGraph { print("\(compiled)") }
      call = { _ = try compiled(inputs) }
    case "derivatives":
      guard let terms else { throw ValidationError("--what derivatives needs --terms") }
      let selector = try OutputSelector(parsing: of ?? onlyName(model.outputNames, "output", flag: "--of"))
      let wrtNames = try wrtList(model)
      let partials = try partialTerms(terms, names: names, model: model, wrt: wrtNames, inputShapes: shapes).partials
      let compiled = try model.compileDerivatives(of: selector, wrt: wrtNames, partials: partials, inputShapes: shapes)
      if printGraph { print("\(compiled)") }
      call = { _ = try compiled(inputs) }
    default:
      throw ValidationError("--what must be run, grad, jacobian, hessian, laplacian or derivatives, got '\(what)'")
    }
    let compileMs = seconds(ContinuousClock.now - compileStart) * 1e3
    guard (0...10_000_000).contains(repetitions) else { throw ValidationError("--repeat must be 0…10,000,000, got \(repetitions)") }
    for _ in 0..<3 { try call() }
    var samples: [Double] = []
    let budgetStart = ContinuousClock.now
    while repetitions > 0 ? samples.count < repetitions : (samples.count < 20 || seconds(ContinuousClock.now - budgetStart) < 1) {
      let t0 = ContinuousClock.now
      try call()
      samples.append(seconds(ContinuousClock.now - t0) * 1e6)
    }
    samples.sort()
    let median = samples.count % 2 == 1
      ? samples[samples.count / 2] : (samples[samples.count / 2 - 1] + samples[samples.count / 2]) / 2
    let result: [String: Any] = [
      "what": what, "batch": batch, "median_us": median, "min_us": samples[0],
      "samples_per_s": Double(batch) / (median * 1e-6), "compile_ms": compileMs, "repeat": samples.count,
      "mode": modeUsed, "dtype": inputs.first?.dtype.shortName ?? "-",
    ]
    if json {
      let data = try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys])
      print(String(decoding: data, as: UTF8.self))
    } else {
      print(String(format: "%@ (batch %d, %@): median %.2f µs, min %.2f µs per call; %.0f samples/s; compile %.2f ms; %d calls",
        what, batch, modeUsed, median, samples[0], Double(batch) / (median * 1e-6), compileMs, samples.count))
    }
  }

  private func wrtList(_ model: Model) throws -> [String] {
    try wrt.map(inputList) ?? [onlyName(model.inputNames, "input", flag: "--wrt")]
  }

  private func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
  }
}
