import Attribution
import Foundation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// Blur IG's path and its completeness gap (Proofs/attribution-integrals.md, P-IG-4).
@Suite("Blur IG")
struct BlurIGTests {
  static let ε = Double.ulpOfOne

  /// TorchRay's taps (`Literal.gaussianTaps`) for σ but with a chosen half-width K:
  /// s = √2·σ + 2⁻²³, eᵢ = exp(−(i/s)²), wᵢ = eᵢ/Σⱼ eⱼ for i = −K…K.
  static func taps(sigma: Double, radius k: Int) -> [Double] {
    let s = 2.0.squareRoot() * sigma + 0x1p-23
    let e = (-k...k).map { exp(-pow(Double($0) / s, 2)) }
    let total = e.reduce(0, +)
    return e.map { $0 / total }
  }

  /// The spatial blur of x (…×H×W) with σ and exactly 2K + 1 taps.
  static func blur(_ x: Tensor<Double>, sigma: Double, radius k: Int) -> Tensor<Double> {
    let w = taps(sigma: sigma, radius: k)
    return Literal.correlateZeroPadded(
      Literal.correlateZeroPadded(x, taps: w, axis: x.rank - 2), taps: w, axis: x.rank - 1)
  }

  static func dot(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
    zip(a.scalars, b.scalars).reduce(0) { $0 + $1.0 * $1.1 }
  }

  /// ⟨a, x(σ₊) − x(σ)⟩ summed over the points σⱼ = j/4 in (0, σ_max) where the tap count
  /// jumps from 2j + 1 to 2j + 3.
  static func jumpTotal(_ x: Tensor<Double>, _ a: Tensor<Double>, maxSigma: Double) -> Double {
    var total = 0.0
    var j = 1
    while Double(j) / 4 < maxSigma {
      let sigma = Double(j) / 4
      total += dot(a, blur(x, sigma: sigma, radius: j + 1)) - dot(a, blur(x, sigma: sigma, radius: j))
      j += 1
    }
    return total
  }

  @Test("P-IG-4: on a linear score Blur IG's δ converges to the sum of the tap-count jumps along the path, not to 0")
  func completenessGap() throws {
    let x: Tensor<Double> = Fill.weyl([1, 2, 1, 12, 12])
    let a: Tensor<Double> = Fill.uniform([1, 2, 1, 12, 12], seed: 31)
    let linear = BatchScore<Double>(valueAndGradient: { p, _ in
      let per = a.count
      let values = (0..<p.shape[0]).map { i in
        zip(p.scalars[(i * per)..<((i + 1) * per)], a.scalars).reduce(0) { $0 + $1.0 * $1.1 }
      }
      return (values, Tensor(shape: p.shape, scalars: (0..<p.shape[0]).flatMap { _ in a.scalars }))
    })
    let maxSigma = 1.5
    let limit = Self.jumpTotal(x, a, maxSigma: maxSigma)
    let target = Self.dot(a, x) - Self.dot(a, Literal.gaussianBlurSpatial(x, sigma: maxSigma))
    var errors: [Double] = []
    for n in [50, 100, 200, 400] {
      let r = try PathIntegral.blurIntegratedGradients(
        x, maxSigma: maxSigma, quadrature: Quadrature(.riemannMiddle, points: n), batch: 64, score: linear,
        backend: LiteralBackend<Double>.self)
      errors.append(abs(r.delta![0] - limit))
    }
    // The gap is real but small: jumps carry weights ≈ e^(−(K+1)²/2σ²) with K = 4σ, i.e. e⁻⁸
    // and below, so here |limit| ≈ 2·10⁻⁶ of s(x) − s(x(σ_max)).
    #expect(abs(limit) > 1e-7 * abs(target) && abs(limit) < 1e-4 * abs(target), "limit \(limit), target \(target)")
    // The middle rule converges on each smooth piece (O(1/n²)) and loses O(1/n) only in the
    // cells where the derivative jumps: each doubling of n at least halves the error, and at
    // n = 400 δ is far closer to the jump sum than to 0.
    for (e0, e1) in zip(errors, errors.dropFirst()) { #expect(e1 <= e0 / 2, "errors \(errors)") }
    #expect(errors.last! < abs(limit) / 4, "|δ − limit| = \(errors), limit \(limit)")
  }

  @Test(
    "P-IG-4: PAIR's and Li et al.'s forward difference at σ = 2k includes the tap-count jump divided by 0.01"
  )
  func forwardDifference() throws {
    let x: Tensor<Double> = Fill.weyl([1, 3, 1, 24, 24])
    for sigma in [2.0, 4.0, 10.0] {
      let k = Int((4 * sigma).rounded(.up))
      let step = 0.01
      let fd = Literal.addScaled(
        Literal.gaussianBlurSpatial(x, sigma: sigma + step), Literal.gaussianBlurSpatial(x, sigma: sigma), scale: -1
      )
      .map { $0 / step }
      let exact = Literal.gaussianBlurSpatialSigmaDerivative(x, sigma: sigma)
      let jump = Literal.addScaled(
        Self.blur(x, sigma: sigma, radius: k + 1), Self.blur(x, sigma: sigma, radius: k), scale: -1
      ).map { $0 / step }
      let norm = { (t: Tensor<Double>) in t.scalars.reduce(0) { $0 + $1 * $1 }.squareRoot() }
      let residual = Literal.subtract(Literal.subtract(fd, exact), jump)
      // Measured on this clip (‖·‖₂): at σ = 2 the difference is 0.8 % of ‖∂x/∂σ‖ and half of it
      // is the jump; at σ = 4 and 10 the difference is 4 % and 1.7 % and the jump is > 90 % of it.
      let difference = norm(Literal.subtract(fd, exact))
      #expect(
        difference > 5e-3 * norm(exact), "σ = \(sigma): forward difference within \(difference) of the derivative")
      if sigma >= 4 {
        #expect(norm(residual) <= difference / 4, "σ = \(sigma): residual \(norm(residual)) of \(difference)")
      }
    }
  }
}
