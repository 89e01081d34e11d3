public import GraphIR
public import TensorCore

/// An elementwise function `y = f(x)` of one floating-point input.
///
/// A conforming op supplies the scalar `apply` and the derivative `f′(x)` as graph ops; this kind
/// supplies the shape rule (output type = input type), both kernels, the JVP `ẏ = f′(x)·ẋ`, the
/// VJP `x̄ = f′(x)·ȳ`, and the batch rule (rows map to rows).
public protocol UnaryElementwise: FloatKernel {
  func apply<T: FloatElement>(_ x: T) -> T
  /// `f′(x)` as a graph value of x's shape; `y` is the already computed `f(x)`.
  func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value
}

extension UnaryElementwise {
  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 1 else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "expected 1 input, got \(inputs.count)")
    }
    guard inputs[0].dtype.isFloatingPoint else {
      throw GraphError.invalidInputs(op: Self.name, node: "", reason: "input must be f32 or f64, got \(inputs[0].dtype)")
    }
    return inputs
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] {
    let x = inputs[0]
    switch x.storage {
    case .float32(let a): return [Tensor(uncheckedShape: x.shape, storage: .float32(a.map { apply($0) }))]
    case .float64(let a): return [Tensor(uncheckedShape: x.shape, storage: .float64(a.map { apply($0) }))]
    case .int64, .bool: throw GraphError.invalidInputs(op: Self.name, node: "", reason: "input must be f32 or f64")
    }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] {
    guard let t = args.tangents[0] else { return [nil] }
    let d = try derivative(&b, x: args.primals[0], y: args.outputs[0])
    return [try b.mul(t, d)]
  }

  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] {
    guard let ct = args.cotangents[0] else { return [nil] }
    let d = try derivative(&b, x: args.primals[0], y: args.outputs[0])
    return [try b.mul(ct, d)]
  }

  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? { inputs }

  public var bufferRule: BufferRule { .inPlace }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let n = io.outputCount(0)
    let (x, y) = (io.input(0, as: T.self), io.output(0, as: T.self))
    return { Kernels.unary(x, y, n) { apply($0) } }
  }
}

/// A kernel for a unary op that has whole-array vectorised routines (`VectorMath`).
func vectorKernel(
  _ io: KernelIO, f32: @escaping (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void,
  f64: @escaping (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Void
) -> Kernel? {
  let n = io.outputCount(0)
  switch io.outputDTypes[0] {
  case .float32:
    let (x, y) = (io.input(0, as: Float.self), io.output(0, as: Float.self))
    return { f32(x, y, n) }
  case .float64:
    let (x, y) = (io.input(0, as: Double.self), io.output(0, as: Double.self))
    return { f64(x, y, n) }
  case .int64, .bool:
    return nil
  }
}
