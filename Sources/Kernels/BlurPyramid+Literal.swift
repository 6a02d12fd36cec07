import RealModule
import TensorCore

extension Literal {
  /// The blur levels of TorchRay's `Perturbation` (`type=BLUR_PERTURBATION`,
  /// torchray/attribution/extremal_perturbation.py), for every frame of every clip.
  ///
  /// Shapes: x N×C×T×H×W → pyramid N×L×C×T×H×W (clip n's pyramid, `pyramid.slice(n)`, is
  /// L×C×T×H×W: TorchRay's L×C×H×W with time added). Level l is each H×W frame blurred by
  /// `gaussianBlurSpatial` (TorchRay's `imsmooth`) with
  ///
  ///     σ_l = (1 − l/(L − 1))·maxSigma,   l = 0…L−1   (`blurPyramidSigmas`),
  ///
  /// so level 0 is the most blurred and level L − 1 (σ = 0: one tap of weight 1) is x itself,
  /// copied. TorchRay takes l/(L − 1) from `torch.linspace(0, 1, L)` in float32; here it is
  /// computed in Double (σ_l agree to 2⁻²⁴ relative).
  ///
  /// - Precondition: x is N×C×T×H×W; L ≥ 2 and maxSigma > 0, finite (TorchRay's asserts).
  /// - Complexity: O(L·|x|·(2K+1)), K = ⌈4·maxSigma⌉.
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func blurPyramid<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, levels: Int = 8, maxSigma: Double = 20
  ) -> Tensor<T> {
    let sigmas = blurPyramidSigmas(levels: levels, maxSigma: maxSigma)
    precondition(x.rank == 5, "blurPyramid: x \(Shape.describe(x.shape)) must be N×C×T×H×W")
    let (n, clip) = (x.shape[0], x.count / max(x.shape[0], 1))
    var out = Tensor<T>.zeros([n, levels] + Array(x.shape[1...]))
    for l in 0..<levels {
      let level = l == levels - 1 ? x : gaussianBlurSpatial(x, sigma: sigmas[l])
      for i in 0..<n {
        for j in 0..<clip { out[flat: (i * levels + l) * clip + j] = level[flat: i * clip + j] }
      }
    }
    return out
  }

  /// σ_l = (1 − l/(L − 1))·maxSigma for l = 0…L−1: maxSigma down to exactly 0.
  ///
  /// - Precondition: L ≥ 2; maxSigma finite and > 0.
  public static func blurPyramidSigmas(levels: Int, maxSigma: Double) -> [Double] {
    precondition(levels >= 2, "blur pyramid: levels \(levels) must be at least 2")
    precondition(maxSigma.isFinite && maxSigma > 0, "blur pyramid: maxSigma \(maxSigma) must be finite and > 0")
    return (0..<levels).map { (1 - Double($0) / Double(levels - 1)) * maxSigma }
  }
}
