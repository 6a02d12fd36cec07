import Attribution
import Foundation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

typealias L = LiteralBackend<Double>

/// Integrated gradients: the path-integral core on closed-form functions (completeness, the IG
/// paper's examples), on networks built from the Networks layers (implementation invariance),
/// and the method on the mini networks (literal vs fast, batching, baselines).
/// Proofs/attribution-integrals.md, P-IG-1 … P-IG-3. ε = 2⁻⁵².
@Suite("Integrated gradients")
struct IntegratedGradientsTests {
  static let ε = Double.ulpOfOne

  /// Every rule with the point counts 1…9 it accepts.
  static var rulesAndCounts: [(Quadrature.Rule, Int)] {
    Quadrature.Rule.allCases.flatMap { r in (r.minimumPoints...9).map { (r, $0) } }
  }

  static func ig(
    _ x: Tensor<Double>, _ b: Tensor<Double>, _ rule: Quadrature.Rule, _ n: Int, _ score: BatchScore<Double>,
    batch: Int = 3
  ) throws -> AttributionResult<Double> {
    try PathIntegral.integratedGradients(
      x, baseline: b, quadrature: Quadrature(rule, points: n), batch: batch, score: score, backend: L.self)
  }

  // MARK: P-IG-1 completeness

  @Test("P-IG-1: for a linear score IG = a ⊙ (x − b) and completeness holds to rounding at every n, every rule")
  func linearScoreIsExact() throws {
    var rng = SeededRNG(seed: 11)
    let d = 7
    let a = (0..<d).map { _ in rng.normal() }, c = rng.normal()
    let x = ClosedForm.points((0..<2).map { _ in (0..<d).map { _ in rng.normal() } })
    let b = ClosedForm.points((0..<2).map { _ in (0..<d).map { _ in rng.normal() } })
    let linear = ClosedForm.score { p in (zip(a, p).reduce(c) { $0 + $1.0 * $1.1 }, a) }
    for (rule, n) in Self.rulesAndCounts {
      let r = try Self.ig(x, b, rule, n, linear)
      for clip in 0..<2 {
        var magnitude = 0.0, valueMagnitude = 2 * abs(c)
        for i in 0..<d {
          let (xi, bi) = (x.scalars[clip * d + i], b.scalars[clip * d + i])
          let expected = a[i] * (xi - bi)
          // d = fl(x − b) (ε), Σₖ fl(wₖ·aᵢ) with Σw = 1 ± 8n·ε and n additions, one product:
          // |IGᵢ − aᵢ(xᵢ − bᵢ)| ≤ (9n + 5)·ε·|aᵢ(xᵢ − bᵢ)|.
          let bound = Double(9 * n + 5) * Self.ε * abs(expected)
          #expect(abs(r.map.scalars[clip * d + i] - expected) <= bound, "\(rule) n = \(n) clip \(clip) element \(i)")
          magnitude += abs(expected)
          valueMagnitude += abs(a[i] * xi) + abs(a[i] * bi)
        }
        // δ = Σ IG (d − 1 additions) − (s(x) − s(b)) (each d products and additions).
        let bound = Double(9 * n + 5 + d) * Self.ε * magnitude + Double(d + 2) * Self.ε * valueMagnitude
        #expect(abs(r.delta![clip]) <= bound, "\(rule) n = \(n) clip \(clip): δ = \(r.delta![clip]), bound \(bound)")
      }
    }
  }

  /// The quadrature remainder bounds of P-IG-1 for h(α) = c·e^(z₀ + cα), whose k-th derivative
  /// is c^(k+1)·e^(z₀ + cα), so max over [0, 1] of |h⁽ᵏ⁾| = |c|^(k+1)·e^(z₀ + max(c, 0)).
  static func remainderBound(_ rule: Quadrature.Rule, n: Int, c: Double, z0: Double) -> Double {
    func maxDerivative(_ k: Int) -> Double { pow(abs(c), Double(k + 1)) * exp(z0 + max(c, 0)) }
    let nd = Double(n)
    switch rule {
    case .riemannLeft, .riemannRight: return maxDerivative(1) / (2 * nd)
    case .riemannMiddle: return maxDerivative(2) / (24 * nd * nd)
    case .riemannTrapezoid: return maxDerivative(2) / (12 * (nd - 1) * (nd - 1))
    case .gaussLegendre:
      let f = { (k: Int) in (1...max(k, 1)).reduce(1.0) { $0 * Double($1) } }
      return maxDerivative(2 * n) * pow(f(n), 4) / (Double(2 * n + 1) * pow(f(2 * n), 3))
    }
  }

