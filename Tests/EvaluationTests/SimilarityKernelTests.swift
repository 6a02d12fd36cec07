import Evaluation
import Kernels
import TensorCore
import Testing
import _TestSupport

/// The three similarity measures of the sanity checks, as specifications: their defining
/// values, literal against fast, and (SimilarityCrossCheckTests) scipy and scikit-image.
@Suite("Similarity of maps: Spearman's ρ, SSIM, HOG")
struct SimilarityKernelTests {
  /// Values in [0, 1) with ties: a Weyl sequence rounded to multiples of 1/64.
  static func values(_ n: Int, offset: Double = 0, ties: Bool = false) -> [Double] {
    let w: Tensor<Double> = Fill.weyl([n], offset: offset)
    return w.scalars.map { v in
      let u = v - v.rounded(.down)
      return ties ? (u * 64).rounded(.down) / 64 : u
    }
  }

  @Test(
    "P-SANITY-1: Spearman's ρ is 1 for a map and any increasing transform of it, −1 reversed, ties share their mean rank"
  )
  func spearmanDefinition() {
    let a = Self.values(257)
    #expect(Literal.spearmanCorrelation(a, a) == 1)
    #expect(Literal.spearmanCorrelation(a, a.map { $0 * $0 * $0 + 2 }) == 1)
    #expect(Literal.spearmanCorrelation(a, a.map { -$0 }) == -1)
    #expect(Fast.spearmanCorrelation(a.map(Float.init), a.map { Float($0 * $0) }) == 1)
    // Hand-computed with ties: ranks of [1, 2, 2, 3] are [1, 2.5, 2.5, 4]; of [4, 3, 2, 1] [4, 3, 2, 1].
    #expect(Literal.averageRanks([1.0, 2, 2, 3]) == [1, 2.5, 2.5, 4])
    // ρ = Pearson([1, 2.5, 2.5, 4], [4, 3, 2, 1]) = −4.5 / √(4.5 · 5) = −0.9486832980505138 (scipy).
    let rho = Literal.spearmanCorrelation([1.0, 2, 2, 3], [4.0, 3, 2, 1])
    #expect(abs(rho - -0.9486832980505138) < 1e-15)
    // Ranking ties by position (ordinal ranks, a plausible mistake) gives [1, 2, 3, 4] and ρ = −1.
    #expect(abs(Literal.pearsonCorrelation([1.0, 2, 3, 4], [4.0, 3, 2, 1]) + 1) < 1e-15)
    #expect(Literal.spearmanCorrelation([1.0, 1, 1], [1.0, 2, 3]).isNaN, "a constant map has no ranks to correlate")
  }

  @Test("Spearman: fast equals literal bit for bit (the same ranks and the same Double sums), with ties and without")
  func spearmanLiteralFast() {
    for (n, ties) in [(2, false), (7, true), (31, false), (256, true), (1025, true)] {
      let a = Self.values(n, ties: ties).map(Float.init), b = Self.values(n, offset: 0.3, ties: ties).map(Float.init)
      let literal = Literal.spearmanCorrelation(a.map(Double.init), b.map(Double.init))
      #expect(Fast.spearmanCorrelation(a, b) == literal, "n = \(n)")
      #expect(Fast.averageRanks(a) == Literal.averageRanks(a.map(Double.init)))
    }
  }

  @Test("P-SANITY-2: SSIM of a map with itself is exactly 1; SSIM is symmetric and in [−1, 1]; a hand-computed window")
  func ssimDefinition() {
    let (t, h, w) = (2, 9, 8)
    let a = Self.values(t * h * w), b = Self.values(t * h * w, offset: 0.41, ties: true)
    #expect(Literal.structuralSimilarity(a, a, frames: t, height: h, width: w) == 1)
    #expect(Fast.structuralSimilarity(a.map(Float.init), a.map(Float.init), frames: t, height: h, width: w) == 1)
    let ab = Literal.structuralSimilarity(a, b, frames: t, height: h, width: w)
    #expect(ab == Literal.structuralSimilarity(b, a, frames: t, height: h, width: w))
    #expect(abs(ab) <= 1 && ab < 0.9)
    // One 3×3 window: x = 0…8 / 8, y = 1 − x. μx = μy = ½, σx² = σy² = 60/(64·8) = 0.1171875,
    // σxy = −0.1171875; with C1 = 1e-4, C2 = 9e-4 (L = 1):
    // SSIM = (2·¼ + C1)(−2·0.1171875 + C2) / ((½ + C1)(2·0.1171875 + C2)).
    let x = (0..<9).map { Double($0) / 8 }, y = x.map { 1 - $0 }
    let s = StructuralSimilaritySettings(window: 3)
    let v = 0.1171875
    let expected = (0.5 + s.c1) * (-2 * v + s.c2) / ((0.5 + s.c1) * (2 * v + s.c2))
    #expect(abs(Literal.structuralSimilarity(x, y, frames: 1, height: 3, width: 3, settings: s) - expected) < 1e-15)
  }

