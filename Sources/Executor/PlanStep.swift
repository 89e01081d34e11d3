import GraphIR
import TensorCore

/// One kernel call of a plan: a graph node, or nodes fused into one dense layer.
enum PlanStep {
  case node(Node)
  case dense(FusedDense)

  /// Values read, in the order the kernel's `KernelIO` has them.
  var inputs: [Value] {
    switch self {
    case .node(let n): n.inputs
    case .dense(let d): d.inputs
    }
  }

  /// Values written, in `KernelIO` order.
  var outputs: [Value] {
    switch self {
    case .node(let n): n.outputs
    case .dense(let d): d.outputs
    }
  }

  var bufferRule: BufferRule {
    switch self {
    case .node(let n): n.op.bufferRule
    case .dense: .separate
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
    }
  }

  func makeKernel(_ io: KernelIO) -> Kernel? {
    switch self {
    case .node(let n): n.op.makeKernel(io)
    case .dense(let d): d.makeKernel(io)
    }
  }
}
