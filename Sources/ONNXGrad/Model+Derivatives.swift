import Autodiff
import Executor
import GraphIR
public import TensorCore

/// Chosen partial derivatives of one scalar per sample, with the scalar.
public struct DerivativesResult: Sendable {
  /// The selected output, `[B]`.
  public var value: Tensor
  /// One `[B]` array per requested partial, in request order.
  public var partials: [Tensor]
  /// Per requested partial: true when the graph makes it identically zero (its order is pruned
  /// away, e.g. second derivatives through ReLU layers); the array then holds zeros.
  public var structurallyZero: [Bool]
}

/// `Model.derivatives` compiled for one set of input shapes.
public struct CompiledDerivatives: Sendable, CustomStringConvertible {
  let jet: CompiledJet
  let selection: SelectedStreams
  /// Per requested partial: its row in the stack (nil: structurally zero).
  let rows: [Int?]

  public func callAsFunction(_ inputs: [Tensor]) throws -> DerivativesResult {
    let run = try jet(inputs)
    let value = try selection.value(run.value).reshaped([selection.batch])
    let table = selection.streams(run.stack, count: jet.rows, picks: rows).doubles
    let partials = rows.indices.map { j in
      Tensor(
        uncheckedShape: [selection.batch],
        storage: .float64(stride(from: j, to: table.count, by: rows.count).map { table[$0] })
      ).converted(to: selection.dtype)
    }
    return DerivativesResult(value: value, partials: partials, structurallyZero: rows.map { $0 == nil })
  }

  /// The derivative graph being run, then the steps the plan fuses.
  public var description: String { jet.summary }
}

extension Model {
  /// The partial derivatives `partials` (each a list of variable indices, e.g. `[0, 0, 1]` for
  /// ∂³/∂v₀²∂v₁) of one scalar per sample, for every row of the batch: the variables are the
  /// features of the inputs `wrt` in order. `of` must select one value per sample (`uv:0`, or an
  /// output `[B]` or `[B, 1]`). Equal to nested `torch.autograd.grad` per partial.
  public func derivatives(inputs: [String: Tensor], of: OutputSelector, wrt: [String], partials: [[Int]]) throws
    -> DerivativesResult
  {
    let x = try orderedInputs(inputs)
    return try compileDerivatives(of: of, wrt: wrt, partials: partials, inputShapes: x.map(\.shape))(x)
  }

  /// Compiles `derivatives` for inputs of `inputShapes` (graph input order).
  public func compileDerivatives(of: OutputSelector, wrt: [String], partials: [[Int]], inputShapes: [[Int]]) throws
    -> CompiledDerivatives
  {
    guard !partials.isEmpty else { throw ONNXGradError.badRequest("no partial derivative requested") }
    let variables = try jetVariables(wrt: wrt, inputShapes: inputShapes)
    let layout = try jetLayout { try JetLayout(variables: variables.count, partials: partials) }
    let jet = try compileJet(of: of.name, variables: variables, layout: layout, inputShapes: inputShapes, what: "derivatives")
    let selection = try SelectedStreams(of, outputShape: jet.outputShape, dtype: jet.dtype)
    guard selection.selectedCount == 1 else {
      let hint = selection.selector.component == nil && (selection.features.last ?? 1) > 1
        ? ": select one component of its last axis, e.g. \(of.name):0" : ""
      throw ONNXGradError.shapeMismatch(
        what: "derivatives of '\(of)' need one value per sample\(hint)", expected: "[\(selection.batch)] or [\(selection.batch), 1]",
        got: "\([selection.batch] + selection.selectedFeatures)")
    }
    let positions = try partials.map { p -> (order: Int, index: Int) in
      guard let i = layout.index(of: p) else { throw ONNXGradError.badRequest("internal: partial \(p) missing from the jet") }
      return (p.count, i)
    }
    return CompiledDerivatives(jet: jet, selection: selection, rows: positions.map { jet.row(order: $0.order, index: $0.index) })
  }

  /// The default names of the variables of `wrt`.
  public func variableNames(wrt: [String], inputShapes: [[Int]]) throws -> VariableNames {
    let v = try jetVariables(wrt: wrt, inputShapes: inputShapes)
    return try VariableNames.defaults(v.inputs.map { ($0.name, $0.count) })
  }

  func jetVariables(wrt: [String], inputShapes: [[Int]]) throws -> Variables {
    let types = try Plan.concreteTypes(graph, inputShapes: inputShapes)
    return try Variables(self, wrt: wrt, types: types)
  }

  /// A layout, with its errors as `ONNXGradError`.
  func jetLayout(_ make: () throws -> JetLayout) throws -> JetLayout {
    do { return try make() } catch let error as AutodiffError { throw ONNXGradError.badRequest("\(error)") }
  }
}
