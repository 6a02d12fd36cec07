import Kernels
import TensorCore

/// The noise-averaged gradients of SmoothGrad, SmoothGrad² and VarGrad, on any `BatchScore`.
///
/// For clip x and S noise samples εₛ (given by the caller), with gₛ = ∂s/∂x(x + εₛ):
///
///     SmoothGrad   = (1/S) Σₛ gₛ                 (Smilkov et al. 2017, eq. 3)
///     SmoothGrad²  = (1/S) Σₛ gₛ ⊙ gₛ            (Hooker et al. 2019's SG-SQ; Captum's smoothgrad_sq)
///     VarGrad      = (1/S) Σₛ (gₛ − SG) ⊙ (gₛ − SG)   (Adebayo et al. 2018; population variance)
///
/// VarGrad is the population variance, as Captum's NoiseTunnel (E[g²] − E[g]²), so that
/// VarGrad = SG² − SG ⊙ SG (P-SG-2). It is accumulated with Welford's update (mean and sum of
/// squared deviations, one sample at a time) instead of Captum's difference of two means, which
/// loses every digit when the variance is small against the squared mean. Li et al. call
/// `torch.var`, the unbiased variance, S/(S−1) times this; their percentile normalisation is
/// scale-invariant, so their heat maps are the same.
///
/// Samples are processed per clip in order s = 0…S−1, at most `batch` noisy clips per call, so
/// the result does not depend on `batch`.
public enum NoiseAverage {
  /// Which statistic of the sampled gradients is returned.
  public enum Statistic: String, Sendable, CaseIterable {
    case mean
    case meanOfSquares = "mean_of_squares"
    case variance
  }

  /// The statistic of the gradients at x + εₙₛ, for clips x (N × point shape).
  /// - Parameter noise: εₙₛ for clip n and sample s (shape 1 × point shape), absolute.
  /// - Returns: the map (shape of x) and s(x) per clip.
  /// - Complexity: N·S gradient evaluations in ⌈N·S/batch⌉ calls, plus ⌈N/batch⌉ value-only
  ///   calls for s(x).
  public static func gradients<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, samples: Int, statistic: Statistic, noise: (Int, Int) -> Tensor<B.Scalar>, batch: Int,
    score: BatchScore<B.Scalar>, backend: B.Type
  ) throws -> AttributionResult<B.Scalar> {
    precondition(samples >= 1, "noise averaging needs at least one sample, got \(samples)")
    let n = x.shape[0], s = samples
    let xs = (0..<n).map { x.clips($0..<($0 + 1)) }
    // Running mean m and, for the variance, Σ (g − m_old) ⊙ (g − m_new) (Welford).
    var first = xs.map { Tensor<B.Scalar>.zeros($0.shape) }
    var second = statistic == .variance ? first : []
    try ItemBatches.gradients(
      count: n * s, batch: batch, owner: { $0 / s }, point: { i in B.add(xs[i / s], noise(i / s, i % s)) },
      score: score
    ) { i, g in
      let c = i / s
      switch statistic {
      case .mean:
        first[c] = B.add(first[c], g)
      case .meanOfSquares:
        first[c] = B.add(first[c], B.multiply(g, g))
      case .variance:
        let before = B.subtract(g, first[c])
        first[c] = B.addScaled(first[c], before, scale: 1 / B.Scalar(i % s + 1))
        second[c] = B.add(second[c], B.multiply(before, B.subtract(g, first[c])))
      }
    }
    let inverse = 1 / B.Scalar(s)
    let maps = statistic == .variance ? second.map { B.scale($0, by: inverse) } : first.map { B.scale($0, by: inverse) }
    let atX = try ItemBatches.values(x, batch: batch, score: score)
    return AttributionResult(map: Tensor.concatenate(maps), scores: atX)
  }
}
