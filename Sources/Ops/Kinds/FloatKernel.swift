public import GraphIR
public import TensorCore

/// An op whose plan kernel is written once, generically over the float element type; this
/// kind picks the f32 or f64 instance from the output's dtype (int64 has no kernel).
public protocol FloatKernel: Primitive {
  func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel?
}

extension FloatKernel {
  public func makeKernel(_ io: KernelIO) -> Kernel? {
    switch io.outputDTypes[0] {
    case .float32: floatKernel(io, Float.self)
    case .float64: floatKernel(io, Double.self)
    case .int64: nil
    }
  }
}
