import Attribution
import Kernels
import Networks
import TensorCore

extension SanityCheck {
  /// The random other class of each clip: uniform over the `classes − 1` classes other than
  /// its target, from `SeededRNG(seed:).split(clip index)`.
  /// - Precondition: classes ≥ 2, every target in 0..<classes.
  /// - Complexity: O(N).
  public static func otherClasses(targets: [Int], classes: Int, seed: UInt64) -> [Int] {
    precondition(classes >= 2, "a random other class needs two classes")
    return targets.enumerated().map { n, c in
      var rng = SeededRNG(seed: seed).split(UInt64(n))
      let k = rng.int(below: classes - 1)
      return k < c ? k : k + 1
    }
  }

  /// The random-logit test (Adebayo et al. 2018 §3; Quantus' `RandomLogit`): the map of a
  /// random other class (`otherClasses`) against the map of the target, clip by clip.
  ///
  /// Quantus compares the two maps with SSIM on the flattened maps (one long 1-D signal with
  /// 7-sample windows); this compares them with `comparison`'s measures on the frames.
  /// - Throws: `AttributionError` from the method; `SanityCheckError.invalidRequest` for a
  ///   network with one class.
  /// - Complexity: two attributions and N comparisons.
  public func randomLogit<B: KernelBackend>(network: Network<B>, clips: Tensor<B.Scalar>, targets: [Int]) throws
    -> Report
  {
    guard network.classes >= 2 else { throw SanityCheckError.invalidRequest("random logit needs at least two classes") }
    try network.validate(inputShape: clips.shape)
    let others = Self.otherClasses(targets: targets, classes: network.classes, seed: seed)
    let original = try method.attribute(clips, targets: targets, network: network, score: score).map
    let changed = try method.attribute(clips, targets: others, network: network, score: score).map
    let s = try step(0, Test.randomLogit.rawValue, [], original: original, changed: changed, path: path(B.self))
    return Report(method: method.name, test: .randomLogit, targets: targets, otherClasses: others, steps: [s])
  }

  /// The data-randomisation test (Adebayo et al. 2018 §4): the maps of a network trained on
  /// permuted labels (`permuted`, e.g. Reference/models/r3d_mini_permuted_labels) against
  /// those of the same architecture trained on the true labels, for the same targets.
  /// - Throws: `AttributionError` from the method; `SanityCheckError` when the maps differ in shape.
  /// - Complexity: two attributions and N comparisons.
  public func dataRandomization<B: KernelBackend>(
    trained: Network<B>, permuted: Network<B>, clips: Tensor<B.Scalar>, targets: [Int]
  ) throws -> Report {
    try trained.validate(inputShape: clips.shape)
    try permuted.validate(inputShape: clips.shape)
    let original = try method.attribute(clips, targets: targets, network: trained, score: score).map
    let changed = try method.attribute(clips, targets: targets, network: permuted, score: score).map
    let s = try step(
      0, Test.dataRandomization.rawValue, [], original: original, changed: changed, path: path(B.self))
    return Report(method: method.name, test: .dataRandomization, targets: targets, otherClasses: nil, steps: [s])
  }
}
