import Foundation
import Kernels
import TensorCore
import _TestSupport

/// Geometries, inputs and derived tolerances shared by the extremal-perturbation suites.
enum ExtremalMaskTesting {
  /// A geometry that the test knows to be valid.
  static func geometry(
    frames: Int = 1, _ height: Int, _ width: Int, step: Int, sigma: Double, stepT: Int? = nil, sigmaT: Double? = nil,
    coldness: Double = 20
  ) -> ExtremalMaskGeometry {
    try! ExtremalMaskGeometry(
      frames: frames, height: height, width: width, step: step, sigma: sigma, coldness: coldness, stepT: stepT,
      sigmaT: sigmaT)
  }

  /// Shapes on the fast path's boundaries: H ≠ W, H and W not multiples of the step, padded
  /// widths 16, 17, 33 (one SIMD16 block, one plus a lane, two plus a lane), Li et al.'s step 7
  /// and σ 11, a non-integer σ (crop offset rounded half to even), step 1, T = 1 and T > 1,
  /// per frame and along time (step_t 1 and 2, a σ_t below and above the step).
  static let cases: [(masks: Int, geometry: ExtremalMaskGeometry)] = [
    (2, geometry(frames: 2, 13, 18, step: 4, sigma: 5)),
    (1, geometry(28, 28, step: 7, sigma: 11)),
    (3, geometry(11, 12, step: 3, sigma: 2.5)),  // Wp = 16
    (1, geometry(frames: 2, 9, 10, step: 4, sigma: 5)),  // Wp = 17
    (1, geometry(7, 26, step: 4, sigma: 5)),  // Wp = 33
    (1, geometry(21, 16, step: 6, sigma: 10.5)),
    (2, geometry(9, 5, step: 1, sigma: 0.6)),
    (2, geometry(frames: 5, 10, 11, step: 3, sigma: 2.5, stepT: 2, sigmaT: 1.5)),
    (1, geometry(frames: 3, 9, 8, step: 3, sigma: 3, stepT: 1, sigmaT: 0.7)),
    (1, geometry(frames: 1, 8, 9, step: 3, sigma: 3, stepT: 3, sigmaT: 4)),
  ]

  /// A lattice of uniforms in [lo, hi) for `masks` masks.
  static func lattice(_ g: ExtremalMaskGeometry, masks: Int, _ lo: Double, _ hi: Double, seed: UInt64)
    -> Tensor<Double>
  {
    Fill.uniform(g.latticeShape(masks: masks), lo, hi, seed: seed)
  }

  static func gammaDouble(_ n: Int) -> Double { Double(n) * 0x1p-53 / (1 - Double(n) * 0x1p-53) }

  /// Bound on |Fast.extremalMask − Literal.extremalMask| (same Float lattice, literal in
  /// Double), per element, for a lattice with |m̄| ≤ Z (so |z_k| ≤ Z, κ ≤ 1), K neighbours,
  /// coldness c, u = 2⁻²⁴ — first-order analysis of the fast algorithm:
  /// - z_k = fl(fl(κ_k)·m̄_k) carries γ₂ relative error; through ∂m/∂z_k = p_k(1 + c(z_k − m)),
  ///   |1 + c(z_k − m)| ≤ 1 + 2cZ, that moves m by ≤ (1 + 2cZ)·Z·γ₂;
  /// - each weight e_k = exp(fl(c·fl(z_k − max))) has relative error δ ≤ 2cZ·γ₃ + ε_exp
  ///   (the exponent's rounding times its size ≤ 2cZ, and `Fast.vectorExpRelativeError`);
  ///   reweighting a mean by factors 1 + δ_k moves it by ≤ max δ·max|z_k − m|/(1 − max δ)
  ///   ≤ 2Z·δ/(1 − δ);
  /// - the two sums of K terms and the quotient: (γ_(K+1) + γ_K + u)·Z;
  /// - weights below e⁻⁸⁰ are flushed to 0: ≤ K·e⁻⁸⁰·2Z.
  /// The clamp to [0, 1] is 1-Lipschitz. A factor 1.001 covers the second-order terms (all
  /// first-order terms are below 10⁻³). A wrong neighbour, phase or weight moves m by O(κ·Z).
  static func forwardBound(_ g: ExtremalMaskGeometry, maxAbsLattice z: Double) -> Double {
    let u = Tolerance.floatUnitRoundoff
    let (c, k) = (g.coldness, g.neighbourCount)
    let span = 2 * c * z
    let delta = span * Tolerance.gamma(3) + Fast.vectorExpRelativeError
    let terms =
      (1 + span) * z * Tolerance.gamma(2) + 2 * z * delta / (1 - delta)
      + (Tolerance.gamma(k + 1) + Tolerance.gamma(k) + u) * z
    return 1.001 * terms + Double(k) * exp(-80) * 2 * z
  }

