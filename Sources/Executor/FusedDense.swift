import GraphIR
import TensorCore

/// A dense layer run as one kernel: `y = f(x·op(W) + b)` and, in forward mode, its tangents
/// `ẏ = f′(x·op(W) + b) ⊙ (ẋ·op(W))` for `K` directions (`ẋ` is `[K…, B, in]`).
///
/// Replaces a row product with bias (Gemm), its activation, the tangent product (MatMul) and
/// the activation's derivative product (StepMul, TanhDerivativeMul; or TanhJetMul, whose
/// second-order terms the epilogue adds). When the plan has put `ẋ`
/// right after `x` (a previous fused layer's stacked output), primal and tangent rows are one
/// matrix `[(1+K)·B, in]` and go through one GEMM; the bias, activation and derivative are one
/// pass over the result (`VectorMath.denseEpilogue`).
struct FusedDense: CustomStringConvertible {
  /// `[x, ẋ?, W, b?]`.
  let inputs: [Value]
  /// `[y, ẏ?]`.
  let outputs: [Value]
  let activation: Activation?
  let weightTransposed: Bool
  let hasTangent: Bool
  let hasBias: Bool
  /// The second-order terms of a jet's derivative product (`TanhJetMul`), added in the epilogue.
  let secondOrder: SecondOrderTermTable?
  /// The nodes this step replaces.
  let members: [Node]

  var description: String {
    let parts = members.map { $0.name.isEmpty ? $0.op.name : "\($0.op.name) '\($0.name)'" }.joined(separator: ", ")
    return "fused dense layer (\(activation.map(\.description) ?? "no activation")\(hasTangent ? ", with tangents" : "")) of \(parts)"
  }

  func makeKernel(_ io: KernelIO) -> Kernel? {
    switch io.outputDTypes[0] {
    case .float32: kernel(io, Float.self)
    case .float64: kernel(io, Double.self)
    case .int64, .bool: nil
    }
  }

  /// Whether the kernel bound to `io` runs primal and tangent rows as one GEMM.
  func stacksRows(_ io: KernelIO) -> Bool {
    guard hasTangent else { return false }
    let byteSize = io.outputDTypes[0].byteSize
    return io.inputs[0] + io.inputCount(0) * byteSize == io.inputs[1]
      && io.outputs[0] + io.outputCount(0) * byteSize == io.outputs[1]
  }

  private func kernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel {
    let weightIndex = hasTangent ? 2 : 1
    let (rows, inFeatures) = (io.inputShapes[0][0], io.inputShapes[0][1])
    let n = io.outputShapes[0][1]
    let ldw = io.inputShapes[weightIndex][1]
    let tangentRows = hasTangent ? io.inputCount(1) / max(inFeatures, 1) : 0
    let directions = rows == 0 ? 0 : tangentRows / rows
    let x = io.input(0, as: T.self)
    let xDot: UnsafeMutablePointer<T>? = hasTangent ? io.input(1, as: T.self) : nil
    let w = io.input(weightIndex, as: T.self)
    let bias: UnsafePointer<T>? = hasBias ? UnsafePointer(io.input(weightIndex + 1, as: T.self)) : nil
    let y = io.output(0, as: T.self)
    let yDot: UnsafeMutablePointer<T>? = hasTangent ? io.output(1, as: T.self) : nil
    let (transposed, activation, secondOrder) = (weightTransposed, activation, secondOrder)
    let stacked = stacksRows(io)
    let weightIsConstant = io.constantInputs[weightIndex]
    func product(rows m: Int) -> (UnsafePointer<T>, UnsafeMutablePointer<T>) -> Void {
      BLAS.rowProduct(m: m, n: n, k: inFeatures, transB: transposed, b: w, ldb: ldw, bIsConstant: weightIsConstant)
    }
    let primalProduct = product(rows: stacked ? rows + tangentRows : rows)
    let tangentProduct = stacked || !hasTangent ? nil : product(rows: tangentRows)
    return {
      primalProduct(x, y)
      if let tangentProduct, let xDot, let yDot { tangentProduct(xDot, yDot) }
      if let secondOrder, let yDot {
        VectorMath.denseJetEpilogue(
          primal: y, tangents: yDot, rows: rows, n: n, directions: directions, bias: bias, terms: secondOrder)
      } else {
        VectorMath.denseEpilogue(
          primal: y, tangents: yDot, rows: rows, n: n, directions: directions, bias: bias, activation: activation)
      }
    }
  }
}
