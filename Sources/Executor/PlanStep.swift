import GraphIR
import TensorCore

/// One kernel call of a plan: a graph node, nodes fused into one dense layer, or a product
/// fused with the sum that reads it.
enum PlanStep {
  case node(Node)
  case dense(FusedDense)
  case accumulate(AccumulatedProduct)

  /// Values read, in the order the kernel's `KernelIO` has them.
  var inputs: [Value] {
    switch self {
    case .node(let n): n.inputs
    case .dense(let d): d.inputs
    case .accumulate(let p): p.inputs
    }
  }

  /// Values written, in `KernelIO` order.
  var outputs: [Value] {
    switch self {
    case .node(let n): n.outputs
    case .dense(let d): d.outputs
    case .accumulate(let p): p.outputs
    }
  }

  var bufferRule: BufferRule {
    switch self {
    case .node(let n): n.op.bufferRule
    case .dense: .separate
    case .accumulate: .inPlace
    }
  }

  /// For `.inPlace`: the inputs whose buffer the output may take (when one dies here), and
  /// whether that buffer must be no other input's (a product's operands must not be its output).
  var inPlaceCandidates: (inputs: [Value], exclusive: Bool) {
    switch self {
    case .node(let n): (n.inputs, false)
    case .dense(let d): (d.inputs, false)
    case .accumulate(let p): (Array(p.inputs.prefix(1)), true)
    }
  }

  /// The outputs share one buffer, back to back in order (a fused dense layer writes its
  /// primal and tangent rows as one matrix).
  var stackedOutputs: Bool {
    if case .dense = self { true } else { false }
  }

  /// What the step computes, for errors and printing.
  var label: String {
    switch self {
    case .node(let n): "\(n.op) node '\(n.name)'"
    case .dense(let d): d.description
    case .accumulate(let p): p.description
    }
  }

  func makeKernel(_ io: KernelIO) -> Kernel? {
    switch self {
    case .node(let n): n.op.makeKernel(io)
    case .dense(let d): d.makeKernel(io)
    case .accumulate(let p): p.makeKernel(io)
    }
  }
}
