public import TensorCore

/// A primitive operation: its shape rule, kernels and differentiation rules in one place.
///
/// Every primitive lives in one file under `Sources/Ops`, is listed in the generated registry,
/// and is proved by the conformance checker (JVP against finite differences, VJP adjoint of JVP,
/// jacfwd == jacrev, second order).
///
/// Derivative rules are written with graph ops, never with numbers. Tangents and cotangents may
/// carry `directionAxes` extra *leading* axes (K seed directions travelling together); primal
/// values never do, so a rule combines them by right-aligned broadcasting and uses the helpers
/// in `Ops` to align operands of lower rank.
public protocol Primitive: Sendable, CustomStringConvertible {
  /// Unique name of the primitive (the registry key; ONNX name where one exists).
  static var name: String { get }

  /// Output types for input types; symbolic dimensions flow through. Throws on invalid inputs.
  func outputTypes(_ inputs: [TensorType]) throws -> [TensorType]

  /// Computes the outputs. Inputs have been checked against `outputTypes`.
  func forward(_ inputs: [Tensor]) throws -> [Tensor]

  /// Forward-mode rule: output tangents from input tangents (nil = symbolic zero).
  func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?]

  /// Reverse-mode rule: input cotangents from output cotangents (nil = symbolic zero).
  func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?]

  /// Batch-independence rule: given which inputs carry the batch on axis 0, which outputs do.
  /// Returns nil when the op mixes rows of axis 0 (the per-sample Jacobian is then not defined
  /// by one pass).
  func batchRoles(_ inputs: [BatchRole], types: [TensorType]) -> [BatchRole]?

  /// The constant this primitive produces, if it is a constant (used for folding and lowering).
  var constantValue: Tensor? { get }

  /// An allocation-free kernel bound to plan buffers, or nil to run `forward` on copies.
  func makeKernel(_ io: KernelIO) -> Kernel?

  /// Where a plan may put the output (own buffer, over a dying input, or as a view).
  var bufferRule: BufferRule { get }

  /// Instances and inputs the conformance checker runs this primitive on.
  static var conformanceCases: [ConformanceCase] { get }
}

extension Primitive {
  public var constantValue: Tensor? { nil }
  public func makeKernel(_ io: KernelIO) -> Kernel? { nil }
  public var bufferRule: BufferRule { .separate }
  public var name: String { Self.name }
}

/// Whether a value's axis 0 is the batch axis (`batched`) or the value does not depend on the
/// batch at all (`shared`: weights, constants).
public enum BatchRole: Sendable, Hashable {
  case batched
  case shared
}

/// Arguments of a JVP rule.
public struct JVPArguments: Sendable {
  public var primals: [Value]
  public var outputs: [Value]
  public var tangents: [Value?]
  /// Number of leading direction axes every tangent carries beyond its primal's rank.
  public var directionAxes: Int

  public init(primals: [Value], outputs: [Value], tangents: [Value?], directionAxes: Int) {
    self.primals = primals
    self.outputs = outputs
    self.tangents = tangents
    self.directionAxes = directionAxes
  }
}

/// Arguments of a VJP rule.
public struct VJPArguments: Sendable {
  public var primals: [Value]
  public var outputs: [Value]
  public var cotangents: [Value?]
  /// Number of leading direction axes every cotangent carries beyond its primal's rank.
  public var directionAxes: Int

  public init(primals: [Value], outputs: [Value], cotangents: [Value?], directionAxes: Int) {
    self.primals = primals
    self.outputs = outputs
    self.cotangents = cotangents
    self.directionAxes = directionAxes
  }
}

/// Where the conformance checker samples an input.
public enum SampleDomain: Sendable, Hashable {
  /// Uniform in [-2, 2], kept 0.05 away from 0 (kinks of ReLU-like ops sit at 0).
  case real
  /// Uniform in [0.2, 3] (logarithms).
  case positive
  /// |x| uniform in [0.5, 2] with random sign (denominators).
  case awayFromZero
}

/// One input of a conformance case: sampled, or a fixed constant.
public struct SampleInput: Sendable {
  public var shape: [Int]
  public var domain: SampleDomain
  /// Whether the checker differentiates with respect to this input.
  public var differentiable: Bool
  /// A fixed value given as a `Constant` node instead of a sampled graph input (sizes,
  /// indices, bounds: inputs whose value the shape rule reads). Float constants follow the
  /// dtype the case runs in.
  public var constant: Tensor?

  public init(_ shape: [Int], _ domain: SampleDomain = .real, differentiable: Bool = true) {
    self.shape = shape
    self.domain = domain
    self.differentiable = differentiable
  }

  /// A fixed input: never sampled or differentiated.
  public static func constant(_ t: Tensor) -> SampleInput {
    var s = SampleInput(t.shape, differentiable: false)
    s.constant = t
    return s
  }

  /// A fixed int64 vector (sizes, axes, indices).
  public static func ints(_ values: [Int]) -> SampleInput {
    constant(Tensor(uncheckedShape: [values.count], storage: .int64(values.map(Int64.init))))
  }
}

/// A primitive instance with inputs to check it on.
public struct ConformanceCase: Sendable, CustomStringConvertible {
  public var op: any Primitive
  public var inputs: [SampleInput]

  public init(_ op: any Primitive, _ inputs: [SampleInput]) {
    self.op = op
    self.inputs = inputs
  }

  public var description: String { "\(op) on \(inputs.map(\.shape))" }
}
