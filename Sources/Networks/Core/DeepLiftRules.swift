import Kernels
import TensorCore

/// DeepLIFT's rescale rule for the two nonlinear layers of these networks (Shrikumar et al.
/// 2017, "Learning Important Features Through Propagating Activation Differences", §3.5.2),
/// written with backend kernels only.
///
/// Notation: x, y = the layer's input and output on the explained input; x₀, y₀ the same on the
/// reference input (Δx = x − x₀, Δy = y − y₀); m = the multiplier arriving at the output. A rule
/// returns the multiplier of the input, chosen so that the layer satisfies DeepLIFT's
/// summation-to-delta: Σ m_in ⊙ Δx = Σ m ⊙ Δy (Proofs/lrp-deeplift.md, P-DL-1).
package enum DeepLiftRules<B: KernelBackend> {
  package typealias T = Tensor<B.Scalar>

  /// [d = 0] as 1 or 0, element by element: 1 − d ⊘ d (d ⊘ d is 1 for every d ≠ 0, even a
  /// subnormal one, and `divideOrZero` gives 0 at d = 0).
  static func isZero(_ d: T) -> T {
    B.subtract(T(shape: d.shape, repeating: 1), B.divideOrZero(d, d))
  }

  /// ReLU: m_in = m · (y − y₀)/(x − x₀), and the gradient m·[x > 0] where x = x₀.
  ///
  /// Tolerance: Captum (`deep_lift.nonlinear`) switches to the gradient where |Δx| < 1e-10;
  /// here only where Δx = 0 exactly, because for ReLU the secant slope needs no guard: with x
  /// and x₀ on the same side of 0, Δy and Δx are the same subtraction (slope exactly 1 or 0);
  /// across 0, Δy = x (or −x₀) exactly and |Δx| ≥ |Δy|, so the computed slope lies in [0, 1].
  /// The two choices differ only where 0 < |Δx| < 1e-10, by at most |m|·|Δx| < 1e-10·|m| in the
  /// contribution, and neither breaks summation-to-delta (a unit with Δx = 0 contributes 0).
  package static func rescale(_ m: T, input x: T, output y: T, referenceInput x0: T, referenceOutput y0: T) -> T {
    let dx = B.subtract(x, x0)
    let secant = B.divideOrZero(B.subtract(y, y0), dx)
    // y ⊘ y = [y > 0] = [x > 0], the ReLU's derivative at x.
    let slope = B.add(secant, B.multiply(isZero(dx), B.divideOrZero(y, y)))
    return B.multiply(m, slope)
  }

  /// Max pool (Captum's `deep_lift.maxpool`, with the unpooling summed instead of assigned):
  /// U = unpool_argmax(m ⊙ (y − y₀)⁺) + unpool_argmax₀(m ⊙ (y − y₀)⁻), m_in = U ⊘ Δx, and the
  /// plain gradient unpool_argmax(m) where Δx = 0.
  ///
  /// Each window's Δy is split into the rise of the explained input's maximum over the
  /// reference maximum, credited to the explained input's winner, and the fall, credited to
  /// the reference's winner. Summation-to-delta: Σ U = Σ m ⊙ Δy, and U_i = 0 wherever
  /// Δx_i = 0 (if i wins for x, (y − y₀)⁺ ≤ (x_i − x₀_i)⁺ = 0; if it wins for x₀,
  /// (y − y₀)⁻ ≥ (x_i − x₀_i)⁻ = 0), so Σ m_in ⊙ Δx = Σ m ⊙ Δy exactly. Unpooling must add
  /// the windows that share a winner (overlapping windows, 3×3 stride 2): Captum's
  /// `max_unpool` assigns, so a shared winner keeps one window's share and completeness fails
  /// there (Reference/attribution/lrp_deeplift/README.md measures it).
  package static func maxPool(
    _ m: T, input x: T, output y: T, argmax: [Int32], referenceInput x0: T, referenceOutput y0: T,
    referenceArgmax: [Int32]
  ) -> T {
    let dy = B.subtract(y, y0)
    let rise = B.maxPool3dBackward(B.multiply(m, B.positivePart(dy)), argmax: argmax, inputShape: x.shape)
    let fall = B.maxPool3dBackward(B.multiply(m, B.negativePart(dy)), argmax: referenceArgmax, inputShape: x.shape)
    let dx = B.subtract(x, x0)
    let gradient = B.maxPool3dBackward(m, argmax: argmax, inputShape: x.shape)
    return B.add(B.divideOrZero(B.add(rise, fall), dx), B.multiply(isZero(dx), gradient))
  }
}
