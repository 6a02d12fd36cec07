import Attribution
import Foundation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// The gradient and integral methods against Captum 0.9 run in float64
/// (Reference/attribution/captum_gradients, made by generate.py; README.md there describes the
/// inputs, settings and every documented difference).
///
/// Error model: a whole-network gradient is within NetworkTolerance of its exact value — at
/// u = 2⁻²⁴ for the fast path, at 2⁻⁵³ (the same model, 2²⁹ times smaller) for the literal path
/// and for Captum's float64; the literal comparison allows both sides' errors. Maps built from
/// gradients carry the error through their formula (per test below). G is the largest gradient
/// magnitude that enters a map.
@Suite("Captum cross-check: saliency, input × gradient, guided backprop, deconvolution, IG, NoiseTunnel")
struct CaptumGradientsCrossCheckTests {
  static let u = 0x1p-24, ε = 0x1p-53
  static let steps = 4, samples = 3
  static let rules: [(captum: String, ours: Quadrature.Rule)] = [
    ("riemann_left", .riemannLeft), ("riemann_right", .riemannRight), ("riemann_middle", .riemannMiddle),
    ("riemann_trapezoid", .riemannTrapezoid), ("gausslegendre", .gaussLegendre),
  ]

  static func file(_ name: String) throws -> SafeTensorsFile {
    try SafeTensors.read(contentsOf: RepositoryPaths.reference("attribution/captum_gradients/\(name).safetensors"))
  }

  static let input: (x: Tensor<Float>, targets: [Int]) = {
    let f = try! file("input")
    return (try! f.float32(named: "input"), try! f.int64(named: "targets").scalars.map { Int($0) })
  }()

  /// ε[n·S + s, i] = 0.25·HashFill.unit("captum_gradients.noise", (n·S + s)·P + i), as generate.py.
  static func fedNoise(per: Int) -> @Sendable (Int, Int) -> [Double] {
    { n, s in
      (0..<per).map {
        0.25 * Double(HashFill.unit(name: "captum_gradients.noise", index: (n * samples + s) * per + $0))
      }
    }
  }

  /// Every method compared, with the key of Captum's map and how the error propagates.
  enum Kind { case gradient, inputTimesGradient, integral(Baseline), noise(SmoothGrad.Variant) }
  struct Case {
    var key: String
    var method: any AttributionMethod
    var kind: Kind
  }

  static var cases: [Case] {
    let per = input.x.count / input.x.shape[0]
    var c: [Case] = [
      Case(key: "saliency", method: Saliency(), kind: .gradient),
      Case(key: "input_x_gradient", method: GradientTimesInput(), kind: .inputTimesGradient),
      Case(key: "guided_backprop", method: RuleSaliency(.guidedBackprop), kind: .gradient),
      Case(key: "deconvolution", method: RuleSaliency(.deconvnet), kind: .gradient),
    ]
    for (name, rule) in rules {
      c.append(
        Case(
          key: "ig.zero.\(name)", method: IntegratedGradients(steps: steps, rule: rule, baseline: .zero),
          kind: .integral(.zero)))
    }
    for (name, rule) in rules where rule == .riemannLeft || rule == .gaussLegendre {
      c.append(
        Case(
          key: "ig.black.\(name)", method: IntegratedGradients(steps: steps, rule: rule, baseline: .black),
          kind: .integral(.black)))
    }
    for v in SmoothGrad.Variant.allCases {
      var m = SmoothGrad(v, samples: samples, noise: 1, noiseIsAbsolute: true)
      m.noiseOverride = fedNoise(per: per)
      c.append(Case(key: "nt.\(v.rawValue)", method: m, kind: .noise(v)))
    }
    return c
  }

  static func maxAbs(_ t: Tensor<Double>) -> Double { t.scalars.reduce(0) { max($0, abs($1)) } }

