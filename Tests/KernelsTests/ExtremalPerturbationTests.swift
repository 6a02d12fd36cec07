import Foundation
import Kernels
import TensorCore
import Testing
import _TestSupport

/// The blur pyramid, TorchRay's pyramid perturbation, fade and the jitter flip: hand cases,
/// VJPs by finite differences, fast against literal. (Claims: ExtremalMaskProofTests.)
@Suite("Extremal-perturbation perturbations: blur pyramid, pyramid interpolation, fade, flip")
struct ExtremalPerturbationTests {
  typealias X = ExtremalMaskTesting

  @Test("σ_l = (1 − l/(L − 1))·σ_max: 20, 17.14…, …, 2.857…, 0 for L = 8; L = 2 gives σ_max and 0")
  func pyramidSigmas() {
    let s = Literal.blurPyramidSigmas(levels: 8, maxSigma: 20)
    for l in 0..<8 { #expect(abs(s[l] - 20 * Double(7 - l) / 7) <= 4 * 0x1p-53 * 20, "level \(l)") }
    #expect(s[0] == 20 && s[7] == 0)
    #expect(Literal.blurPyramidSigmas(levels: 2, maxSigma: 3) == [3, 0])
  }

  @Test("pyramid layout N×L×C×T×H×W: level l of clip n is gaussianBlurSpatial(clip n, σ_l), literal and fast")
  func pyramidLevels() {
    let x: Tensor<Double> = Fill.weyl([2, 3, 2, 7, 9])
    let pyramid = Literal.blurPyramid(x, levels: 5, maxSigma: 3)
    #expect(pyramid.shape == [2, 5, 3, 2, 7, 9])
    let sigmas = Literal.blurPyramidSigmas(levels: 5, maxSigma: 3)
    for n in 0..<2 {
      let clip = Tensor<Double>(shape: [1, 3, 2, 7, 9], scalars: x.slice(n).scalars)
      for l in 0..<5 {
        let level = pyramid.slice(n).slice(l)
        #expect(level.scalars == Literal.gaussianBlurSpatial(clip, sigma: sigmas[l]).scalars, "clip \(n), level \(l)")
      }
    }
    // Fast: each level is Fast.gaussianBlurSpatial, whose bound GaussianBlurTests derive
    // (γ of the taps summed along H and W, on the blur of |x|).
    let xf: Tensor<Float> = Fill.weyl([2, 3, 2, 7, 9])
    let fast = Fast.blurPyramid(xf, levels: 5, maxSigma: 3)
    let literal = Literal.blurPyramid(xf.asDouble, levels: 5, maxSigma: 3)
    let magnitude = Literal.blurPyramid(xf.asDouble.magnitudes, levels: 5, maxSigma: 3)
    let taps = 2 * Int((4 * 3.0).rounded(.up)) + 1
    let c = compare(
      fast, literal,
      bound: Tolerance.reduction(magnitude: magnitude, terms: min(taps, 7) + min(taps, 9), extraOperations: 4))
    #expect(c.passed, "\(c)")
  }

  /// The perturbation's value and VJP by hand on a 1-pixel, 1-channel clip with L = 3 levels
  /// y = (2, 5, 11): m(L − 1) = 2m, so m = 0.25 → k = 0, f = 0.5 → 3.5, slope 2·(5 − 2) = 6;
  /// m = 0.75 → k = 1, f = 0.5 → 8, slope 2·(11 − 5) = 12; m = 1 → level 2 = 11, slope 0.
  @Test("hand case: three levels (2, 5, 11); values 3.5, 8, 11 and slopes 6, 12, 0 at m = 0.25, 0.75, 1")
  func interpolationByHand() {
    let pyramid = Tensor<Double>(shape: [1, 3, 1, 1, 1, 1], scalars: [2, 5, 11])
    let mask = Tensor<Double>(shape: [3, 1, 1, 1, 1], scalars: [0.25, 0.75, 1])
    let z = Literal.pyramidPerturbation(pyramid, mask: mask)
    #expect(z.scalars == [3.5, 8, 11])
    let dz = Tensor<Double>(shape: [3, 1, 1, 1, 1], scalars: [1, 1, 1])
    #expect(Literal.pyramidPerturbationBackward(dz, pyramid: pyramid, mask: mask).scalars == [6, 12, 0])
    let fz = Fast.pyramidPerturbation(Tensor<Float>(converting: pyramid), mask: Tensor<Float>(converting: mask))
    #expect(fz.scalars == [3.5, 8, 11])
  }

  @Test("rows choose their clip: clips [1, 0, 1] read clip 1, 0, 1 of a two-clip pyramid; fade likewise")
  func clipSelection() {
    let x: Tensor<Double> = Fill.weyl([2, 2, 1, 3, 4])
    let pyramid = Literal.blurPyramid(x, levels: 3, maxSigma: 1)
    let mask: Tensor<Double> = Fill.uniform([3, 1, 1, 3, 4], 0, 1, seed: 3)
    let z = Literal.pyramidPerturbation(pyramid, mask: mask, clips: [1, 0, 1])
    for (row, clip) in [(0, 1), (1, 0), (2, 1)] {
      let single = Tensor<Double>(shape: [1, 3, 2, 1, 3, 4], scalars: pyramid.slice(clip).scalars)
      let oneMask = Tensor<Double>(shape: [1, 1, 1, 3, 4], scalars: mask.slice(row).scalars)
      #expect(z.slice(row).scalars == Literal.pyramidPerturbation(single, mask: oneMask).scalars, "row \(row)")
      let clipX = Tensor<Double>(shape: [1, 2, 1, 3, 4], scalars: x.slice(clip).scalars)
      #expect(
        Literal.fadePerturbation(x, mask: mask, clips: [1, 0, 1]).slice(row).scalars
          == Literal.fadePerturbation(clipX, mask: oneMask).scalars, "row \(row)")
    }
  }

