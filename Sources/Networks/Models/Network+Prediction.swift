import Kernels
import TensorCore

extension Network {
  /// Logits N×K of clips N×3×T×H×W, computed `batch` clips at a time (memory bounded by one
  /// batch's activations).
  ///
  /// A clip's logits do not depend on `batch`: every layer computes each clip on its own
  /// (tested for both paths).
  /// - Precondition: batch ≥ 1.
  /// - Complexity: ⌈N / batch⌉ forward passes.
  public func logits(_ x: T, batch: Int) -> T {
    precondition(batch >= 1, "batch must be ≥ 1, got \(batch)")
    let n = x.shape[0]
    var parts: [T] = []
    var start = 0
    while start < n {
      let end = Swift.min(n, start + batch)
      parts.append(logits(start == 0 && end == n ? x : x.clips(start..<end)))
      start = end
    }
    return parts.count == 1 ? parts[0] : Tensor.concatenate(parts)
  }

  /// The predicted class of every clip: the index of the largest logit, the first on ties
  /// (`torch.argmax`).
  public func predictedClasses(_ x: T, batch: Int) -> [Int] {
    Self.argmaxRows(logits(x, batch: batch))
  }

  /// argmax of every row of an N×K matrix, the first on ties.
  public static func argmaxRows(_ logits: T) -> [Int] {
    let k = logits.shape[1]
    return (0..<logits.shape[0]).map { n in
      var best = 0
      for j in 1..<k where logits.scalars[n * k + j] > logits.scalars[n * k + best] { best = j }
      return best
    }
  }
}
