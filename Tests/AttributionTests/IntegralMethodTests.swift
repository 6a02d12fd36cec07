import Attribution
import Foundation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// Integrated gradients, Blur IG and the SmoothGrad family as methods: both paths agree, the
/// internal batch does not change the result, the baselines are what they say, and the
/// registry builds them with Li et al.'s defaults and refuses bad options.
@Suite("Integral methods: paths, batching, baselines, registry")
struct IntegralMethodTests {
  static let u = 0x1p-24

  struct Setting {
    var fast: Network<FastBackend>
    var literal: Network<LiteralBackend<Double>>
    var k: Int
    var layers: Int
    var x: Tensor<Float>
    /// NetworkTolerance for `passes` traversals of the network at `scale`.
    func tolerance(passes: Int, scale: Double) -> Double {
      NetworkTolerance.bound(maxReduction: k, layers: passes * layers, scale: scale)
    }
  }

  static func setting(_ a: Architecture, shape: [Int] = IntegralFixture.smallShape) -> Setting {
    let fast = Fixture.network(a, FastBackend.self)
    let (k, layers) = fast.roundingProfile(frames: shape[2])
    return Setting(
      fast: fast, literal: Fixture.network(a, LiteralBackend<Double>.self), k: k, layers: layers,
      x: IntegralFixture.clip(shape))
  }

  static func maxAbs(_ t: Tensor<Double>) -> Double { t.scalars.reduce(0) { max($0, abs($1)) } }

  // MARK: literal vs fast

