public import GraphIR

/// An op whose VJP passes an input the output's cotangent only where a condition selects that
/// input: `Where`'s branches, `Clip`'s operand and bounds, `Max`/`Min`'s operands.
///
/// Reverse mode (`VJP.transform`) keeps the positions an input was not selected at exact zeros
/// all the way up that input's elementwise ops, so a branch whose derivative is infinite or NaN
/// where it was not taken (`√x` for x ≤ 0 behind `x > 0`) adds no NaN.
public protocol BranchSelecting: Primitive {
  /// Where input `k` receives the cotangent: a bool value that broadcasts to the output, and
  /// whether it selects where true; nil for an input that is no branch (a condition).
  func branch(_ b: inout GraphBuilder, _ primals: [Value], input k: Int) throws -> (condition: Value, takenWhenTrue: Bool)?
}
