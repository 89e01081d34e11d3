public import TensorCore

/// A primitive that names a float dtype of its own (a cast's target), so a model run in
/// another float precision (`--dtype f64` on an f32 model) rebuilds it for that precision;
/// every other primitive takes its float dtype from its inputs.
public protocol FloatRetargetable: Primitive {
  /// This primitive computing in the float dtype `dtype` wherever it names a float dtype.
  func retargeted(to dtype: DType) -> any Primitive
}