  /// Masks uniform in [0, 1] kept 0.02 away from the levels l/(L − 1), where the perturbation
  /// has its kinks (FD steps of 1e-3·|v| stay inside one linear piece).
  static func maskAwayFromLevels(_ shape: [Int], levels: Int, seed: UInt64) -> Tensor<Double> {
    var rng = SeededRNG(seed: seed)
    let pieces = Double(levels - 1)
    return Tensor(shape: shape) { _ in
      let piece = Double(Int(rng.uniform() * pieces))
      return (piece + 0.02 * pieces + rng.uniform() * (1 - 0.04 * pieces)) / pieces
    }
  }

  @Test("VJPs by finite differences in Double: pyramid perturbation (masks away from the levels) and fade")
  func vjps() {
    var rng = SeededRNG(seed: 0xFADE)
    let x: Tensor<Double> = Fill.weyl([2, 3, 2, 5, 6])
    let pyramid = Literal.blurPyramid(x, levels: 8, maxSigma: 20)
    let mask = Self.maskAwayFromLevels([3, 1, 2, 5, 6], levels: 8, seed: 9)
    let clips = [0, 1, 1]
    let blur = checkVJP(
      { Literal.pyramidPerturbation(pyramid, mask: $0, clips: clips) },
      vjp: { m, dz in Literal.pyramidPerturbationBackward(dz, pyramid: pyramid, mask: m, clips: clips) }, at: mask,
      rng: &rng)
    #expect(blur.passed, "\(blur)")
    let fade = checkVJP(
      { Literal.fadePerturbation(x, mask: $0, clips: clips) },
      vjp: { _, dz in Literal.fadePerturbationBackward(dz, x: x, clips: clips) }, at: mask, rng: &rng)
    #expect(fade.passed, "\(fade)")
  }

  @Test("fast equals Literal<Float> bit for bit: pyramid perturbation and its VJP, fade and its VJP, flip")
  func fastBitForBit() {
    for (shape, masks, levels) in [([1, 3, 2, 7, 9], 4, 8), ([2, 1, 1, 1, 17], 2, 2), ([1, 2, 3, 16, 31], 1, 5)] {
      let x: Tensor<Float> = Fill.weyl(shape)
      let pyramid = Fast.blurPyramid(x, levels: levels, maxSigma: 4)
      var mask: Tensor<Float> = Fill.uniform([masks, 1] + Array(shape[2...]), 0, 1, seed: 4)
      mask[flat: 0] = 1
      mask[flat: mask.count - 1] = 0
      let clips = (0..<masks).map { $0 % shape[0] }
      let dz: Tensor<Float> = Fill.normal([masks] + Array(shape[1...]), seed: 5)
      #expect(
        Fast.pyramidPerturbation(pyramid, mask: mask, clips: clips)
          == Literal.pyramidPerturbation(pyramid, mask: mask, clips: clips))
      #expect(
        Fast.pyramidPerturbationBackward(dz, pyramid: pyramid, mask: mask, clips: clips)
          == Literal.pyramidPerturbationBackward(dz, pyramid: pyramid, mask: mask, clips: clips))
      #expect(
        Fast.fadePerturbation(x, mask: mask, clips: clips) == Literal.fadePerturbation(x, mask: mask, clips: clips))
      #expect(
        Fast.fadePerturbationBackward(dz, x: x, clips: clips)
          == Literal.fadePerturbationBackward(dz, x: x, clips: clips))
      #expect(Fast.flipWidth(x) == Literal.flipWidth(x))
    }
  }

  @Test("flip reverses W: (1 … W) → (W … 1) per row; flipping twice is the identity; it is its own adjoint")
  func flip() {
    let x = Tensor<Double>(shape: [1, 1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6])
    #expect(Literal.flipWidth(x).scalars == [3, 2, 1, 6, 5, 4])
    let y: Tensor<Double> = Fill.weyl([2, 3, 2, 5, 7])
    #expect(Literal.flipWidth(Literal.flipWidth(y)) == y)
    let z: Tensor<Double> = Fill.weyl([2, 3, 2, 5, 7], offset: 0.4)
    // ⟨flip y, z⟩ and ⟨y, flip z⟩ add the same products in different orders: γ_n·Σ|terms|.
    let lhs = X.dot(Literal.flipWidth(y), z), rhs = X.dot(y, Literal.flipWidth(z))
    #expect(abs(lhs - rhs) <= X.gammaDouble(y.count) * X.dot(y.magnitudes, Literal.flipWidth(z.magnitudes)))
    #expect(Literal.flipWidth(Tensor<Double>(shape: [3, 1], scalars: [1, 2, 3])).scalars == [1, 2, 3])
    var rng = SeededRNG(seed: 0xF11)
    let check = checkVJP({ Literal.flipWidth($0) }, vjp: { _, dy in Literal.flipWidth(dy) }, at: y, rng: &rng)
    #expect(check.passed, "\(check)")
  }
}
