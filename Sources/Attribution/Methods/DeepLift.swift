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
/// Baselines (`--baseline`): `zero` (Captum's default, the default here: Li et al. did not run
/// DeepLIFT) and `black`, the black clip in normalised space, (0 − μ_c)/σ_c with the Kinetics
/// statistics of SPEC §"Notation" (Li et al.'s integrated-gradients baseline). These are the
/// same names as integrated gradients' `--baseline`; this type builds them itself for now.
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
  /// The reference input x₀.
  public enum Baseline: String, Sendable, CaseIterable {
    /// x₀ = 0 (in normalised space: the mean clip).
    case zero
    /// x₀ = (0 − μ_c)/σ_c per channel, Kinetics μ, σ: a black clip after normalisation.
    case black

    /// Kinetics-400 normalisation (SPEC §"Notation").
    static let kineticsMean = [0.43216, 0.394666, 0.37645]
    static let kineticsStd = [0.22803, 0.22145, 0.216989]

    /// The reference clip for clips x (N×3×T×H×W), each element rounded once from Double.
    public func tensor<S: BinaryFloatingPoint>(like x: Tensor<S>) -> Tensor<S> {
      switch self {
      case .zero:
        return Tensor(shape: x.shape, repeating: 0)
      case .black:
        let n = x.shape[0], c = x.shape[1]
        precondition(
          c == Self.kineticsMean.count, "the black baseline needs N×3×T×H×W clips, got \(Shape.describe(x.shape))")
        let perChannel = x.count / max(n * c, 1)
        var scalars: [S] = []
        scalars.reserveCapacity(x.count)
        for _ in 0..<n {
          for ch in 0..<c {
            scalars.append(
              contentsOf: repeatElement(S(-Self.kineticsMean[ch] / Self.kineticsStd[ch]), count: perChannel))
          }
        }
        return Tensor(shape: x.shape, scalars: scalars)
      }
    }
  }

  public var baseline: Baseline
  public var batch: Int

  public init(baseline: Baseline = .zero, batch: Int = 8) {
    self.baseline = baseline
    self.batch = batch
  }

  /// The baseline named on the command line (`zero` when none is given).
  /// - Throws: `AttributionError` naming the valid baselines.
  public static func baseline(named name: String?) throws -> Baseline {
    guard let name else { return .zero }
    guard let b = Baseline(rawValue: name) else {
      throw AttributionError(
        "deeplift: unknown --baseline \"\(name)\"; valid baselines: \(Baseline.allCases.map(\.rawValue).joined(separator: ", "))"
      )
    }
    return b
  }

  public var name: String { "deeplift" }
  public var parameters: [String: String] { ["baseline": baseline.rawValue, "rule": "rescale", "batch": "\(batch)"] }
  public var defaultPostProcessing: PostProcessing { PostProcessing(channels: .absSum, normalization: .percentile(99)) }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    try require(.deepLiftRescale, on: network)
    guard score == .logit else {
      throw AttributionError(
        "deeplift explains the target logit (--score logit): the rescale rule has no multiplier for the softmax")
    }
    guard x.rank == 5, x.shape[1] == 3 else {
      throw AttributionError("deeplift needs clips N×3×T×H×W, got \(Shape.describe(x.shape))")
    }
    return Batching.run(x, targets: targets, batch: batch) { xs, ts in
      Self.rescale(xs, reference: baseline.tensor(like: xs), targets: ts, network: network)
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
      Double(B.sum(Batching.clips(map, n..<(n + 1)))) - (scores[n] - referenceScores[n])
    }
    return AttributionResult(map: map, scores: scores, delta: delta)
  }
}
