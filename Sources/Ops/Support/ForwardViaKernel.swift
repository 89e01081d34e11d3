public import GraphIR
public import TensorCore

extension Primitive {
  /// `forward` by way of the plan kernel, on temporary buffers: ops whose kernel is the only
  /// implementation (GEMM-based ones) use this, so folding and the reference path run the very
  /// code plans run.
  public func forwardViaKernel(_ inputs: [Tensor]) throws -> [Tensor] {
    let outTypes = try outputTypes(inputs.map { TensorType($0.dtype, shape: $0.shape) })
    let outShapes = outTypes.map { $0.shape ?? [] }
    func buffer(_ shape: [Int], _ dtype: DType) -> UnsafeMutableRawPointer {
      UnsafeMutableRawPointer.allocate(byteCount: max(1, shape.reduce(1, *) * dtype.byteSize), alignment: 64)
    }
    let ins = inputs.map { t -> UnsafeMutableRawPointer in
      let p = buffer(t.shape, t.dtype)
      t.copyBytes(to: p)
      return p
    }
    let outs = zip(outShapes, outTypes).map { buffer($0, $1.dtype) }
    defer { (ins + outs).forEach { $0.deallocate() } }
    let io = KernelIO(
      inputs: ins, inputShapes: inputs.map(\.shape), inputDTypes: inputs.map(\.dtype), outputs: outs,
      outputShapes: outShapes, outputDTypes: outTypes.map(\.dtype))
    guard let kernel = makeKernel(io) else {
      throw GraphError.unsupported("\(self) has no kernel for \(inputs.map(\.dtype))")
    }
    kernel()
    return zip(outs, zip(outShapes, outTypes)).map { Tensor(copyingFrom: $0, shape: $1.0, dtype: $1.1.dtype) }
  }
}
