import Autodiff
import TensorCore

/// The part of a jet's output that a selector names: the whole output, or component k of its
/// last axis (`uv:0`), per sample.
struct SelectedStreams: Sendable {
  let selector: OutputSelector
  let batch: Int
  /// The output's features (its shape without the batch axis).
  let features: [Int]
  let dtype: DType

  /// Checks the component against the output's shape `[B, *features]`.
  init(_ selector: OutputSelector, outputShape: [Int], dtype: DType) throws {
    self.selector = selector
    self.batch = outputShape.first ?? 0
    self.features = Array(outputShape.dropFirst())
    self.dtype = dtype
    if let k = selector.component {
      let size = features.last ?? 0
      guard k < size else { throw ONNXGradError.componentOutOfRange(output: selector.name, component: k, size: size) }
    }
  }

  /// The selected features' shape: `features`, without the last axis when a component is chosen.
  var selectedFeatures: [Int] { selector.component == nil ? features : Array(features.dropLast()) }
  var selectedCount: Int { selectedFeatures.reduce(1, *) }
  /// The feature axes a per-sample result keeps: none for one value per sample (`[B, 1]` → `[B]`).
  var resultFeatures: [Int] { selectedCount == 1 ? [] : selectedFeatures }

  /// The flat feature index, in the whole output, of the selected feature `f`.
  private func source(_ f: Int) -> Int {
    guard let k = selector.component, let last = features.last else { return f }
    return f * last + k
  }

  /// The selected output `[B, *selectedFeatures]`.
  func value(_ output: Tensor) -> Tensor {
    guard selector.component != nil else { return output }
    let all = output.doubles
    let total = features.reduce(1, *)
    var v: [Double] = []
    v.reserveCapacity(batch * selectedCount)
    for b in 0..<batch {
      for f in 0..<selectedCount { v.append(all[b * total + source(f)]) }
    }
    return Tensor(uncheckedShape: [batch] + selectedFeatures, storage: .float64(v)).converted(to: dtype)
  }

  /// `[B, *selectedFeatures, picks.count]` from a stack `[B, *features, N]` (nil: zeros):
  /// entry `[b, f, j]` is stream `picks[j]` (nil: zero) of selected feature f.
  func streams(_ stack: Tensor?, count n: Int, picks: [Int?], trailing: [Int]? = nil) -> Tensor {
    let shape = [batch] + resultFeatures + (trailing ?? [picks.count])
    guard let stack else { return Tensor.filled(0, shape: shape, dtype: dtype) }
    let all = stack.doubles
    let total = features.reduce(1, *)
    let (selected, width) = (selectedCount, picks.count)
    let sources = (0..<selected).map(source)
    let live = picks.enumerated().compactMap { j, p in p.map { (j, $0) } }
    var v = [Double](repeating: 0, count: batch * selected * width)
    all.withUnsafeBufferPointer { all in
      v.withUnsafeMutableBufferPointer { v in
        for b in 0..<batch {
          for f in 0..<selected {
            let row = (b * total + sources[f]) * n
            let out = (b * selected + f) * width
            for (j, p) in live { v[out + j] = all[row + p] }
          }
        }
      }
    }
    return Tensor(uncheckedShape: shape, storage: .float64(v)).converted(to: dtype)
  }
}