  @Test("P-IG-1: on s(x) = exp(⟨a, x⟩) |δ| stays within each rule's remainder bound and shrinks as n doubles")
  func smoothScoreConverges() throws {
    var rng = SeededRNG(seed: 12)
    let d = 5
    let a = (0..<d).map { _ in 0.6 * rng.normal() }
    let xs = (0..<d).map { _ in rng.normal() }, bs = (0..<d).map { _ in 0.3 * rng.normal() }
    let x = ClosedForm.points([xs]), b = ClosedForm.points([bs])
    let dot = { (p: [Double]) in zip(a, p).reduce(0) { $0 + $1.0 * $1.1 } }
    let expScore = ClosedForm.score { p in
      let v = exp(dot(p))
      return (v, a.map { $0 * v })
    }
    // Along γ(α) = b + α(x − b): s(γ(α)) = e^(z₀ + cα), z₀ = ⟨a, b⟩, c = ⟨a, x − b⟩, and
    // Σᵢ IGᵢ = Σₖ wₖ·h(αₖ) with h(α) = c·e^(z₀ + cα): δ is the rule's remainder on h.
    let z0 = dot(bs), c = dot(zip(xs, bs).map { $0 - $1 })
    let top = exp(max(dot(xs), z0))
    let termMagnitude = zip(a, zip(xs, bs)).reduce(0) { $0 + abs($1.0 * ($1.1.0 - $1.1.1)) } * top
    for rule in Quadrature.Rule.allCases {
      var previous = Double.infinity
      for n in [1, 2, 4, 8, 16, 32] where n >= rule.minimumPoints && (rule != .gaussLegendre || n <= 8) {
        let delta = try Self.ig(x, b, rule, n, expScore).delta![0]
        // Rounding: n weighted gradients and d products per element, d − 1 additions, and the
        // two exponentials (argument error d·ε·Σ|aᵢxᵢ| each, plus one rounding).
        let rounding =
          Double(n + d + 4) * Self.ε * termMagnitude
          + 2 * Double(d + 2) * Self.ε * top * (1 + zip(a, xs).reduce(0) { $0 + abs($1.0 * $1.1) })
        let remainder = Self.remainderBound(rule, n: n, c: c, z0: z0)
        #expect(abs(delta) <= remainder + rounding, "\(rule) n = \(n): δ = \(delta), bound \(remainder) + \(rounding)")
        if remainder > 1e3 * rounding {
          #expect(
            abs(delta) < abs(previous), "\(rule) n = \(n): |δ| = \(abs(delta)) did not shrink from \(abs(previous))")
        }
        previous = delta
      }
    }
  }

  @Test(
    "P-IG-1: on r3d_mini left-Riemann δ shrinks from 4 to 16 to 64 steps; δ_left(n) − δ_right(n) = (h(0) − h(1))/n"
  )
  func networkCompleteness() throws {
    let net = Fixture.network(.r3d_mini, L.self)
    let x = IntegralFixture.clip(IntegralFixture.tinyShape).asDouble
    let b = Baseline.black.make(for: x, seed: 0, backend: L.self)
    let envelope = GradientEnvelope<Double>()
    let score = envelope.recording(BatchScore<Double>.network(net, targets: [3], score: .logit))
    func run(_ rule: Quadrature.Rule, _ n: Int) throws -> AttributionResult<Double> {
      try Self.ig(x, b, rule, n, score, batch: 8)
    }
    let deltas = try [4, 16, 64].map { abs(try run(.riemannLeft, $0).delta![0]) }
    #expect(deltas[1] < deltas[0] && deltas[2] < deltas[1], "|δ| at 4, 16, 64 steps: \(deltas)")
    // h(α) = ⟨∂s/∂x(γ(α)), x − b⟩; one-point rules give Σ IG = h(0) (left) and h(1) (right),
    // and δ − δ′ = Σ IG − Σ IG′ for runs with the same s(x) − s(b).
    let sumH0 = try run(.riemannLeft, 1).delta![0], sumH1 = try run(.riemannRight, 1).delta![0]
    for n in [4, 7] {
      let left = try run(.riemannLeft, n), right = try run(.riemannRight, n)
      let lhs = left.delta![0] - right.delta![0], rhs = (sumH0 - sumH1) / Double(n)
      // Both sums use the gradients at αₖ = k/n, k = 1…n−1 (the same points, bit for bit), so
      // the identity holds up to rounding: each Σ IG has per element an n-term weighted sum and
      // a product, then 384 elements are added: ≤ (n + 384 + 2)·ε·M with
      // M = Σᵢ |xᵢ − bᵢ|·max over all evaluated points of |∂s/∂xᵢ| (recorded); four such sums
      // enter lhs − rhs.
      let m = zip(zip(x.scalars, b.scalars), envelope.maxAbs).reduce(0) { $0 + abs($1.0.0 - $1.0.1) * $1.1 }
      let bound = 4 * Double(n + 386) * Self.ε * m
      #expect(abs(lhs - rhs) <= bound, "n = \(n): δ_left − δ_right = \(lhs), (h(0) − h(1))/n = \(rhs), bound \(bound)")
    }
  }

  static func absSum(_ t: Tensor<Double>) -> Double { t.scalars.reduce(0) { $0 + abs($1) } }

  // MARK: P-IG-2 the paper's examples

  @Test(
    "P-IG-2: IG of f = ReLU(ReLU(x₁) − 1 − ReLU(x₂)) at (3, 1) is (3W, −W), W = Σ_{αₖ>½} wₖ, (1.5, −0.5) ± (3/n, 1/n)"
  )
  func paperFunction() throws {
    let x = ClosedForm.points([[3, 1]]), b = ClosedForm.points([[0, 0]])
    let counts = Array(1...9) + [16, 25, 50, 64]
    for rule in Quadrature.Rule.allCases {
      for n in counts where n >= rule.minimumPoints {
        let q = try Quadrature(rule, points: n)
        // Along (3α, α): ReLU(3α) − 1 − ReLU(α) = 2α − 1, so ∇f = (1, −1) where α > ½ and 0
        // elsewhere (ReLU′(0) = 0): IG = (3, 1) ⊙ (W, −W).
        let w = zip(q.nodes, q.weights).filter { $0.0 > 0.5 }.reduce(0) { $0 + $1.1 }
        let r = try Self.ig(x, b, rule, n, ClosedForm.paperF)
        let tolerance = Double(2 * n + 4) * Self.ε
        #expect(
          abs(r.map.scalars[0] - 3 * w) <= 3 * tolerance, "\(rule) n = \(n): IG₁ = \(r.map.scalars[0]), 3W = \(3 * w)")
        #expect(abs(r.map.scalars[1] + w) <= tolerance, "\(rule) n = \(n): IG₂ = \(r.map.scalars[1]), −W = \(-w)")
        // |W − ½| ≤ 1/n for every rule (Proofs: at most one node's weight straddles ½, or
        // Gauss–Legendre's symmetric weights put exactly ½ above it, minus half the middle
        // weight for odd n).
        #expect(abs(w - 0.5) <= 1 / Double(n) + tolerance, "\(rule) n = \(n): W = \(w)")
        #expect(abs(r.map.scalars[0] - 1.5) <= 3 / Double(n) + 3 * tolerance)
        #expect(abs(r.map.scalars[1] + 0.5) <= 1 / Double(n) + tolerance)
        if rule == .gaussLegendre && n % 2 == 0 {
          #expect(
            abs(r.map.scalars[0] - 1.5) <= 3 * tolerance && abs(r.map.scalars[1] + 0.5) <= tolerance,
            "even-n Gauss–Legendre is exact by symmetry, n = \(n): \(r.map.scalars)")
        }
        // s(x) − s(b) = 1; δ = 2W − 1.
        #expect(abs(r.delta![0] - (2 * w - 1)) <= 5 * tolerance, "\(rule) n = \(n): δ = \(r.delta![0])")
      }
    }
  }

  @Test("P-IG-2: g = ReLU(ReLU(x₁ − 1) − ReLU(x₂)), the same function built differently, gets the same IG as f")
  func paperImplementationInvariance() throws {
    let x = ClosedForm.points([[3, 1], [0.5, 2], [-1, 0.25]]), b = ClosedForm.points([[0, 0], [0, 0], [1.5, -1]])
    // f = g everywhere: for x₁ ≥ 1 both inner terms are x₁ − 1 − ReLU(x₂); for x₁ < 1 both
    // outer arguments are ≤ 0.
    for (rule, n) in Self.rulesAndCounts + [(.riemannLeft, 25), (.gaussLegendre, 50)] {
      let f = try Self.ig(x, b, rule, n, ClosedForm.paperF), g = try Self.ig(x, b, rule, n, ClosedForm.paperG)
      #expect(f.map == g.map, "\(rule) n = \(n): IG(f) = \(f.map.scalars), IG(g) = \(g.map.scalars)")
      #expect(f.delta == g.delta)
    }
  }

  // MARK: P-IG-3 implementation invariance on networks

  /// conv(3→C, 3×3×3, padding 1, bias) → ReLU → global average pool → flatten → linear(C→3).
  /// `duplicate` doubles every convolution channel and splits its outgoing linear weights
  /// ¼ / ¾ between the two copies: the same function, computed by a different network.
  static func twoLayerNetwork(duplicate: Bool) -> Sequential<L> {
    let channels = 4
    var conv: Tensor<Double> = Fill.weyl([channels, 3, 3, 3, 3])
    conv = conv.map { $0 / 8 }
    let convBias: Tensor<Double> = Fill.weyl([channels], offset: 0.1)
    let linear: Tensor<Double> = Fill.weyl([3, channels], offset: 0.05)
    let linearBias: Tensor<Double> = Fill.weyl([3])
    let c = duplicate ? 2 * channels : channels
    let convWeight = duplicate ? Tensor.concatenate([conv, conv]) : conv
    let bias = duplicate ? Tensor(shape: [c], scalars: convBias.scalars + convBias.scalars) : convBias
    var fc = linear
    if duplicate {
      fc = Tensor(
        shape: [3, c],
        generating: { i in
          let (row, col) = (i / c, i % c)
          return linear.scalars[row * channels + col % channels] * (col < channels ? 0.25 : 0.75)
        })
    }
    return Sequential(
      path: "",
      [
        Convolution(
          convPath: "conv", weight: Parameter(name: "conv.weight", role: .weight, value: convWeight),
          bias: Parameter(name: "conv.bias", role: .bias, value: bias),
          geometry: Conv3DGeometry(padding: .cube(1)), batchNorm: nil),
        ReLU(path: "relu"),
        AdaptiveAveragePool(path: "pool", outputSize: .cube(1)),
        Flatten(path: "flatten"),
        Linear(
          path: "fc", weight: Parameter(name: "fc.weight", role: .weight, value: fc),
          bias: Parameter(name: "fc.bias", role: .bias, value: linearBias)),
      ])
  }

  static func score(_ net: Sequential<L>, target: Int) -> BatchScore<Double> {
    BatchScore(valueAndGradient: { points, _ in
      let tape = Tape<L>(mode: .inference, rule: .gradient)
      let y = net.forward(points, tape: tape)
      var seed = Tensor<Double>.zeros(y.shape)
      for i in 0..<y.shape[0] { seed.scalars[i * y.shape[1] + target] = 1 }
      let values = (0..<y.shape[0]).map { y.scalars[$0 * y.shape[1] + target] }
      return (values, net.backward(seed, tape: tape))
    })
  }

  @Test("P-IG-3: two networks computing the same function (one with duplicated, re-weighted channels) get the same IG")
  func networkImplementationInvariance() throws {
    let a = Self.twoLayerNetwork(duplicate: false), b = Self.twoLayerNetwork(duplicate: true)
    let x = Fill.weyl([2, 3, 3, 6, 6]) as Tensor<Double>
    let base = Baseline.black.make(for: x, seed: 0, backend: L.self)
    // Both networks form the same pre-activations bit for bit (the copies repeat the same
    // convolution), so their ReLU masks agree; the gradients differ only by rounding: the
    // convolution's transpose sums, per input element, 27 taps of each of 4 (A) or 8 (B)
    // channels, after the pool's 1/(T·H·W) and one linear weight: each network's gradient is
    // within γ_(216+3) of Σ|terms| ≤ Gmax = max_c Σ_j |W_cj|·Σ|K_j|/(T·H·W). IG then takes an
    // n-term weighted sum and multiplies by xᵢ − bᵢ: (2·219 + n + 2)·ε·Gmax·|xᵢ − bᵢ|.
    let linear: Tensor<Double> = Fill.weyl([3, 4], offset: 0.05)
    var conv: Tensor<Double> = Fill.weyl([4, 3, 3, 3, 3])
    conv = conv.map { $0 / 8 }
    let kernelSums = (0..<4).map { j in conv.scalars[(j * 81)..<((j + 1) * 81)].reduce(0) { $0 + abs($1) } }
    let gmax =
      (0..<3).map { c in (0..<4).reduce(0.0) { $0 + abs(linear.scalars[c * 4 + $1]) * kernelSums[$1] } }
      .max()! / Double(3 * 6 * 6)
    for (rule, n) in [(Quadrature.Rule.riemannLeft, 8), (.gaussLegendre, 6), (.riemannTrapezoid, 5)] {
      for target in 0..<3 {
        let igA = try Self.ig(x, base, rule, n, Self.score(a, target: target))
        let igB = try Self.ig(x, base, rule, n, Self.score(b, target: target))
        let bound = Tensor(
          shape: x.shape,
          scalars: zip(x.scalars, base.scalars).map {
            Double(2 * 219 + n + 2) * Self.ε * gmax * abs($0 - $1)
          })
        let c = compare(igB.map, igA.map, bound: bound)
        #expect(c.passed, "\(rule) n = \(n) target \(target): \(c)")
        #expect(Self.absSum(igA.map) > 0)
      }
    }
  }
}
