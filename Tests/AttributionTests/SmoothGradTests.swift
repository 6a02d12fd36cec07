import Attribution
import Foundation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// SmoothGrad, SmoothGrad² and VarGrad: the noise-averaging core on closed-form scores and the
/// methods on a mini network (Proofs/attribution-integrals.md, P-SG-1 and P-SG-2). ε = 2⁻⁵²,
/// u = 2⁻²⁴.
@Suite("SmoothGrad, SmoothGrad², VarGrad")
struct SmoothGradTests {
  static let ε = Double.ulpOfOne, u = 0x1p-24

  /// s(x) = Σᵢ sin(aᵢxᵢ): ∂ᵢs = aᵢ cos(aᵢxᵢ).
  static func sines(_ a: [Double]) -> BatchScore<Double> {
    ClosedForm.score { p in
      (zip(a, p).reduce(0) { $0 + sin($1.0 * $1.1) }, zip(a, p).map { $0 * cos($0 * $1) })
    }
  }

  /// The standard normals z that `SmoothGrad(seed:)` scales by σ for clip n, sample s.
  static func normals(seed: UInt64, count: Int, clip: Int, sample: Int) -> [Double] {
    SmoothGrad(seed: seed).seededNoise(count: count, sigma: 1, clip: clip, sample: sample)
  }

  static func average(
    _ x: Tensor<Double>, _ statistic: NoiseAverage.Statistic, samples: Int, sigma: Double, seed: UInt64,
    _ score: BatchScore<Double>, batch: Int = 3
  ) throws -> Tensor<Double> {
    let d = x.count / x.shape[0]
    return try NoiseAverage.gradients(
      x, samples: samples, statistic: statistic,
      noise: { n, s in
        Tensor(shape: [1, d], scalars: Self.normals(seed: seed, count: d, clip: n, sample: s).map { sigma * $0 })
      },
      batch: batch, score: score, backend: LiteralBackend<Double>.self
    ).map
  }

  @Test(
    "P-SG-1: on a smooth score SG − ∇s = −a²σ sin(ax)·z̄ + R, |R| ≤ ½|a|³σ²·mean z², for σ = 10⁻¹ … 10⁻⁴"
  )
  func smoothScoreLimit() throws {
    var rng = SeededRNG(seed: 21)
    let d = 6, samples = 5, seed: UInt64 = 4
    let a = (0..<d).map { _ in 1 + rng.uniform() }
    let x = ClosedForm.points((0..<2).map { _ in (0..<d).map { _ in rng.normal() } })
    for sigma in [1e-1, 1e-2, 1e-3, 1e-4] {
      let sg = try Self.average(x, .mean, samples: samples, sigma: sigma, seed: seed, Self.sines(a))
      for clip in 0..<2 {
        let z = (0..<samples).map { Self.normals(seed: seed, count: d, clip: clip, sample: $0) }
        for i in 0..<d {
          let xi = x.scalars[clip * d + i]
          let zbar = z.reduce(0) { $0 + $1[i] } / Double(samples)
          let z2 = z.reduce(0) { $0 + $1[i] * $1[i] } / Double(samples)
          let zmax = z.reduce(0) { max($0, abs($1[i])) }
          // cos(a(x + σz)) = cos(ax) − aσz·sin(ax) + R, |R| ≤ ½a²σ²z² (Taylor, |cos″| ≤ 1).
          let firstOrder = -a[i] * a[i] * sigma * sin(a[i] * xi) * zbar
          let remainder = 0.5 * pow(a[i], 3) * sigma * sigma * z2
          // Rounding: each aᵢ·cos(aᵢ(xᵢ + σz)) is within aᵢ·(2ε·|aᵢ(xᵢ + σz)| + 2ε) (argument
          // rounded twice, cos and the product once each), then S additions and ×1/S; the
          // reference aᵢ cos(aᵢxᵢ) likewise.
          let rounding = Double(samples + 4) * Self.ε * a[i] * (1 + 2 * a[i] * (abs(xi) + sigma * zmax))
          let error = sg.scalars[clip * d + i] - a[i] * cos(a[i] * xi)
          let what = "σ = \(sigma) clip \(clip) element \(i): SG − ∇s = \(error), first-order term \(firstOrder)"
          #expect(abs(error - firstOrder) <= remainder + rounding, "\(what), |R| ≤ \(remainder)")
        }
      }
    }
  }

