import Kernels
import Networks
import TensorCore

/// Which class each clip's attribution explains.
public enum TargetSelection: Sendable, Equatable {
  /// The network's predicted class of each clip (the argmax of its logits) — Li et al.'s and
  /// the peers' usual choice.
  case predicted
  /// The same class for every clip.
  case fixed(Int)
  /// One class per clip.
  case perClip([Int])

  /// The target of every clip of x (N×3×T×H×W).
  ///
  /// `predicted` runs the network forward `batch` clips at a time.
  /// - Throws: `AttributionError.targetOutOfRange` for a class the network does not have,
  ///   `.targetCount` when a per-clip list does not have N entries.
  /// - Complexity: ⌈N / batch⌉ forward passes for `predicted`, O(N) otherwise.
  public func resolve<B: KernelBackend>(for x: Tensor<B.Scalar>, network: Network<B>, batch: Int) throws -> [Int] {
    let n = x.shape[0]
    let targets: [Int]
    switch self {
    case .predicted: return network.predictedClasses(x, batch: batch)
    case .fixed(let c): targets = Array(repeating: c, count: n)
    case .perClip(let list):
      guard list.count == n else { throw AttributionError.targetCount(targets: list.count, clips: n) }
      targets = list
    }
    if let bad = targets.first(where: { !(0..<network.classes).contains($0) }) {
      throw AttributionError.targetOutOfRange(target: bad, classes: network.classes)
    }
    return targets
  }
}
