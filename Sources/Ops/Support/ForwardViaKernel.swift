public import GraphIR
public import TensorCore

extension Primitive {
  /// `forward` by way of the plan kernel, on temporary buffers, so folding and the reference
  /// path run the very code plans run. Every input's known elements are in its type (so shape
  /// rules that read sizes or indices from values see them) and every input is marked constant
  /// (so kernels may read index inputs, or prepare weights, when they are built).
  public func forwardViaKernel(_ inputs: [Tensor]) throws -> [Tensor] {
    let outTypes = try outputTypes(inputs.map { TensorType(of: $0) })
    let outShapes = try outTypes.map { t -> [Int] in
      guard let shape = t.shape else {
        throw GraphError.invalidInputs(op: name, node: "", reason: "output shape \(t) is not known from the inputs")
      }
      return shape
    }
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
      outputShapes: outShapes, outputDTypes: outTypes.map(\.dtype), constantInputs: inputs.map { _ in true })
    guard let kernel = makeKernel(io) else {
      throw GraphError.invalidInputs(op: name, node: "", reason: "no kernel for \(inputs.map { "\($0.dtype)\($0.shape)" })")
    }
    kernel()
    return zip(outs, zip(outShapes, outTypes)).map { Tensor(copyingFrom: $0, shape: $1.0, dtype: $1.1.dtype) }
  }
}
