public import GraphIR
public import TensorCore

/// An op whose plan kernel is written once, generically over the float element type; this
/// kind picks the f32 or f64 instance from the output's dtype, and `integerKernel` for int64.
public protocol FloatKernel: Primitive {
  func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel?
  /// The kernel for int64 outputs (shape arithmetic), or nil when the op has none.
  func integerKernel(_ io: KernelIO) -> Kernel?
}

extension FloatKernel {
  public func integerKernel(_ io: KernelIO) -> Kernel? { nil }

  public func makeKernel(_ io: KernelIO) -> Kernel? {
    switch io.outputDTypes[0] {
    case .float32: floatKernel(io, Float.self)
    case .float64: floatKernel(io, Double.self)
    case .int64: integerKernel(io)
    case .bool: nil
    }
  }
}