  /// Bound on |Fast.extremalMaskBackward − Literal.extremalMaskBackward| per lattice node,
  /// from the literal magnitudes S = Σ|g|·p_k·κ_k and S′ = Σ|g|·p_k·κ_k·|1 + c(z_k − m)|
  /// (`Literal.extremalMaskBackwardMagnitudes`) over the (pixel, k) terms of that node:
  /// - p_k = e_k/Σe has relative error ρ ≤ 2cZ·γ₂ (z's rounding through the softmax)
  ///   + 2δ (e_k, and Σe) + γ_K + γ₂ (the sum and the quotient), δ as in `forwardBound`;
  /// - 1 + c(z_k − m) has absolute error ≤ c·(γ₂Z + B) (z_k's and m's errors, B =
  ///   `forwardBound`) + (1 + 2cZ)·γ₃ (its own three roundings);
  /// - the product g/Σe·e_k·(…)·κ_k rounds 5 times (γ₅, κ's rounding included);
  /// - each node sums its terms into the upsampled gradient planes (K²·s terms per cell along
  ///   rows and neighbours) and folds s cells, and along time adds (2r_t+1)·s_t frame shares:
  ///   γ_n with n = K²·s + s + (2r_t+1)·s_t on Σ|terms| = S′.
  /// So |Δ| ≤ S′·(ρ + γ₅ + γ_n) + S·(c·(γ₂Z + B) + (1 + 2cZ)·γ₃), times 1.001.
  static func backwardBound(
    _ g: ExtremalMaskGeometry, maxAbsLattice z: Double, magnitude: Tensor<Double>, factorMagnitude: Tensor<Double>
  ) -> Tensor<Double> {
    let c = g.coldness
    let span = 2 * c * z
    let delta = span * Tolerance.gamma(3) + Fast.vectorExpRelativeError
    let k = g.neighbourCount
    let rho = span * Tolerance.gamma(2) + 2 * delta + Tolerance.gamma(k) + Tolerance.gamma(2)
    let taps = 2 * g.radius + 1
    let n = taps * taps * g.step + g.step + (2 * g.temporalRadius + 1) * (g.stepT ?? 1)
    let b = forwardBound(g, maxAbsLattice: z)
    let perFactor = rho + Tolerance.gamma(5) + Tolerance.gamma(n)
    let perPlain = c * (Tolerance.gamma(2) * z + b) + (1 + span) * Tolerance.gamma(3)
    return Tensor(shape: magnitude.shape) { i in
      1.001 * (factorMagnitude.scalars[i] * perFactor + magnitude.scalars[i] * perPlain)
    }
  }

  /// Largest |x|.
  static func maxAbs(_ x: Tensor<Double>) -> Double { x.scalars.map(abs).max() ?? 0 }

  /// Largest |a − b|.
  static func maxDifference(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
    zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
  }

  /// ⟨a, b⟩.
  static func dot(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
    zip(a.scalars, b.scalars).reduce(0) { $0 + $1.0 * $1.1 }
  }
}
