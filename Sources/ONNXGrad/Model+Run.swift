import Executor
import GraphIR
public import TensorCore

extension Model {
  /// Runs the model: one tensor per graph output, in graph order, named.
  public func run(inputs: [String: Tensor]) throws -> [(name: String, tensor: Tensor)] {
    let x = try orderedInputs(inputs)
    let plan = try Plan(graph: graph, inputShapes: x.map(\.shape))
    return zip(outputNames, try plan.run(x)).map { ($0, $1) }
  }
}
