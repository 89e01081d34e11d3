public import GraphIR
public import TensorCore

/// Step function, `y = x > 0 ? high : low` (NaN stays NaN). No ONNX counterpart: it is the
/// derivative of ReLU (`low = 0`) and LeakyReLU (`low = α`), so both agree bit for bit with
/// PyTorch's `x > 0` masks.
///
/// Piecewise constant: derivatives are symbolic zeros.
public struct Step: UnaryElementwise {
  public static let name = "Step"
  public let low: Double
  public let high: Double

  public init(low: Double, high: Double = 1) {
    self.low = low
    self.high = high
  }

  public var description: String { "Step(low: \(low), high: \(high))" }

  public func apply<T: FloatElement>(_ x: T) -> T { x.isNaN ? x : (x > 0 ? T(high) : T(low)) }

  public func derivative(_ b: inout GraphBuilder, x: Value, y: Value) throws -> Value {
    throw GraphError.unsupported("Step has a zero derivative")
  }

  public func jvp(_ b: inout GraphBuilder, _ args: JVPArguments) throws -> [Value?] { [nil] }
  public func vjp(_ b: inout GraphBuilder, _ args: VJPArguments) throws -> [Value?] { [nil] }

  public static var conformanceCases: [ConformanceCase] {
    [ConformanceCase(Step(low: 0.2), [SampleInput([3, 4])])]
  }
}
