import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

@Suite("Gaussian blur: TorchRay's imsmooth (separable, ⌈4σ⌉ taps, zero padding), its σ-derivative and the T blur")
struct GaussianBlurTests {
  /// γₙ for Double.
  static func gammaDouble(_ n: Int) -> Double { Double(n) * 0x1p-53 / (1 - Double(n) * 0x1p-53) }

  @Test("taps: 2⌈4σ⌉+1 of them, symmetric, summing to 1; σ = 0 gives the single tap 1; σ = ¼ by hand")
  func taps() {
    for sigma in [0, 0.1, 0.25, 0.3, 1, 2.5, 20] {
      let w: [Double] = Literal.gaussianTaps(sigma: sigma)
      let k = Int((4 * sigma).rounded(.up))
      #expect(w.count == 2 * k + 1, "σ \(sigma)")
      #expect(zip(w, w.reversed()).allSatisfy { $0 == $1 }, "σ \(sigma)")
      // Normalisation: Σ of 2K+1 quotients e_i/S, each rounded once, S with error γ_(2K+1).
      #expect(abs(w.reduce(0, +) - 1) <= Self.gammaDouble(4 * k + 4), "σ \(sigma)")
    }
    #expect((Literal.gaussianTaps(sigma: 0) as [Double]) == [1])
    // σ = ¼: K = 1, s = √2/4 + 2⁻²³, e = exp(−1/s²) ≈ e⁻⁸; taps e/(1+2e), 1/(1+2e), e/(1+2e)
    // (evaluated independently with Python's math module).
    let quarter: [Double] = Literal.gaussianTaps(sigma: 0.25)
    let expected = [0.0003352395157878366, 0.9993295209684244, 0.0003352395157878366]
    for (a, b) in zip(quarter, expected) { #expect(abs(a - b) <= 4 * 0x1p-53 * b) }
  }

  @Test("derivative taps sum to 0, match a finite difference in σ, and the ε = 0 formula w_i(i² − Σw_j j²)/σ³")
  func derivativeTaps() {
    for sigma in [0.3, 1.1, 2.6, 20.1] {
      let dw: [Double] = Literal.gaussianTapsSigmaDerivative(sigma: sigma)
      let w: [Double] = Literal.gaussianTaps(sigma: sigma)
      let k = w.count / 2
      #expect(abs(dw.reduce(0, +)) <= 1e-14 * dw.map(abs).reduce(0, +), "σ \(sigma)")
      // 4th-order central difference with h = 1e-4; ⌈4σ⌉ is constant on σ ± 2h for these σ.
      let h = 1e-4
      let taps = [-2.0, -1, 1, 2].map { (Literal.gaussianTaps(sigma: sigma + $0 * h) as [Double]) }
      let second = w.indices.map { i in (j: i - k, w: w[i]) }.reduce(0) { $0 + $1.w * Double($1.j * $1.j) }
      for i in w.indices {
        let fd = (-taps[3][i] + 8 * taps[2][i] - 8 * taps[1][i] + taps[0][i]) / (12 * h)
        // Truncation h⁴/30·|w⁽⁵⁾| ≲ 1e-12 here; rounding 18ε/(12h) ≈ 3e-12 relative to max w.
        #expect(abs(fd - dw[i]) <= 1e-9 * (abs(dw[i]) + 1e-3), "σ \(sigma), tap \(i - k)")
        let j = Double(i - k)
        let noEpsilon = w[i] * (j * j - second) / (sigma * sigma * sigma)
        // ε changes s = √2σ by a relative √2·2⁻²³/σ ≈ 1.7e-7/σ, entering as s⁻³ and s⁻².
        #expect(abs(noEpsilon - dw[i]) <= 1e-6 / sigma * (abs(dw[i]) + 1e-300), "σ \(sigma), tap \(i - k)")
      }
    }
    #expect((Literal.gaussianTapsSigmaDerivative(sigma: 0) as [Double]) == [0])
  }

  @Test("zero padding loses mass at a corner: an impulse at (0, 0) blurs to total ((1 + w₀)/2)²")
  func cornerImpulse() {
    for sigma in [0.6, 1.5, 3] {
      var x = Tensor<Double>.zeros([1, 1, 1, 24, 24])
      x[0, 0, 0, 0, 0] = 1
      let w0 = (Literal.gaussianTaps(sigma: sigma) as [Double])[Int((4 * sigma).rounded(.up))]
      let total = Literal.gaussianBlurSpatial(x, sigma: sigma).scalars.reduce(0, +)
      #expect(abs(total - (1 + w0) * (1 + w0) / 4) <= 1e-14, "σ \(sigma)")
    }
  }

  @Test("an interior impulse keeps its total of 1 (property, Literal in Double and Fast in Float)")
  func interiorImpulseKeepsSum() {
    let input = zip(Gen.double(in: 0...4), Gen.int(in: 0...12), Gen.int(in: 0...12), Gen.int(in: 0...5))
    pinnedPropertyCheck(count: 40, seed: (0xB1, 0xB2, 0xB3, 0xB4), input: input) { sigma, marginH, marginW, shift in
      let k = Int((4 * sigma).rounded(.up))
      let (h, w) = (2 * k + 1 + marginH, 2 * k + 1 + marginW)
      let (ph, pw) = (k + min(shift, marginH), k + min(shift, marginW))
      var x = Tensor<Double>.zeros([1, 2, 1, h, w])
      x[0, 1, 0, ph, pw] = 1
      let literal = Literal.gaussianBlurSpatial(x, sigma: sigma).scalars.reduce(0, +)
      let fast = Fast.gaussianBlurSpatial(Tensor<Float>(converting: x), sigma: sigma).scalars.reduce(0, +)
      // Σ out = (Σ w)² with every tap used once per axis; sum errors γ_(4K+4) per axis, then
      // summing (2K+1)² non-negative outputs: γ_((2K+1)²) more.
      let n = 8 * k + 8 + (2 * k + 1) * (2 * k + 1)
      #expect(abs(literal - 1) <= Self.gammaDouble(n), "σ \(sigma), \(h)×\(w), impulse at (\(ph), \(pw))")
      #expect(abs(Double(fast) - 1) <= Tolerance.gamma(n), "σ \(sigma), \(h)×\(w), impulse at (\(ph), \(pw))")
    }
  }

  @Test("the blur is self-adjoint: ⟨blur x, y⟩ = ⟨x, blur y⟩ (Double, bound γ_n of both magnitudes)")
  func selfAdjoint() {
    for (shape, sigma) in [([1, 2, 3, 9, 17], 1.3), ([1, 1, 2, 31, 8], 4.0), ([2, 1, 1, 7, 7], 20.0)] {
      let x: Tensor<Double> = Fill.normal(shape, seed: 21)
      let y: Tensor<Double> = Fill.normal(shape, seed: 22)
      func dot(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
        zip(a.scalars, b.scalars).reduce(0) { $0 + $1.0 * $1.1 }
      }
      let lhs = dot(Literal.gaussianBlurSpatial(x, sigma: sigma), y)
      let rhs = dot(x, Literal.gaussianBlurSpatial(y, sigma: sigma))
      let magnitude =
        dot(Literal.gaussianBlurSpatial(x.magnitudes, sigma: sigma), y.magnitudes)
        + dot(x.magnitudes, Literal.gaussianBlurSpatial(y.magnitudes, sigma: sigma))
      let n = shape[3] + shape[4] + x.count + 4
      #expect(abs(lhs - rhs) <= Self.gammaDouble(n) * magnitude, "\(shape), σ \(sigma): \(lhs) vs \(rhs)")
      let lhsT = dot(Literal.gaussianBlurTemporal(x, sigma: sigma), y)
      let rhsT = dot(x, Literal.gaussianBlurTemporal(y, sigma: sigma))
      #expect(abs(lhsT - rhsT) <= Self.gammaDouble(n) * magnitude, "\(shape), σ \(sigma) (T): \(lhsT) vs \(rhsT)")
    }
  }

  @Test("the blur is its own vector-Jacobian product (finite differences in Double), spatial and temporal")
  func vjp() {
    var rng = SeededRNG(seed: 0xB1B)
    for (shape, sigma) in [([1, 2, 3, 5, 6], 0.8), ([1, 1, 4, 3, 9], 2.5), ([1, 1, 2, 4, 4], 0.0)] {
      let x: Tensor<Double> = Fill.normal(shape, seed: 23)
      let spatial = checkVJP(
        { Literal.gaussianBlurSpatial($0, sigma: sigma) },
        vjp: { _, dy in Literal.gaussianBlurSpatial(dy, sigma: sigma) }, at: x, rng: &rng)
      #expect(spatial.passed, "\(shape), σ \(sigma): \(spatial)")
      let temporal = checkVJP(
        { Literal.gaussianBlurTemporal($0, sigma: sigma) },
        vjp: { _, dy in Literal.gaussianBlurTemporal(dy, sigma: sigma) }, at: x, rng: &rng)
      #expect(temporal.passed, "\(shape), σ \(sigma) (T): \(temporal)")
    }
  }

  @Test("the σ-derivative matches a 4th-order finite difference in σ (Double, ⌈4σ⌉ fixed on σ ± 2h)")
  func sigmaDerivative() {
    let h = 1e-4
    for (shape, sigma) in [
      ([1, 2, 2, 9, 13], 0.3), ([1, 1, 1, 16, 17], 1.1), ([1, 1, 2, 7, 31], 2.6), ([1, 1, 1, 8, 9], 20.1),
    ] {
      let x: Tensor<Double> = Fill.weyl(shape)
      let d = Literal.gaussianBlurSpatialSigmaDerivative(x, sigma: sigma)
      let f = [-2.0, -1, 1, 2].map { Literal.gaussianBlurSpatial(x, sigma: sigma + $0 * h) }
      let magnitude = Literal.gaussianBlurSpatial(x.magnitudes, sigma: sigma)
      for i in 0..<x.count {
        let fd = (-f[3].scalars[i] + 8 * f[2].scalars[i] - 8 * f[1].scalars[i] + f[0].scalars[i]) / (12 * h)
        // As checkVJP: 8 significant digits of the derivative, plus rounding 64ε/h·Σ|terms|.
        let bound = 1e-8 * abs(d.scalars[i]) + 64 * 0x1p-52 / h * magnitude.scalars[i]
        #expect(abs(fd - d.scalars[i]) <= bound, "\(shape), σ \(sigma), element \(i): \(fd) vs \(d.scalars[i])")
      }
    }
    let x: Tensor<Double> = Fill.weyl([1, 1, 1, 5, 5])
    #expect(Literal.gaussianBlurSpatialSigmaDerivative(x, sigma: 0).scalars.allSatisfy { $0 == 0 })
  }

  static let shapes: [[Int]] = [
    [1, 2, 3, 7, 9], [1, 1, 1, 16, 17], [2, 1, 1, 31, 8], [1, 1, 1, 1, 1], [1, 3, 2, 15, 33],
  ]
  static let sigmas: [Double] = [0, 0.3, 1, 2.5, 20]

  /// Terms summed per output by the two passes: at most min(2K+1, extent) per axis.
  static func terms(_ shape: [Int], _ sigma: Double) -> Int {
    let taps = 2 * Int((4 * sigma).rounded(.up)) + 1
    return min(taps, shape[shape.count - 2]) + min(taps, shape[shape.count - 1])
  }

  @Test("Fast spatial blur equals Literal within γ_(terms+4)·blur(|x|)", arguments: shapes, sigmas)
  func fastSpatialEqualsLiteral(shape: [Int], sigma: Double) {
    let x: Tensor<Float> = Fill.weyl(shape)
    let reference = Literal.gaussianBlurSpatial(x.widened, sigma: sigma)
    // Two nested reductions (Higham §3.1: errors of nested sums add their lengths), plus the
    // taps rounded once to Float in each pass and the products of the two passes.
    let magnitude = Literal.gaussianBlurSpatial(x.widened.magnitudes, sigma: sigma)
    let c = compare(
      Fast.gaussianBlurSpatial(x, sigma: sigma), reference,
      bound: Tolerance.reduction(magnitude: magnitude, terms: Self.terms(shape, sigma), extraOperations: 4))
    #expect(c.passed, "\(shape), σ \(sigma): \(c)")
  }

  @Test("Fast σ-derivative equals Literal within γ_(terms+5)·(G_W|G′_H||x| + |G′_W|G_H|x|)", arguments: shapes, sigmas)
  func fastSigmaDerivativeEqualsLiteral(shape: [Int], sigma: Double) {
    let x: Tensor<Float> = Fill.weyl(shape)
    let reference = Literal.gaussianBlurSpatialSigmaDerivative(x.widened, sigma: sigma)
    let w: [Double] = Literal.gaussianTaps(sigma: sigma)
    let dw = (Literal.gaussianTapsSigmaDerivative(sigma: sigma) as [Double]).map(abs)
    let (hAxis, wAxis) = (shape.count - 2, shape.count - 1)
    let ax = x.widened.magnitudes
    let first = Literal.correlateZeroPadded(
      Literal.correlateZeroPadded(ax, taps: dw, axis: hAxis), taps: w, axis: wAxis)
    let second = Literal.correlateZeroPadded(
      Literal.correlateZeroPadded(ax, taps: w, axis: hAxis), taps: dw, axis: wAxis)
    let magnitude = Tensor(shape: ax.shape, scalars: zip(first.scalars, second.scalars).map { $0 + $1 })
    // As the blur, plus the final addition of the two terms.
    let c = compare(
      Fast.gaussianBlurSpatialSigmaDerivative(x, sigma: sigma), reference,
      bound: Tolerance.reduction(magnitude: magnitude, terms: Self.terms(shape, sigma), extraOperations: 5))
    #expect(c.passed, "\(shape), σ \(sigma): \(c)")
  }

  @Test(
    "Fast temporal blur equals Literal within γ_(min(2K+1,T)+2)·blur_T(|x|)",
    arguments: [[1, 2, 16, 7, 9], [1, 1, 1, 3, 3], [2, 1, 7, 1, 17], [1, 3, 9, 45, 47]], sigmas)
  func fastTemporalEqualsLiteral(shape: [Int], sigma: Double) {
    let x: Tensor<Float> = Fill.weyl(shape)
    let reference = Literal.gaussianBlurTemporal(x.widened, sigma: sigma)
    let terms = min(2 * Int((4 * sigma).rounded(.up)) + 1, shape[2])
    let magnitude = Literal.gaussianBlurTemporal(x.widened.magnitudes, sigma: sigma)
    let c = compare(
      Fast.gaussianBlurTemporal(x, sigma: sigma), reference,
      bound: Tolerance.reduction(magnitude: magnitude, terms: terms, extraOperations: 2))
    #expect(c.passed, "\(shape), σ \(sigma): \(c)")
  }
}