  /// Runs every case on backend B for clips `clips` and checks it against Captum.
  static func check<B: KernelBackend>(
    _ a: Architecture, _: B.Type, clips: Range<Int>, unit: Double, factor: Double
  ) throws {
    let ref = try file(a.rawValue)
    let net = Fixture.network(a, B.self)
    let fastNet = Fixture.network(a, FastBackend.self)
    let (k, layers) = fastNet.roundingProfile(frames: input.x.shape[2])
    func e(_ passes: Int, _ scale: Double) -> Double {
      factor * NetworkTolerance.bound(maxReduction: k, layers: passes * layers, scale: scale) * unit / u
    }
    let xf = input.x.clips(clips), targets = Array(input.targets[clips])
    let x: Tensor<B.Scalar> = Tensor(converting: xf)
    let per = xf.count / xf.shape[0]
    func reference(_ key: String) throws -> Tensor<Double> { try ref.doubleTensor(named: key).clips(clips) }
    let logits = try reference("logits")
    let squares = try reference("nt.smoothgrad_sq")
    let saliency = try reference("saliency")
    for c in cases {
      let result = try c.method.attribute(x, targets: targets, network: net, score: .logit)
      let ours = Tensor<Double>(converting: result.map)
      var expected = try reference(c.key)
      let bound: Tensor<Double>
      switch c.kind {
      case .gradient:
        bound = Tolerance.uniform(e(2, maxAbs(expected)), like: expected)
      case .inputTimesGradient:
        let g = maxAbs(saliency)
        bound = xf.asDouble.map { abs($0) * e(2, g) + unit * g * abs($0) }
      case .integral(let baseline):
        // G along the path from the fast path's own integral (cheap), then per element
        // |xᵢ − bᵢ|·(e(G) + (n + 3)·unit·G) as in IntegralMethodTests.
        let envelope = GradientEnvelope<Float>()
        let m = c.method as! IntegratedGradients
        let b = baseline.make(for: xf.asDouble, seed: 0, backend: LiteralBackend<Double>.self)
        let q = try Quadrature(m.rule, points: m.steps)
        _ = try PathIntegral.integratedGradients(
          xf, baseline: baseline.make(for: xf, seed: 0, backend: FastBackend.self), quadrature: q, batch: 8,
          score: envelope.recording(.network(fastNet, targets: targets, score: .logit)), backend: FastBackend.self)
        let g = envelope.largest * (1 + 1e-3)
        // Documented difference 1: Captum's trapezoid weights are 1/n (halved at the ends), ours
        // 1/(n − 1): Captum's map is ours times (n − 1)/n, compared after rescaling.
        let captumWeights =
          m.rule == .riemannTrapezoid ? q.weights.map { $0 * Double(steps - 1) / Double(steps) } : q.weights
        // Documented difference 2: Captum rounds the weights to float32
        // (`torch.tensor(step_sizes).float()`) even in a float64 run, which moves its map by up
        // to |xᵢ − bᵢ|·G·Σₖ|fl32(wₖ) − wₖ| (nothing for 1/4, 1/8; ~10⁻⁹ relative for
        // Gauss–Legendre's weights).
        let rounded = captumWeights.map { Double(Float($0)) }
        let weightGap =
          zip(rounded, captumWeights).reduce(0) { $0 + abs($1.0 - $1.1) } * Double(steps) / Double(steps - 1)
        let d = Literal.subtract(xf.asDouble, b)
        bound = d.map { abs($0) * (e(2, g) + Double(m.steps + 3) * unit * g + weightGap * g) }
        if m.rule == .riemannTrapezoid {
          expected = expected.map { $0 * Double(steps) / Double(steps - 1) }
        }
        if B.Scalar.self == Double.self && weightGap > 0 {
          // With Captum's float32 weights the literal path agrees with Captum to the tight bound.
          let captumLike = try PathIntegral.integratedGradients(
            xf.asDouble, baseline: b, quadrature: Quadrature(rule: m.rule, nodes: q.nodes, weights: rounded), batch: 8,
            score: .network(Fixture.network(a, LiteralBackend<Double>.self), targets: targets, score: .logit),
            backend: LiteralBackend<Double>.self)
          let tight = d.map { abs($0) * (e(2, g) + Double(m.steps + 3) * unit * g) }
          let raw = try reference(c.key)
          let cc = compare(captumLike.map, raw, bound: tight)
          #expect(cc.passed, "\(a) \(c.key) with Captum's float32 weights: \(cc)")
          // …and the exact-weight map really differs from Captum's by more than that bound.
          #expect(!compare(ours, raw, bound: tight).passed, "\(a) \(c.key): Captum's float32 weights left no trace")
        }
        let captumDelta = try ref.doubleTensor(named: c.key + ".delta").scalars
        for (j, n) in clips.enumerated() {
          let sumIG = ours.scalars[(j * per)..<((j + 1) * per)].reduce(0, +)
          // δ_Captum = Σ IG_Captum − Δs; for the trapezoid Σ IG_Captum = (n − 1)/n·Σ IG, so
          // δ_Captum = δ − Σ IG/n.
          let predicted = m.rule == .riemannTrapezoid ? result.delta![j] - sumIG / Double(steps) : result.delta![j]
          let deltaBound =
            bound.scalars[(j * per)..<((j + 1) * per)].reduce(0, +) * 2
            + 2 * e(1, maxAbs(logits)) + Double(per) * unit * ours.magnitudes.scalars.reduce(0, +)
          #expect(
            abs(predicted - captumDelta[n]) <= deltaBound,
            "\(a) \(c.key) clip \(n): δ \(predicted) vs Captum \(captumDelta[n]) (bound \(deltaBound))")
        }
      case .noise(let v):
        let g = squares.scalars.reduce(0) { max($0, (Double(samples) * $1).squareRoot()) } * (1 + 1e-6)
        let err = e(2, g)
        switch v {
        case .smoothgrad: bound = Tolerance.uniform(err + Double(samples + 2) * unit * g, like: expected)
        case .smoothgradSquared:
          bound = Tolerance.uniform(2 * g * err + err * err + Double(samples + 3) * unit * g * g, like: expected)
        case .vargrad:
          bound = Tolerance.uniform(
            4 * g * err + 2 * err * err + 16 * Double(samples + 2) * unit * g * g, like: expected)
        }
      }
      let comparison = compare(ours, expected, bound: bound)
      #expect(comparison.passed, "\(a) \(c.key) on \(B.pathName): \(comparison)")
      #expect(maxAbs(expected) > 10 * maxAbs(bound), "\(a) \(c.key): bound too loose to mean anything")
      for (j, n) in clips.enumerated() {
        let s = logits.scalars[j * logits.shape[1] + targets[j]]
        #expect(
          abs(result.scores[j] - s) <= e(1, maxAbs(logits)), "\(a) \(c.key) clip \(n): s(x) \(result.scores[j]) vs \(s)"
        )
      }
    }
  }

  @Test("literal path (Double) equals Captum float64 on clip 0 of every mini family", arguments: Fixture.families)
  func literal(_ a: Architecture) throws {
    try Self.check(a, LiteralBackend<Double>.self, clips: 0..<1, unit: Self.ε, factor: 2)
  }

  @Test("fast path (Float32) is within the rounding model of Captum float64 on both clips", arguments: Fixture.families)
  func fast(_ a: Architecture) throws {
    try Self.check(a, FastBackend.self, clips: 0..<2, unit: Self.u, factor: 1)
  }

  @Test(
    "P-QUAD-1: Captum's alphas are our nodes; its weights are ours except the trapezoid's, (n − 1)/n of ours"
  )
  func quadratureTables() throws {
    let f = try Self.file("quadrature")
    for (name, rule) in Self.rules {
      for n in [2, 3, 4, 7, 25, 50] {
        let q = try Quadrature(rule, points: n)
        let alphas = try f.doubleTensor(named: "\(name).\(n).alphas").scalars
        let weights = try f.doubleTensor(named: "\(name).\(n).weights").scalars
        // torch.linspace computes start + k·step (a few roundings); numpy's leggauss refines its
        // nodes by Newton steps: both within 8n·2⁻⁵² of ours.
        let tolerance = Double(8 * n) * Double.ulpOfOne
        for k in 0..<n {
          #expect(abs(alphas[k] - q.nodes[k]) <= tolerance, "\(name) n = \(n) node \(k): \(alphas[k]) vs \(q.nodes[k])")
          let ours = rule == .riemannTrapezoid ? q.weights[k] * Double(n - 1) / Double(n) : q.weights[k]
          #expect(abs(weights[k] - ours) <= tolerance, "\(name) n = \(n) weight \(k): \(weights[k]) vs \(ours)")
        }
        let sum = weights.reduce(0, +)
        let expectedSum = rule == .riemannTrapezoid ? 1 - 1 / Double(n) : 1
        #expect(abs(sum - expectedSum) <= tolerance, "\(name) n = \(n): Captum's weights sum to \(sum)")
      }
    }
  }
}