  @Test(
    "P-SG-1: on r3d_mini (piecewise linear) SmoothGrad at σ = 10⁻¹⁰ is the gradient, SG² its square, VarGrad 0"
  )
  func reluNetworkLimit() throws {
    let net = Fixture.network(.r3d_mini, LiteralBackend<Double>.self)
    let x = IntegralFixture.clip(IntegralFixture.tinyShape).asDouble
    let samples = 5
    let g = try Saliency().attribute(x, targets: [2], network: net, score: .logit).map
    // Every layer of r3d_mini is linear (convolution with batch norm folded, pooling, fc) or a
    // ReLU, so ∂s/∂x depends on x only through the ReLU masks and max-pool selections. Noise
    // of σ = 10⁻¹⁰ moves every pre-activation by far less than its distance from 0 on this clip
    // (the smallest relative ReLU margin of r3d_mini on the cross-check clip is 2·10⁻⁶), so
    // every sample's gradient is g bit for bit, and the statistics differ from g, g² and 0 only
    // by the averaging: S additions and one product, (S + 2)·ε relative.
    func run(_ v: SmoothGrad.Variant, sigma: Double) throws -> Tensor<Double> {
      try SmoothGrad(v, samples: samples, noise: sigma, noiseIsAbsolute: true, seed: 9)
        .attribute(x, targets: [2], network: net, score: .logit).map
    }
    let bound = Double(samples + 2) * Self.ε
    let sg = try run(.smoothgrad, sigma: 1e-10)
    #expect(compare(sg, g, bound: g.map { bound * abs($0) }).passed)
    let sq = try run(.smoothgradSquared, sigma: 1e-10), g2 = g.map { $0 * $0 }
    #expect(compare(sq, g2, bound: g2.map { (bound + 2 * Self.ε) * $0 }).passed)
    let v = try run(.vargrad, sigma: 1e-10)
    #expect(compare(v, g.map { _ in 0 }, bound: g2.map { 4 * bound * $0 }).passed)
    // Not vacuous: Li et al.'s σ = 0.15·range flips ReLUs and changes the map.
    let noisy = try SmoothGrad(.smoothgrad, samples: samples, seed: 9).attribute(
      x, targets: [2], network: net, score: .logit
    ).map
    let scale = g.scalars.reduce(0) { max($0, abs($1)) }
    #expect(!compare(noisy, g, bound: g.map { _ in 1e-2 * scale }).passed)
  }

  @Test("P-SG-2: VarGrad = SmoothGrad² − SmoothGrad ⊙ SmoothGrad per element on a closed-form score (Double)")
  func varianceIdentityClosedForm() throws {
    var rng = SeededRNG(seed: 22)
    let d = 9
    let a = (0..<d).map { _ in 2 * rng.uniform() + 0.5 }
    let x = ClosedForm.points((0..<3).map { _ in (0..<d).map { _ in rng.normal() } })
    for samples in [1, 2, 5, 8] {
      let sg = try Self.average(x, .mean, samples: samples, sigma: 0.7, seed: 5, Self.sines(a))
      let sq = try Self.average(x, .meanOfSquares, samples: samples, sigma: 0.7, seed: 5, Self.sines(a))
      let v = try Self.average(x, .variance, samples: samples, sigma: 0.7, seed: 5, Self.sines(a), batch: 2)
      for i in 0..<x.count {
        let identity = sq.scalars[i] - sg.scalars[i] * sg.scalars[i]
        // Welford's mean and squared deviations and the two means each carry O(S·ε) relative
        // error in terms of max_s gₛ² ≤ S·SG²ᵢ (mean of squares): 16·(S + 2)·ε·S·SG²ᵢ.
        let bound = 16 * Double(samples + 2) * Self.ε * Double(samples) * sq.scalars[i]
        #expect(
          abs(v.scalars[i] - identity) <= bound, "S = \(samples) element \(i): VarGrad \(v.scalars[i]) vs \(identity)")
        #expect(v.scalars[i] >= 0)
      }
    }
  }

  @Test("P-SG-2: VarGrad = SmoothGrad² − SmoothGrad ⊙ SmoothGrad on tsm_mini (fast path, Float)")
  func varianceIdentityNetwork() throws {
    let net = Fixture.network(.tsm_mini, FastBackend.self)
    let x = IntegralFixture.clip(IntegralFixture.smallShape)
    let samples = 4
    func run(_ v: SmoothGrad.Variant) throws -> Tensor<Double> {
      try SmoothGrad(v, samples: samples, seed: 3, batch: 3).attribute(x, targets: [5], network: net, score: .logit)
        .map.asDouble
    }
    let sg = try run(.smoothgrad), sq = try run(.smoothgradSquared), v = try run(.vargrad)
    // As above with u = 2⁻²⁴; plus the Float rounding of the identity's own evaluation (2u·SG²).
    let bound = sq.map { 16 * Double(samples + 2) * Self.u * Double(samples) * $0 + 2 * Self.u * $0 }
    let identity = Tensor(shape: sq.shape, scalars: zip(sq.scalars, sg.scalars).map { $0 - $1 * $1 })
    let c = compare(v, identity, bound: bound)
    #expect(c.passed, "\(c)")
    #expect(v.scalars.contains { $0 > 0 })
  }
}
