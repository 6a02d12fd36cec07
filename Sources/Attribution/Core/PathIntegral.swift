import Kernels
import TensorCore

/// The path integrals behind integrated gradients and Blur IG, on any `BatchScore`.
///
/// Both evaluate the score's gradient at the quadrature nodes of a path γ from a reference point
/// to the clip x and accumulate, per clip and in node order, the weighted contribution of each
/// node, so the result does not depend on how the n·N path points are grouped into passes of
/// `batch` (bit for bit on either path; the tests check it).
public enum PathIntegral {
  /// Integrated gradients (Sundararajan, Taly & Yan, "Axiomatic Attribution for Deep Networks",
  /// ICML 2017, eq. 3 with the integral replaced by `quadrature`):
  ///
  ///     IGᵢ(x) = (xᵢ − bᵢ) · Σₖ wₖ · ∂s/∂xᵢ (b + αₖ(x − b))
  ///
  /// and the completeness error δ = Σᵢ IGᵢ − (s(x) − s(b)) of each clip (`delta`), which tends
  /// to 0 as the rule converges (Proofs/attribution-integrals.md, P-IG-1).
  ///
  /// Shapes: x and baseline N × point shape (N×3×T×H×W for a network). The points
  /// b + αₖ(x − b) are formed with `B.addScaled` in the order of the formula, as Captum
  /// (`baseline + alpha * (input - baseline)`) and Li et al. do.
  ///
  /// - Returns: the map (shape of x), s(x) per clip (`scores`) and δ per clip (`delta`).
  /// - Complexity: n·N gradient evaluations (n = quadrature points) in ⌈n·N/batch⌉ calls, plus
  ///   2·⌈N/batch⌉ value-only calls for s(x) and s(b).
  public static func integratedGradients<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, baseline: Tensor<B.Scalar>, quadrature: Quadrature, batch: Int,
    score: BatchScore<B.Scalar>, backend: B.Type
  ) throws -> AttributionResult<B.Scalar> {
    precondition(
      x.shape == baseline.shape,
      "integrated gradients: x \(Shape.describe(x.shape)) and baseline \(Shape.describe(baseline.shape)) differ")
    let n = x.shape[0], k = quadrature.count
    let xs = (0..<n).map { x.clips($0..<($0 + 1)) }
    let bs = (0..<n).map { baseline.clips($0..<($0 + 1)) }
    let differences = (0..<n).map { B.subtract(xs[$0], bs[$0]) }
    var sums = xs.map { Tensor<B.Scalar>.zeros($0.shape) }
    let alphas = quadrature.nodes.map { B.Scalar($0) }, weights = quadrature.weights.map { B.Scalar($0) }
    try ItemBatches.gradients(
      count: n * k, batch: batch, owner: { $0 / k },
      point: { i in B.addScaled(bs[i / k], differences[i / k], scale: alphas[i % k]) }, score: score
    ) { i, g in
      sums[i / k] = B.addScaled(sums[i / k], g, scale: weights[i % k])
    }
    let maps = (0..<n).map { B.multiply(differences[$0], sums[$0]) }
    let atX = try ItemBatches.values(x, batch: batch, score: score)
    let atBaseline = try ItemBatches.values(baseline, batch: batch, score: score)
    let delta = (0..<n).map { Double(B.sum(maps[$0])) - (atX[$0] - atBaseline[$0]) }
    return AttributionResult(map: Tensor.concatenate(maps), scores: atX, delta: delta)
  }

  /// Blur IG (Xu, Venugopalan & Sundararajan, "Attribution in Scale and Space", CVPR 2020,
  /// eq. 4): integrated gradients along the path of per-frame spatial Gaussian blurs
  /// x(σ) = `B.gaussianBlurSpatial(x, σ)`, walked from the blurred clip x(σ_max) to x:
  ///
  ///     BlurIG(x) = ∫_{σ_max}^{0} ∂s/∂x(x(σ)) ⊙ ∂x(σ)/∂σ dσ
  ///               = −σ_max · Σₖ wₖ · ∂x(σ)/∂σ|_{σₖ} ⊙ ∂s/∂x(x(σₖ)),   σₖ = σ_max·αₖ
  ///
  /// with ∂x(σ)/∂σ the exact derivative of the blur with its ⌈4σ⌉ taps held fixed
  /// (`B.gaussianBlurSpatialSigmaDerivative`). With `riemann_left` and n steps this is the
  /// PAIR saliency library's sum (σₖ = k·σ_max/n, k = 0…n−1, weight Δσ = σ_max/n, result
  /// negated) with the finite difference (x(σ + 0.01) − x(σ))/0.01 replaced by the derivative.
  /// Nodes with σₖ = 0 are skipped: there the blur is the identity (one tap) and its derivative
  /// is exactly 0.
  ///
  /// Completeness holds against the path's start, not a zero-score baseline:
  /// δ = Σᵢ BlurIGᵢ − (s(x) − s(x(σ_max))) per clip (`delta`); see
  /// Proofs/attribution-integrals.md for why δ does not vanish even as the rule converges (the
  /// tap count jumps where 4σ crosses an integer).
  ///
  /// - Returns: the map (shape of x), s(x) per clip and δ per clip.
  /// - Complexity: one gradient evaluation per clip and node with σₖ > 0, two spatial blurs
  ///   per node (path point and derivative), plus value-only calls for s(x) and s(x(σ_max)).
  public static func blurIntegratedGradients<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, maxSigma: Double, quadrature: Quadrature, batch: Int,
    score: BatchScore<B.Scalar>, backend: B.Type
  ) throws -> AttributionResult<B.Scalar> {
    precondition(maxSigma.isFinite && maxSigma > 0, "Blur IG: maximum sigma \(maxSigma) must be positive")
    let n = x.shape[0]
    let sigmas = quadrature.nodes(scaledTo: maxSigma), weights = quadrature.weights(scaledTo: maxSigma)
    let used = (0..<sigmas.count).filter { sigmas[$0] > 0 }
    let k = used.count
    let xs = (0..<n).map { x.clips($0..<($0 + 1)) }
    var sums = xs.map { Tensor<B.Scalar>.zeros($0.shape) }
    try ItemBatches.gradients(
      count: n * k, batch: batch, owner: { $0 / k },
      point: { i in B.gaussianBlurSpatial(xs[i / k], sigma: sigmas[used[i % k]]) }, score: score
    ) { i, g in
      let node = used[i % k]
      let derivative = B.gaussianBlurSpatialSigmaDerivative(xs[i / k], sigma: sigmas[node])
      sums[i / k] = B.addScaled(sums[i / k], B.multiply(derivative, g), scale: -B.Scalar(weights[node]))
    }
    let atX = try ItemBatches.values(x, batch: batch, score: score)
    let blurred = B.gaussianBlurSpatial(x, sigma: maxSigma)
    let atEnd = try ItemBatches.values(blurred, batch: batch, score: score)
    let delta = (0..<n).map { Double(B.sum(sums[$0])) - (atX[$0] - atEnd[$0]) }
    return AttributionResult(map: Tensor.concatenate(sums), scores: atX, delta: delta)
  }
}
