import Autodiff
public import TensorCore

/// Per-sample Hessians or Laplacians with the output they are taken of.
public struct SecondOrderResult: Sendable {
  /// The selected output, `[B, *selected_features]`.
  public var value: Tensor
  /// Hessian `[B, *selected_features, n, n]` or Laplacian `[B, *selected_features]`, without
  /// the feature axes for one value per sample (`[B, n, n]`, `[B]`).
  public var result: Tensor
  /// True when the graph makes every second derivative identically zero (the result is zeros).
  public var structurallyZero: Bool
}

/// `Model.hessian` or `Model.laplacian` compiled for one set of input shapes.
public struct CompiledSecondOrder: Sendable, CustomStringConvertible {
  enum Kind { case hessian, laplacian }
  let kind: Kind
  let jet: CompiledJet
  let selection: SelectedStreams
  let variables: Int
  /// The stack rows read per sample: the n×n Hessian (mirrored) or the Laplacian's summed stream.
  let picks: [Int?]

  init(_ kind: Kind, jet: CompiledJet, selection: SelectedStreams, variables n: Int) {
    self.kind = kind
    self.jet = jet
    self.selection = selection
    self.variables = n
    let layout = jet.layout
    picks =
      kind == .hessian
      ? (0..<(n * n)).map { i in layout.index(of: [i / n, i % n]).flatMap { jet.row(order: 2, index: $0) } }
      : [(layout.summedStream(order: 2) ?? layout.index(of: [0, 0])).flatMap { jet.row(order: 2, index: $0) }]
  }

  public func callAsFunction(_ inputs: [Tensor]) throws -> SecondOrderResult {
    let run = try jet(inputs)
    let result =
      kind == .hessian
      ? selection.streams(run.stack, count: jet.rows, picks: picks, trailing: [variables, variables])
      : try selection.streams(run.stack, count: jet.rows, picks: picks).reshaped([selection.batch] + selection.resultFeatures)
    return SecondOrderResult(value: selection.value(run.value), result: result, structurallyZero: jet.orders < 2)
  }

  /// The derivative graph being run, then the steps the plan fuses.
  public var description: String { jet.summary }
}

extension Model {
  /// The per-sample Hessian `∂²out[b, f] / ∂v_i ∂v_j` of the selected output with respect to the
  /// variables of `wrt` (their features in order): `[B, n, n]` for one value per sample (`uv:0`, `u [B, 1]`),
  /// `[B, *features, n, n]` otherwise. Equal to `vmap(hessian(f))`. Mixed partials are
  /// computed once (n(n+1)/2 second-order streams) and mirrored.
  public func hessian(inputs: [String: Tensor], of: OutputSelector, wrt: [String]) throws -> SecondOrderResult {
    let x = try orderedInputs(inputs)
    return try compileHessian(of: of, wrt: wrt, inputShapes: x.map(\.shape))(x)
  }

  public func compileHessian(of: OutputSelector, wrt: [String], inputShapes: [[Int]]) throws -> CompiledSecondOrder {
    let variables = try jetVariables(wrt: wrt, inputShapes: inputShapes)
    let n = variables.count
    let pairs = (0..<n).flatMap { i in (i..<n).map { [i, $0] } }
    let layout = try jetLayout { try JetLayout(variables: n, partials: pairs) }
    return try compileSecondOrder(.hessian, of: of, variables: variables, layout: layout, inputShapes: inputShapes)
  }

  /// The per-sample Laplacian `Σ_i ∂²out / ∂v_i²` of the selected output with respect to the
  /// variables of `wrt`: `[B]` for one value per sample, `[B, *features]` otherwise. Computed
  /// without the Hessian (forward Laplacian: the value, n first-order streams and one summed
  /// second-order stream), so its cost grows linearly with n.
  public func laplacian(inputs: [String: Tensor], of: OutputSelector, wrt: [String]) throws -> SecondOrderResult {
    let x = try orderedInputs(inputs)
    return try compileLaplacian(of: of, wrt: wrt, inputShapes: x.map(\.shape))(x)
  }

  public func compileLaplacian(of: OutputSelector, wrt: [String], inputShapes: [[Int]]) throws -> CompiledSecondOrder {
    let variables = try jetVariables(wrt: wrt, inputShapes: inputShapes)
    let layout = JetLayout.laplacian(variables: variables.count)
    return try compileSecondOrder(.laplacian, of: of, variables: variables, layout: layout, inputShapes: inputShapes)
  }

  private func compileSecondOrder(
    _ kind: CompiledSecondOrder.Kind, of: OutputSelector, variables: Variables, layout: JetLayout, inputShapes: [[Int]]
  ) throws -> CompiledSecondOrder {
    let what = kind == .hessian ? "Hessian" : "Laplacian"
    let jet = try compileJet(of: of.name, variables: variables, layout: layout, inputShapes: inputShapes, what: what)
    let selection = try SelectedStreams(of, outputShape: jet.outputShape, dtype: jet.dtype)
    return CompiledSecondOrder(kind, jet: jet, selection: selection, variables: variables.count)
  }
}
