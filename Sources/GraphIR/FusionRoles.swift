public import TensorCore

/// Roles primitives declare so a plan can fuse them without knowing the ops (the executor
/// sees only GraphIR). A fused kernel must compute exactly what the ops it replaces compute.

/// A unary elementwise primitive that is one of the fusable activations.
public protocol ActivationPrimitive: Primitive {
  var activation: Activation { get }
}

/// Which value of an activation `y = f(x)` a derivative product reads.
public enum ActivationOperand: Sendable, Hashable {
  /// The activation's input `x`.
  case input
  /// The activation's output `y`.
  case output
}

/// A binary primitive `(t, v) ↦ t · f′` that scales a tangent (or cotangent) `t`, of the
/// shape of the result, by an activation's derivative read from `v`.
public protocol ActivationDerivativeProduct: Primitive {
  /// For `activation`, which of its values this op reads as `v`; nil when this op is not that
  /// activation's derivative product.
  func operand(for activation: Activation) -> ActivationOperand?
}

/// A product `y = A · op(W)` over `A`'s last axis, plus an optional bias `c` (a third input)
/// broadcast over rows: `A`'s rows map to `y`'s rows.
public protocol RowProduct: Primitive {
  /// Whether `W` is used transposed (`op(W) = Wᵀ`), or nil when this instance is not a plain row
  /// product (scaled, or `A` transposed).
  var weightTransposed: Bool? { get }
}

/// An elementwise sum `y = a + b` (float operands of one shape, in the case a plan fuses): a plan
/// may compute it by accumulating one operand onto the other, e.g. a product's `C = A·op(W) + C`.
public protocol ElementwiseSum: Primitive {}

/// An activation derivative product `(t, v) ↦ f′·t + terms` whose `t` is a stack of derivative
/// streams on its leading axis and which also adds second-order chain-rule terms
/// `c·f″·t[a]·t[b]` to some rows: a jet's step through the activation. A plan may fuse it into
/// a dense layer's epilogue like the plain derivative product.
public protocol SecondOrderDerivativeProduct: ActivationDerivativeProduct {
  var secondOrderTerms: [SecondOrderTerm] { get }
}