  @Test(
    "integrated gradients: fast and literal paths agree within the network rounding model", arguments: Fixture.families)
  func integratedGradientsPaths(_ a: Architecture) throws {
    let s = Self.setting(a)
    let steps = 3, target = [4]
    var cases: [IntegratedGradients] = [IntegratedGradients(steps: steps)]
    if a == .tsm_mini {
      cases += [
        IntegratedGradients(steps: 2, rule: .gaussLegendre, baseline: .noise, seed: 5),
        IntegratedGradients(steps: 2, rule: .riemannTrapezoid, baseline: .firstFrame),
        IntegratedGradients(steps: 2, rule: .riemannMiddle, baseline: .blur),
      ]
    }
    for method in cases {
      let fast = try method.attribute(s.x, targets: target, network: s.fast, score: .logit)
      let literal = try method.attribute(s.x.asDouble, targets: target, network: s.literal, score: .logit)
      // The largest |∂s/∂x| along the path, from the same integral on the fast path.
      let envelope = GradientEnvelope<Float>()
      _ = try PathIntegral.integratedGradients(
        s.x, baseline: method.baseline.make(for: s.x, seed: method.seed, backend: FastBackend.self),
        quadrature: Quadrature(method.rule, points: method.steps), batch: 8,
        score: envelope.recording(.network(s.fast, targets: target, score: .logit)), backend: FastBackend.self)
      let g = envelope.largest * (1 + 1e-3)
      let difference = Literal.subtract(
        s.x.asDouble, method.baseline.make(for: s.x.asDouble, seed: method.seed, backend: LiteralBackend<Double>.self))
      // Each gradient within NetworkTolerance (forward + backward) of its Double value, the
      // weighted sum of n of them and the product with xᵢ − bᵢ (itself rounded): (n + 3)·u.
      let perUnit = s.tolerance(passes: 2, scale: g) + Double(method.steps + 3) * Self.u * g
      let bound = difference.map { abs($0) * perUnit }
      let c = compare(fast.map, literal.map, bound: bound)
      #expect(c.passed, "\(method.parameters) on \(a): \(c)")
      #expect(Self.maxAbs(literal.map) > 0)
      // δ: the map's error summed, the Float sum (pairwise: ⌈log₂ d⌉ + 1 roundings), and s(x),
      // s(b) within NetworkTolerance of one forward pass.
      let scoreScale = max(
        abs(literal.scores[0]), abs(literal.delta![0] - literal.map.scalars.reduce(0, +) + literal.scores[0]))
      let d = Double(literal.map.count)
      let deltaBound =
        bound.scalars.reduce(0, +) + (log2(d).rounded(.up) + 1) * Self.u * literal.map.magnitudes.scalars.reduce(0, +)
        + 2 * s.tolerance(passes: 1, scale: max(scoreScale, 1e-3))
      #expect(
        abs(fast.delta![0] - literal.delta![0]) <= deltaBound, "δ fast \(fast.delta![0]) literal \(literal.delta![0])")
      #expect(abs(fast.scores[0] - literal.scores[0]) <= s.tolerance(passes: 1, scale: abs(literal.scores[0])))
    }
  }

  @Test(
    "Blur IG: fast and literal paths agree within the network and blur rounding models", arguments: Fixture.families)
  func blurIGPaths(_ a: Architecture) throws {
    let s = Self.setting(a)
    let method = BlurIntegratedGradients(steps: 4, maxSigma: 6)
    let target = [7]
    let fast = try method.attribute(s.x, targets: target, network: s.fast, score: .logit)
    let literal = try method.attribute(s.x.asDouble, targets: target, network: s.literal, score: .logit)
    let envelope = GradientEnvelope<Float>()
    let quadrature = try Quadrature(method.rule, points: method.steps)
    _ = try PathIntegral.blurIntegratedGradients(
      s.x, maxSigma: method.maxSigma, quadrature: quadrature, batch: 8,
      score: envelope.recording(.network(s.fast, targets: target, score: .logit)), backend: FastBackend.self)
    let g = envelope.largest * (1 + 1e-3)
    // Per node σₖ (weight ωₖ = σ_max·wₖ): |D·∇s − D̃·∇̃s| ≤ |D|·e_g + G·e_D with e_g the
    // network tolerance at scale G and e_D the Float error of the derivative: two passes of
    // 2Kₖ + 1 taps, magnitude ≤ 2·Σ|w′|·max|x| (Σw = 1), so e_D ≤ γ_(2(2K+1)+2)·2·Σ|w′|·max|x|;
    // then the product and the n-term weighted sum.
    let xMax = Self.maxAbs(s.x.asDouble)
    var bound = 0.0
    for (sigma, w) in zip(quadrature.nodes(scaledTo: method.maxSigma), quadrature.weights(scaledTo: method.maxSigma))
    where sigma > 0 {
      let derivative = Literal.gaussianBlurSpatialSigmaDerivative(s.x.asDouble, sigma: sigma)
      let dTaps: [Double] = Literal.gaussianTapsSigmaDerivative(sigma: sigma)
      let radius = Literal.gaussianRadius(sigma: sigma)
      let eD = Tolerance.gamma(2 * (2 * radius + 1) + 2) * 2 * dTaps.reduce(0) { $0 + abs($1) } * xMax
      let dMax = Self.maxAbs(derivative)
      bound += w * (dMax * s.tolerance(passes: 2, scale: g) + g * eD + Double(method.steps + 2) * Self.u * dMax * g)
    }
    let c = compare(fast.map, literal.map, bound: Tolerance.uniform(bound, like: literal.map))
    #expect(c.passed, "Blur IG on \(a): \(c)")
    #expect(Self.maxAbs(literal.map) > 100 * bound)
  }

  @Test(
    "SmoothGrad family: fast and literal paths agree within the network rounding model", arguments: Fixture.families)
  func smoothGradPaths(_ a: Architecture) throws {
    let s = Self.setting(a)
    let samples = 2, target = [6]
    let variants: [SmoothGrad.Variant] =
      [Architecture.tsm_mini, .cnn_lstm_mini].contains(a) ? SmoothGrad.Variant.allCases : [.smoothgrad]
    // max |gₛ| ≤ √(S·SG²) per element, from the fast path.
    let squares = try SmoothGrad(.smoothgradSquared, samples: samples, seed: 2)
      .attribute(s.x, targets: target, network: s.fast, score: .logit).map.asDouble
    let g = squares.scalars.reduce(0) { max($0, (Double(samples) * $1).squareRoot()) } * (1 + 1e-3)
    let e = s.tolerance(passes: 2, scale: g)
    for v in variants {
      let method = SmoothGrad(v, samples: samples, seed: 2)
      let fast = try method.attribute(s.x, targets: target, network: s.fast, score: .logit)
      let literal = try method.attribute(s.x.asDouble, targets: target, network: s.literal, score: .logit)
      // Noise is σ·z in Double on both paths, rounded to Float on the fast one (like the
      // network's own input rounding, inside NetworkTolerance). Mean: e + (S + 2)·u·G;
      // mean of squares: 2G·e + e² + (S + 3)·u·G²; variance (E[g²] − E[g]² in effect):
      // 4G·e + 2e² + 16(S + 2)·u·G².
      let bound: Double
      switch v {
      case .smoothgrad: bound = e + Double(samples + 2) * Self.u * g
      case .smoothgradSquared: bound = 2 * g * e + e * e + Double(samples + 3) * Self.u * g * g
      case .vargrad: bound = 4 * g * e + 2 * e * e + 16 * Double(samples + 2) * Self.u * g * g
      }
      let c = compare(fast.map, literal.map, bound: Tolerance.uniform(bound, like: literal.map))
      #expect(c.passed, "\(v) on \(a): \(c)")
      #expect(Self.maxAbs(literal.map) > 10 * bound, "\(v) on \(a): map too small to compare")
    }
  }

  // MARK: batching

  @Test("the internal batch does not change any map, score or δ (fast path, bit for bit)")
  func batchIndependence() throws {
    let net = Fixture.network(.r2plus1d_mini, FastBackend.self)
    let x = IntegralFixture.clip([2, 3, 4, 16, 16]), targets = [1, 9]
    func run(_ m: any AttributionMethod) throws -> AttributionResult<Float> {
      try m.attribute(x, targets: targets, network: net, score: .probability)
    }
    let pairs: [(any AttributionMethod, any AttributionMethod)] = [
      (IntegratedGradients(steps: 4, batch: 1), IntegratedGradients(steps: 4, batch: 3)),
      (
        IntegratedGradients(steps: 3, baseline: .noise, seed: 8, batch: 2),
        IntegratedGradients(steps: 3, baseline: .noise, seed: 8, batch: 5)
      ),
      (
        BlurIntegratedGradients(steps: 4, maxSigma: 6, batch: 1),
        BlurIntegratedGradients(steps: 4, maxSigma: 6, batch: 3)
      ),
      (SmoothGrad(.smoothgrad, samples: 3, batch: 1), SmoothGrad(.smoothgrad, samples: 3, batch: 4)),
      (SmoothGrad(.vargrad, samples: 3, batch: 2), SmoothGrad(.vargrad, samples: 3, batch: 3)),
    ]
    for (one, other) in pairs {
      let r1 = try run(one), r2 = try run(other)
      #expect(r1.map == r2.map, "\(one.name): maps differ between batch sizes")
      #expect(r1.scores == r2.scores && r1.delta == r2.delta, "\(one.name): scores or δ differ")
    }
    // The seed matters: another seed gives other noise.
    let a = try run(SmoothGrad(.smoothgrad, samples: 3, seed: 1)),
      b = try run(SmoothGrad(.smoothgrad, samples: 3, seed: 2))
    #expect(a.map != b.map)
  }

  // MARK: baselines

  @Test(
    "the baselines: zero, black = (0 − μ_c)/σ_c, blur with σ = 50, uniform noise per clip seed, first frame repeated")
  func baselines() {
    let x: Tensor<Double> = Fill.weyl([2, 3, 3, 8, 9])
    let per = 3 * 8 * 9
    typealias L = LiteralBackend<Double>
    #expect(Baseline.zero.make(for: x, seed: 0, backend: L.self).scalars.allSatisfy { $0 == 0 })
    let black = Baseline.black.make(for: x, seed: 0, backend: L.self)
    for i in 0..<x.count {
      let c = (i / per) % 3
      #expect(black.scalars[i] == (0 - Baseline.kineticsMean[c]) / Baseline.kineticsStd[c])
    }
    #expect(abs(black.scalars[0] - -1.8952) < 1e-4)  // Li et al.'s constant
    let blackFloat = Baseline.black.make(for: Tensor<Float>(converting: x), seed: 0, backend: FastBackend.self)
    #expect(blackFloat.scalars.enumerated().allSatisfy { $0.element == Float(black.scalars[$0.offset]) })
    #expect(Baseline.blur.make(for: x, seed: 0, backend: L.self) == Literal.gaussianBlurSpatial(x, sigma: 50))
    let first = Baseline.firstFrame.make(for: x, seed: 0, backend: L.self)
    for i in 0..<x.count {
      let (nc, p) = (i / (3 * 72), i % 72)
      #expect(first.scalars[i] == x.scalars[nc * 3 * 72 + p])
    }
    let noise = Baseline.noise.make(for: x, seed: 4, backend: L.self)
    let alone = Baseline.noise.make(
      for: Tensor(shape: [1, 3, 3, 8, 9], scalars: Array(x.scalars[..<(3 * per)])), seed: 4, backend: L.self)
    #expect(Array(noise.scalars[..<(3 * per)]) == alone.scalars, "clip 0's noise depends on the other clips")
    #expect(Array(noise.scalars[..<(3 * per)]) != Array(noise.scalars[(3 * per)...]))
    #expect(noise != Baseline.noise.make(for: x, seed: 5, backend: L.self))
    for i in 0..<x.count {
      let c = (i / per) % 3
      let (lo, hi) = (
        (0 - Baseline.kineticsMean[c]) / Baseline.kineticsStd[c],
        (1 - Baseline.kineticsMean[c]) / Baseline.kineticsStd[c]
      )
      #expect(noise.scalars[i] >= lo && noise.scalars[i] < hi)
    }
  }

  // MARK: registry

  @Test("the registry builds the five methods with Li et al.'s defaults")
  func registryDefaults() throws {
    let o = MethodOptions()
    let ig = try MethodRegistry.make("integrated_gradients", options: o)
    #expect(ig.parameters == ["steps": "25", "rule": "riemann_left", "baseline": "black", "batch": "8"])
    #expect(ig.defaultPostProcessing == PostProcessing(channels: .absMean, normalization: .percentile(99.9)))
    let blur = try MethodRegistry.make("blur_ig", options: o)
    #expect(blur.parameters["steps"] == "25" && blur.parameters["max-sigma"] == "50.0")
    for name in ["smoothgrad", "smoothgrad_sq", "vargrad"] {
      let m = try MethodRegistry.make(name, options: o)
      #expect(m.name == name)
      #expect(
        m.parameters["samples"] == "25" && m.parameters["noise"] == "0.15" && m.parameters["noise-absolute"] == "off")
      #expect(m.defaultPostProcessing == PostProcessing(channels: .sumAbs, normalization: .percentile(99.9)))
    }
    var captum = MethodOptions()
    captum[.noiseAbsolute] = true
    #expect(try MethodRegistry.make("smoothgrad", options: captum).parameters["noise"] == "1.0")
    var gl = MethodOptions()
    (gl[.rule], gl[.steps], gl[.baseline], gl.seed) = (.gaussLegendre, 50, .noise, 3)
    let m = try MethodRegistry.make("integrated_gradients", options: gl)
    #expect(m.parameters["rule"] == "gauss_legendre" && m.parameters["steps"] == "50" && m.parameters["seed"] == "3")
  }

  @Test("bad options are refused naming the option and the values it takes")
  func registryErrors() {
    /// The error of building `name` from command-line words, nil when it builds.
    func failure(_ name: String, _ words: String) -> AttributionError? {
      do {
        _ = try MethodRegistry.make(
          name, options: try MethodOptions.parse(arguments: words.split(separator: " ").map(String.init)))
        return nil
      } catch let e as AttributionError {
        return e
      } catch {
        Issue.record("\(error)")
        return nil
      }
    }
    let ruleSyntax = "riemann_left|riemann_right|riemann_middle|riemann_trapezoid|gauss_legendre"
    #expect(
      failure("integrated_gradients", "--rule simpson")
        == .invalidValue(option: "rule", value: "simpson", expected: ruleSyntax))
    #expect(
      failure("integrated_gradients", "--baseline gray")
        == .invalidValue(option: "baseline", value: "gray", expected: "zero|black|blur|noise|first_frame"))
    #expect(
      failure("integrated_gradients", "--steps 0")
        == .invalidValue(option: "steps", value: "0", expected: "an integer ≥ 1"))
    #expect(
      failure("integrated_gradients", "--steps many")
        == .invalidValue(option: "steps", value: "many", expected: "an integer ≥ 1"))
    guard
      case .conflictingOptions(let both, let reason)? = failure(
        "integrated_gradients", "--rule riemann_trapezoid --steps 1")
    else { return #expect(Bool(false), "trapezoid with one step was accepted") }
    #expect(both == ["rule", "steps"] && reason.contains("at least 2"))
    #expect(
      failure("blur_ig", "--rule gauss_legendre")
        == .optionsNotTaken(method: "blur_ig", options: ["rule"], takes: ["steps"]))
    #expect(
      failure("smoothgrad", "--steps 3")
        == .optionsNotTaken(method: "smoothgrad", options: ["steps"], takes: ["samples", "noise", "noise-absolute"]))
    #expect(
      failure("vargrad", "--samples 0") == .invalidValue(option: "samples", value: "0", expected: "an integer ≥ 1"))
    #expect(
      failure("smoothgrad_sq", "--noise -1")
        == .invalidValue(option: "noise", value: "-1.0", expected: "a finite number ≥ 0.0"))
    #expect(
      failure("smoothgrad_sq", "--noise nan")
        == .invalidValue(option: "noise", value: "nan", expected: "a finite number ≥ 0.0"))
    #expect(
      failure("integrated_gradients", "--samples 3")?.description.contains("its options: steps, rule, baseline") == true
    )
  }
}
