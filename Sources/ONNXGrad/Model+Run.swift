import Executor
import GraphIR
public import TensorCore

/// The model compiled for one set of input shapes.
public struct CompiledRun: Sendable {
  let plan: ParallelPlan

  /// Every graph output for `inputs` (graph order, compiled shapes).
  public func callAsFunction(_ inputs: [Tensor]) throws -> [Tensor] { try plan.run(inputs) }
}

extension Model {
  /// Runs the model: one tensor per graph output, in graph order, named.
  public func run(inputs: [String: Tensor]) throws -> [(name: String, tensor: Tensor)] {
    let x = try orderedInputs(inputs)
    return zip(outputNames, try compileRun(inputShapes: x.map(\.shape))(x)).map { ($0, $1) }
  }

  /// Compiles the model for inputs of `inputShapes` (graph input order).
  public func compileRun(inputShapes: [[Int]]) throws -> CompiledRun {
    CompiledRun(
      plan: try ParallelPlan(graph: graph, inputShapes: inputShapes, rowIndependent: rowsIndependent(outputs: graph.outputs)))
  }
}
