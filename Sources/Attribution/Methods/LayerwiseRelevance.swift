import Kernels
import Networks
import TensorCore

/// Layer-wise relevance propagation (Bach et al. 2015, "On Pixel-Wise Explanations for
/// Non-Linear Classifier Decisions by Layer-Wise Relevance Propagation", PLoS ONE 10(7)).
///
/// The explained score s (the target logit by default) is placed on the target's output unit,
/// R = s·e_c (N×K), and passed down layer by layer, each layer splitting the relevance of its
/// outputs among its inputs (Bach et al. 2015, z_k = Σ_j a_j w_jk + b_k, batch norm folded in):
/// - ε: R_j = Σ_k a_j w_jk / (z_k + ε·sign z_k) · R_k;
/// - z⁺: R_j = Σ_k (a_j w_jk)⁺ / Σ_j′ (a_j′ w_j′k)⁺ · R_k (= a_j w⁺_jk / Σ a w⁺ for a ≥ 0);
/// - αβ: R_j = Σ_k (α (a_j w_jk)⁺ / Σ_j′ (a_j′ w_j′k)⁺ − β (a_j w_jk)⁻ / Σ_j′ (a_j′ w_j′k)⁻) R_k,
///   α − β = 1.
///
/// ReLUs pass relevance unchanged, max pools give it to each window's winner, average pools
/// and residual sums split it in proportion to their inputs with denominators stabilised by
/// `stabilizer` (`BackwardRule`). The map is the relevance of the clip, N×3×T×H×W; Σ map ≈ s
/// (exactly for z⁺ and αβ wherever no denominator vanishes; the ε rule lets biases and ε absorb
/// some; Proofs/lrp-deeplift.md, P-LRP-2).
///
/// Composites (which rule each kind of layer uses), chosen to be Zennit's named composites so
/// that the cross-check is one to one:
/// - `lrp_epsilon`: ε on every convolution and dense layer (Zennit: Epsilon on both; Captum's
///   default EpsilonRule). With ε → 0 on a bias-free ReLU network it is gradient × input
///   (P-LRP-1).
/// - `lrp_zplus`: z⁺ on convolutions, ε = 1e-6 on dense layers (Zennit's `EpsilonPlus`). The
///   first convolution sees the clip, with values of both signs: it uses the both-signs form
///   of z⁺ above (Zennit's ZPlus), which keeps relevance conservative and sign-preserving
///   there, rather than a special first-layer rule (Zennit's `EpsilonPlusFlat` uses the flat
///   rule, `EpsilonGammaBox` the zB rule, which needs the pixel range).
/// - `lrp_alphabeta`: αβ on convolutions (α = 2, β = 1 by default), ε = 1e-6 on dense layers
///   (Zennit's `EpsilonAlpha2Beta1`).
///
/// Defaults: ε = 1e-6 (Zennit's Epsilon; Captum's EpsilonRule uses 1e-9), stabiliser of sums
/// and average pools 1e-9. Differences from the peers, documented in
/// Reference/attribution/lrp_deeplift/README.md: Zennit's ZPlus and AlphaBeta put the positive
/// (and negative) bias into their denominators and stabilise them by 1e-6, where Bach et al.'s formulas and
/// this package use no bias and no stabiliser (0 where a denominator vanishes); Zennit seeds
/// with whatever output relevance it is given (one-hot by default), Captum with the output
/// value as here; Captum's LRP refuses Conv3d, treats batch norm as its own layer and copies
/// relevance to both summands of a residual sum.
///
/// Li et al. did not run LRP; the default post-processing is that of gradient × input (|Σ_c|,
/// 99th percentile), the map LRP-0 reduces to. The CNN-LSTM has no LRP rule for its LSTM head:
/// the method throws there.
///
/// - Complexity: one forward and one backward pass per clip; the z⁺ and αβ backward passes
///   run each convolution 2–4 times and its transpose 2–4 times.
public struct LayerwiseRelevance: AttributionMethod {
  /// The rule of the convolutions (and, for `epsilon`, of the dense layers too).
  public enum Variant: Sendable, Hashable {
    case epsilon(Double)
    case zPlus
    case alphaBeta(alpha: Double, beta: Double)
  }

  public var variant: Variant
  public var batch: Int

  /// ε of `lrp_epsilon` when none is given: Zennit's default.
  public static let defaultEpsilon = 1e-6
  /// ε of the dense layers under z⁺ and αβ (Zennit's EpsilonPlus / EpsilonAlpha2Beta1).
  public static let denseEpsilon = 1e-6
  /// Stabiliser of the proportional splits at residual sums and average pools.
  public static let stabilizer = 1e-9