  /// |fast − literal| for SSIM on values in [0, M]: each window statistic (μ, σ², σ_ab) differs
  /// between the two paths by at most 2γ₆₀M (means) and 8γ₆₀M² (second moments) in Double
  /// (sums of ≤ 2s + 49 terms); S = A₁A₂/(B₁B₂) with A₁ ≥ C₁, B₁ ≥ A₁, B₂ ≥ C₂, |A₂| ≤ B₂ for
  /// non-negative values, so |ΔS| ≤ 8M·2γ₆₀M/C₁ + 4·8γ₆₀M²/C₂ = (16/C₁ + 32/C₂)γ₆₀M², and the
  /// mean over windows keeps the bound. A window misplaced by one pixel moves S by ~10⁻².
  static func ssimBound(_ s: StructuralSimilaritySettings, magnitude m: Double) -> Double {
    let u = 0x1p-53, g = 60 * u / (1 - 60 * u)
    return (16 / s.c1 + 32 / s.c2) * g * m * m
  }

  @Test(
    "SSIM: fast (separable box sums) equals literal (two-pass windows) within the derived bound, frames on edge sizes")
  func ssimLiteralFast() {
    for (t, h, w, window) in [
      (1, 7, 7, 7), (2, 8, 9, 7), (3, 17, 16, 7), (1, 31, 33, 7), (2, 15, 15, 3), (1, 16, 31, 11),
    ] {
      let n = t * h * w
      let a = Self.values(n).map(Float.init), b = Self.values(n, offset: 0.77, ties: true).map(Float.init)
      let s = StructuralSimilaritySettings(window: window)
      let literal = Literal.structuralSimilarity(
        a.map(Double.init), b.map(Double.init), frames: t, height: h, width: w, settings: s)
      let fast = Fast.structuralSimilarity(a, b, frames: t, height: h, width: w, settings: s)
      #expect(
        abs(fast - literal) <= Self.ssimBound(s, magnitude: 1), "\(t)×\(h)×\(w) window \(window): \(fast) vs \(literal)"
      )
    }
  }

  @Test(
    "P-SANITY-3: HOG of a vertical edge puts its energy in the 0° bin; identical maps correlate 1; literal equals fast bit for bit"
  )
  func hogDefinition() {
    // A vertical step edge: g_c > 0 on the two columns around it, g_r = 0 → θ = 0, bin 0 only.
    let (h, w) = (24, 24)
    let edge = (0..<(h * w)).map { i in i % w >= 12 ? 1.0 : 0.0 }
    let d = Literal.orientedGradients(edge, height: h, width: w)
    #expect(d.count == OrientedGradientSettings().descriptorLength(height: h, width: w))
    for (k, v) in d.enumerated() where k % 9 != 0 { #expect(v == 0) }
    #expect(d.contains { $0 > 0 })
    let a = Self.values(2 * 32 * 33), b = Self.values(2 * 32 * 33, offset: 0.2, ties: true)
    #expect(abs(Literal.orientedGradientSimilarity(a, a, frames: 2, height: 32, width: 33) - 1) < 1e-15)
    for (t, hh, ww) in [(1, 24, 24), (2, 32, 33), (1, 47, 25)] {
      let fa = Array(a.prefix(t * hh * ww)).map(Float.init), fb = Array(b.prefix(t * hh * ww)).map(Float.init)
      let literal = Literal.orientedGradientSimilarity(
        fa.map(Double.init), fb.map(Double.init), frames: t, height: hh, width: ww)
      #expect(Fast.orientedGradientSimilarity(fa, fb, frames: t, height: hh, width: ww) == literal, "\(t)×\(hh)×\(ww)")
      let one = Array(fa.prefix(hh * ww))
      #expect(
        Fast.orientedGradients(one[...], height: hh, width: ww)
          == Literal.orientedGradients(one.map(Double.init), height: hh, width: ww))
    }
  }

  @Test(
    "Map comparison: reduces Σ_c|m_c|, scales by the maximum, compares clip by clip; refuses shapes, NaN and small frames"
  )
  func mapComparison() throws {
    let a: Tensor<Float> = Fill.weyl([2, 3, 2, 24, 24])
    // Doubling a map and flipping signs of channels changes nothing after |·| and the scaling.
    let b = Tensor(
      shape: a.shape, scalars: a.scalars.enumerated().map { i, v in (i / (2 * 24 * 24)) % 3 == 1 ? -2 * v : 2 * v })
    for path in ComputePath.allCases {
      let s = try MapComparison().compare(a, b, path: path)
      #expect(s.count == 2)
      for c in s {
        #expect(c.spearman == 1 && c.ssim == 1)
        #expect(abs(c.hog! - 1) < 1e-15)
      }
    }
    #expect(throws: SanityCheckError.self) {
      try MapComparison().compare(a, a.reshaped([2, 3, 2, 12, 48]), path: .fast)
    }
    #expect(throws: SanityCheckError.frameTooSmall(measure: "HOG", minimum: 24, height: 16, width: 16)) {
      let small: Tensor<Float> = Fill.weyl([1, 1, 2, 16, 16])
      _ = try MapComparison().compare(small, small, path: .fast)
    }
    var bad = a
    bad.scalars[5] = .nan
    #expect(throws: SanityCheckError.nonFiniteMap(what: "second map", clip: 0)) {
      try MapComparison().compare(a, bad, path: .fast)
    }
  }
}
