public import TensorCore

/// The buffers a kernel is bound to when a plan is compiled: fixed addresses in the plan's
/// arena, with concrete shapes. Kernels built from it run without allocating.
///
/// `@unchecked Sendable`: the pointers address one plan's arena, which only that plan's kernels
/// touch, one call at a time (`Plan` serialises its runs).
public struct KernelIO: @unchecked Sendable {
  public var inputs: [UnsafeMutableRawPointer]
  public var inputShapes: [[Int]]
  public var inputDTypes: [DType]
  public var outputs: [UnsafeMutableRawPointer]
  public var outputShapes: [[Int]]
  public var outputDTypes: [DType]
  /// Which inputs are constants of the plan: their bytes never change, so a kernel may
  /// prepare from them (pack a weight matrix) when it is built.
  public var constantInputs: [Bool]

  public init(
    inputs: [UnsafeMutableRawPointer], inputShapes: [[Int]], inputDTypes: [DType],
    outputs: [UnsafeMutableRawPointer], outputShapes: [[Int]], outputDTypes: [DType], constantInputs: [Bool]? = nil
  ) {
    self.constantInputs = constantInputs ?? inputs.map { _ in false }
    self.inputs = inputs
    self.inputShapes = inputShapes
    self.inputDTypes = inputDTypes
    self.outputs = outputs
    self.outputShapes = outputShapes
    self.outputDTypes = outputDTypes
  }

  public func input<T>(_ i: Int, as: T.Type = T.self) -> UnsafeMutablePointer<T> {
    inputs[i].assumingMemoryBound(to: T.self)
  }

  public func output<T>(_ i: Int, as: T.Type = T.self) -> UnsafeMutablePointer<T> {
    outputs[i].assumingMemoryBound(to: T.self)
  }

  public func inputCount(_ i: Int) -> Int { inputShapes[i].reduce(1, *) }
  public func outputCount(_ i: Int) -> Int { outputShapes[i].reduce(1, *) }
}

/// A kernel bound to its buffers: one call computes the node's outputs.
public typealias Kernel = () -> Void

/// How a plan may place a primitive's output.
public enum BufferRule: Sendable {
  /// The output needs its own buffer.
  case separate
  /// Elementwise: the output may overwrite an input of the same size that dies here.
  case inPlace
  /// The output is input 0's bytes unchanged (reshape-like): it shares input 0's buffer.
  case view
}
