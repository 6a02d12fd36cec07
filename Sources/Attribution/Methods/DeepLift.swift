import Kernels
import Networks
import TensorCore

/// DeepLIFT with the rescale rule (Shrikumar, Greenside & Kundaje 2017, "Learning Important
/// Features Through Propagating Activation Differences", ICML, §3.5.2): attribution
/// (x − x₀) ⊙ m, where the multipliers m of the target logit flow backward like gradients
/// through every linear layer (convolutions with batch norm folded, average pools, the
/// temporal shift, residual sums, fully connected layers) and, at each nonlinearity, are
/// replaced by secant slopes between the explained input x and the reference x₀:
/// - ReLU: m_in = m·(y − y₀)/(x − x₀), the gradient where x = x₀ (`DeepLiftRules.rescale`);
/// - max pool: Captum's rule, with windows that share a winner summed (`DeepLiftRules.maxPool`).
///
/// Completeness (summation-to-delta): Σ attribution = y_c(x) − y_c(x₀) per clip, to rounding,
/// on every supported network (Proofs/lrp-deeplift.md, P-DL-1); `delta` reports
/// Σ map − (y_c(x) − y_c(x₀)) per clip, like Captum's convergence delta. On a network that is
/// affine along the segment from x₀ to x the map is gradient × (x − x₀), and with one hidden
/// ReLU layer it equals integrated gradients (P-DL-2).
///
/// Baselines (`--baseline`, the same `Baseline` as integrated gradients): `zero` (Captum's
/// default, the default here: Li et al. did not run DeepLIFT), `black` (the black clip in
/// normalised space, Li et al.'s integrated-gradients baseline), `blur`, `noise` (seeded) and
/// `first_frame`.
///
/// Scores: DeepLIFT explains the logit (Shrikumar et al. §3.6 recommend the pre-softmax
/// layer); `--score probability` is refused. The CNN-LSTM is refused too: the rescale rule has
/// no multiplier for an LSTM's gates (Captum's DeepLift does not hook `nn.LSTM` and passes the
/// plain gradient through it, which breaks completeness; the cross-check records it).
///
/// Differences from Captum (`captum.attr.DeepLift`, eps 1e-10), measured in
/// Reference/attribution/lrp_deeplift/README.md: the gradient replaces the secant only where
/// x = x₀ exactly (Captum: |x − x₀| < 1e-10; see `DeepLiftRules.rescale` for why no guard is
/// needed); max-pool unpooling adds the shares of windows with a common winner (Captum's
/// `max_unpool` keeps one, so its maps on networks with overlapping max pools, such as TSM's
/// 3×3 stride-2 pool, miss part of the difference).
///
/// - Complexity: two forward passes (reference and input) and one backward pass per clip.
public struct DeepLift: AttributionMethod {
  public var baseline: Baseline
  /// Seeds the `noise` baseline (`Baseline.make`).
  public var seed: UInt64
  public var batch: Int

  public init(baseline: Baseline = .zero, seed: UInt64 = 0, batch: Int = 8) {
    self.baseline = baseline
    self.seed = seed
    self.batch = batch
  }

  public var name: String { "deeplift" }
  public var parameters: [String: String] {
    var p = ["baseline": baseline.rawValue, "rule": "rescale", "batch": "\(batch)"]
    if baseline.isRandom { p["seed"] = "\(seed)" }
    return p
  }
  public var defaultPostProcessing: PostProcessing { PostProcessing(channels: .absSum, normalization: .percentile(99)) }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    try require(.deepLiftRescale, on: network)
    guard score == .logit else {
      throw AttributionError.unsupportedScore(
        method: name, score: score.rawValue,
        reason: "deeplift explains the target logit: the rescale rule has no multiplier for the softmax")
    }
    guard x.rank == 5, x.shape[1] == 3 else {
      throw AttributionError.inputShape(method: name, expected: "N×3×T×H×W", actual: x.shape)
    }
    return Batching.run(x, targets: targets, batch: batch) { xs, ts in
      Self.rescale(xs, reference: baseline.make(for: xs, seed: seed, backend: B.self), targets: ts, network: network)
    }
  }

  /// DeepLIFT-rescale of the target logits of clips x against references x₀ of the same
  /// shape: map (x − x₀) ⊙ m, scores y_c(x), delta Σ map − (y_c(x) − y_c(x₀)) per clip.
  /// - Precondition: `network.supports(.deepLiftRescale)`, x and x₀ of the same shape.
  public static func rescale<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, reference x0: Tensor<B.Scalar>, targets: [Int], network: Network<B>
  ) -> AttributionResult<B.Scalar> {
    precondition(
      x.shape == x0.shape, "input \(Shape.describe(x.shape)) and reference \(Shape.describe(x0.shape)) differ")
    precondition(targets.count == x.shape[0], "\(targets.count) targets for \(x.shape[0]) clips")
    let referenceTape = Tape<B>(mode: .inference, rule: .deepLiftRescale)
    let referenceLogits = network.forward(x0, tape: referenceTape)
    let tape = Tape<B>(mode: .inference, rule: .deepLiftRescale, reference: referenceTape)
    let logits = network.forward(x, tape: tape)
    let (seed, _) = ExplainedScore.logit.seed(logits: logits, targets: targets, backend: B.self)
    let multipliers = network.backward(seed, tape: tape)
    let map = B.multiply(B.subtract(x, x0), multipliers)
    let scores = ExplainedScore.logit.scores(logits: logits, targets: targets, probabilities: nil)
    let referenceScores = ExplainedScore.logit.scores(logits: referenceLogits, targets: targets, probabilities: nil)
    let delta = (0..<x.shape[0]).map { n in
      Double(B.sum(map.clips(n..<(n + 1)))) - (scores[n] - referenceScores[n])
    }
    return AttributionResult(map: map, scores: scores, delta: delta)
  }
}
