public import GraphIR
public import TensorCore

/// Zeros shaped like `like`, after `leading` axes taken from `lead`: `y = 0` with
/// `y.shape = lead.shape[..<L] + like.shape` and `lead`'s dtype. No ONNX counterpart: derivative
/// rules use it where a symbolic-zero tangent must become a tensor (one operand of a `Concat`,
/// the branch of a `Where` nothing flows into), `lead` being another tangent that carries the
/// direction axes.
///
/// Constant in both inputs: derivatives are symbolic zeros.
public struct Zeros: FloatKernel {
  public static let name = "Zeros"
  public let leading: Int

  public init(leading: Int) { self.leading = leading }

  public var description: String { "Zeros(leading: \(leading))" }

  public func outputTypes(_ inputs: [TensorType]) throws -> [TensorType] {
    guard inputs.count == 2, inputs[0].rank >= leading, inputs[0].dtype.isFloatingPoint else {
      throw GraphError.invalidInputs(
        op: Self.name, node: "", reason: "expected a float `lead` of rank ≥ \(leading) and a `like`, got \(inputs)")
    }
    return [TensorType(inputs[0].dtype, Array(inputs[0].dims.prefix(leading)) + inputs[1].dims)]
  }

  public func forward(_ inputs: [Tensor]) throws -> [Tensor] { try forwardViaKernel(inputs) }

  public func floatKernel<T: FloatElement>(_ io: KernelIO, _: T.Type) -> Kernel? {
    let (y, n) = (io.output(0, as: T.self), io.outputCount(0))
    return { y.update(repeating: 0, count: n) }
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] { [nil] }
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] { [nil, nil] }

  /// Axis 0 is `like`'s axis 0 when nothing leads, else `lead`'s.
  public func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]? {
    [leading == 0 ? inputs[1] : inputs[0]]
  }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Zeros(leading: 1), [SampleInput([2, 5]), SampleInput([3, 4], differentiable: false)])]
  }
}
