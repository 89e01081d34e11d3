import GraphIR
import TensorCore

/// One kernel call of a plan: a graph node, or nodes fused into one kernel.
struct PlanStep {
  /// Values read (graph or folded-constant values), in the order the kernel's `KernelIO` has them.
  let inputs: [Value]
  /// Values written, in `KernelIO` order.
  let outputs: [Value]
  let bufferRule: BufferRule
  /// The outputs share one buffer, back to back in order (a fused dense layer writes its
  /// primal and tangent rows as one matrix).
  let stackedOutputs: Bool
  /// The node, when the step is not fused (its `forward` is the fallback when it has no kernel).
  let node: Node?
  /// The fused layer, when the step is one.
  let fused: FusedDense?
  /// What the step computes, for errors and printing.
  let label: String
  let kernel: (KernelIO) -> Kernel?

  init(node: Node) {
    inputs = node.inputs
    outputs = node.outputs
    bufferRule = node.op.bufferRule
    stackedOutputs = false
    self.node = node
    fused = nil
    label = "\(node.op) node '\(node.name)'"
    let op = node.op
    kernel = { op.makeKernel($0) }
  }

  init(fused dense: FusedDense) {
    inputs = dense.inputs
    outputs = dense.outputs
    bufferRule = .separate
    stackedOutputs = dense.outputs.count == 2
    node = nil
    fused = dense
    label = dense.description
    kernel = { dense.makeKernel($0) }
  }
}
