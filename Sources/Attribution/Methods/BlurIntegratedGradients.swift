import Kernels
import Networks
import TensorCore

/// Blur IG (Xu, Venugopalan & Sundararajan, "Attribution in Scale and Space", CVPR 2020):
/// integrated gradients along the path of per-frame spatial Gaussian blurs, from the clip
/// blurred with σ_max to the clip itself,
///
///     BlurIG(x) = −∫₀^{σ_max} ∂x(σ)/∂σ ⊙ ∂s/∂x(x(σ)) dσ  ≈  −Σₖ Δσ · ∂x(σ)/∂σ|_{σₖ} ⊙ ∂s/∂x(x(σₖ))
///
/// (`PathIntegral.blurIntegratedGradients`). Shapes: x N×3×T×H×W → map N×3×T×H×W (raw,
/// signed), plus δ = Σᵢ BlurIGᵢ − (s(x) − s(x(σ_max))) per clip in `AttributionResult.delta`.
///
/// **Defaults (Li-TCSVT; Reference/SOURCES.md).** 25 steps, σᵢ = i·50/25 (σ_max = 50 pixels), left Riemann
/// sum in σ — the PAIR saliency library's `BlurIG.GetMask` (saliency/core/blur_ig.py: σᵢ =
/// i·max_sigma/steps for i = 0…steps−1, weight σᵢ₊₁ − σᵢ) and Li et al.'s port
/// (visual_meth/blur_integrated_grad.py, with TorchRay's `imsmooth` as the blur, which is
/// `B.gaussianBlurSpatial`). Heat map: mean_c |·|, 99.9th percentile, as their IG.
///
/// **Differences from those implementations.**
/// - The path derivative is exact (`B.gaussianBlurSpatialSigmaDerivative`, taps held at
///   2⌈4σ⌉ + 1); PAIR and Li take the forward difference (x(σ + 0.01) − x(σ))/0.01, which at
///   σᵢ = 2i (4σ an integer) also spans a jump of the tap count from 16i + 1 to 16i + 3 taps
///   (Proofs/attribution-integrals.md).
/// - The σ = 0 node is skipped (its derivative is exactly 0); PAIR and Li evaluate it.
/// - Li et al. leave out PAIR's final negation (`# intg_grads *= -1.0`), so their raw maps are
///   the negatives of these; after |·| the heat maps agree. The sign here is the paper's, for
///   which Σ BlurIG → s(x) − s(x(σ_max)).
/// - With the left rule the first cell [0, Δσ] contributes nothing (the derivative vanishes at
///   σ = 0), while on fine-grained content most of the path's change happens below σ = 2: the
///   completeness error δ can then be as large as s(x) − s(x(σ_max)) itself
///   (Proofs/attribution-integrals.md, P-IG-4). This is PAIR's and Li's convention, kept.
/// - PAIR blurs with `scipy.ndimage.gaussian_filter` (radius ⌊4σ + ½⌋, zero padding) rather
///   than TorchRay's ⌈4σ⌉ taps.
///
/// - Complexity: `steps` − 1 forward + backward passes per clip with the default rule (one
///   per node with σ > 0), 2 blurs per node, plus 2 forward passes per clip for δ.
public struct BlurIntegratedGradients: AttributionMethod {
  public var steps: Int
  public var maxSigma: Double
  public var rule: Quadrature.Rule
  public var batch: Int

  /// Li-TCSVT's settings by default.
  public init(steps: Int = 25, maxSigma: Double = 50, rule: Quadrature.Rule = .riemannLeft, batch: Int = 8) {
    self.steps = steps
    self.maxSigma = maxSigma
    self.rule = rule
    self.batch = batch
  }

  public var name: String { "blur_ig" }
  public var parameters: [String: String] {
    ["steps": "\(steps)", "max-sigma": "\(maxSigma)", "rule": rule.rawValue, "batch": "\(batch)"]
  }
  public var defaultPostProcessing: PostProcessing {
    PostProcessing(channels: .absMean, normalization: .percentile(99.9))
  }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    let quadrature = try Quadrature(rule, points: steps)
    return try PathIntegral.blurIntegratedGradients(
      x, maxSigma: maxSigma, quadrature: quadrature, batch: batch,
      score: .network(network, targets: targets, score: score), backend: B.self)
  }
}