  /// - Throws: `AttributionError` when ε is negative or not finite, or when α < 1, β < 0 or
  ///   α − β ≠ 1.
  public init(_ variant: Variant, batch: Int = 8) throws {
    switch variant {
    case .epsilon(let e):
      guard e >= 0 && e.isFinite else {
        throw AttributionError.invalidValue(option: "epsilon", value: e.optionText, expected: "a finite number ≥ 0")
      }
    case .zPlus:
      break
    case .alphaBeta(let a, let b):
      guard a.isFinite && b.isFinite && a >= 1 && b >= 0 && abs(a - b - 1) <= 1e-12 else {
        throw AttributionError.conflictingOptions(
          ["alpha", "beta"], reason: "need α − β = 1 with α ≥ 1 and β ≥ 0 (e.g. α = 2, β = 1), got α = \(a), β = \(b)")
      }
    }
    self.variant = variant
    self.batch = batch
  }

  /// α and β from the options: either may be derived from the other (α − β = 1); α = 2, β = 1
  /// when neither is given.
  public static func alphaBeta(alpha: Double?, beta: Double?) -> Variant {
    switch (alpha, beta) {
    case (nil, nil): return .alphaBeta(alpha: 2, beta: 1)
    case (let a?, nil): return .alphaBeta(alpha: a, beta: a - 1)
    case (nil, let b?): return .alphaBeta(alpha: b + 1, beta: b)
    case (let a?, let b?): return .alphaBeta(alpha: a, beta: b)
    }
  }

  public var name: String {
    switch variant {
    case .epsilon: return "lrp_epsilon"
    case .zPlus: return "lrp_zplus"
    case .alphaBeta: return "lrp_alphabeta"
    }
  }

  public var parameters: [String: String] {
    var p = ["batch": "\(batch)", "stabilizer": "\(Self.stabilizer)", "composite": "\(composite)"]
    switch variant {
    case .epsilon(let e): p["epsilon"] = "\(e)"
    case .zPlus: p["dense_epsilon"] = "\(Self.denseEpsilon)"
    case .alphaBeta(let a, let b):
      p["alpha"] = "\(a)"
      p["beta"] = "\(b)"
      p["dense_epsilon"] = "\(Self.denseEpsilon)"
    }
    return p
  }

  public var defaultPostProcessing: PostProcessing { PostProcessing(channels: .absSum, normalization: .percentile(99)) }

  /// The rule of every kind of layer.
  public var composite: LRPComposite {
    switch variant {
    case .epsilon(let e):
      return LRPComposite(convolution: .epsilon(e), dense: .epsilon(e), stabilizer: Self.stabilizer)
    case .zPlus:
      return LRPComposite(convolution: .zPlus, dense: .epsilon(Self.denseEpsilon), stabilizer: Self.stabilizer)
    case .alphaBeta(let a, let b):
      return LRPComposite(
        convolution: .alphaBeta(alpha: a, beta: b), dense: .epsilon(Self.denseEpsilon), stabilizer: Self.stabilizer)
    }
  }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    let rule = BackwardRule.lrp(composite)
    try require(rule, on: network)
    return Batching.run(x, targets: targets, batch: batch) { xs, ts in
      let r = Self.relevance(xs, targets: ts, network: network, score: score, composite: composite)
      return AttributionResult(map: r.relevance, scores: r.scores)
    }
  }

  /// The relevance of clips x under `composite`, seeded with R = s·e_c at the logits, and the
  /// scores s. Also used by the tests with composites of their own (ε = 0, no stabiliser).
  public static func relevance<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore, composite: LRPComposite
  ) -> (relevance: Tensor<B.Scalar>, scores: [Double]) {
    precondition(targets.count == x.shape[0], "\(targets.count) targets for \(x.shape[0]) clips")
    let tape = Tape<B>(mode: .inference, rule: .lrp(composite))
    let logits = network.forward(x, tape: tape)
    let probabilities = score == .probability ? B.softmax(logits) : nil
    let scores = score.scores(logits: logits, targets: targets, probabilities: probabilities)
    let k = logits.shape[1]
    var seed = Tensor<B.Scalar>(shape: logits.shape, repeating: 0)
    for (n, c) in targets.enumerated() { seed.scalars[n * k + c] = B.Scalar(scores[n]) }
    return (network.backward(seed, tape: tape), scores)
  }
}
