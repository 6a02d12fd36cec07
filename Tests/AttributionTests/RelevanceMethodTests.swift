import Attribution
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

@Suite("LRP-ε, LRP-z⁺, LRP-αβ and DeepLIFT as attribution methods")
struct RelevanceMethodTests {
  static func methods() throws -> [any AttributionMethod] {
    [
      try LayerwiseRelevance(.epsilon(LayerwiseRelevance.defaultEpsilon)), try LayerwiseRelevance(.zPlus),
      try LayerwiseRelevance(.alphaBeta(alpha: 2, beta: 1)), DeepLift(baseline: .zero), DeepLift(baseline: .black),
    ]
  }

  @Test("fast and literal paths agree within the network rounding model", arguments: RelevanceFixture.families)
  func pathsAgree(_ a: Architecture) throws {
    let fastNet = Fixture.network(a, FastBackend.self), literalNet = Fixture.network(a, LB.self)
    let x: Tensor<Float> = Fill.weyl([1, 3, 4, 16, 16])
    let (k, layers) = fastNet.roundingProfile(frames: x.shape[2])
    for m in try Self.methods() {
      let fast = try m.attribute(x, targets: [3], network: fastNet, score: .logit)
      let literal = try m.attribute(x.asDouble, targets: [3], network: literalNet, score: .logit)
      let scale = RelevanceFixture.maxAbs(literal.map)
      // Forward then backward: 2 × layers (NetworkTolerance).
      let bound = NetworkTolerance.bound(maxReduction: k, layers: 2 * layers, scale: scale)
      let c = compare(fast.map, literal.map, bound: Tolerance.uniform(bound, like: literal.map))
      #expect(c.passed, "\(m.name) \(m.parameters) on \(a): \(c)")
      #expect(scale > 0, "\(m.name) on \(a) gave an all-zero map")
    }
  }

  @Test("a batch gives the same maps as its clips one at a time (fast path, bit for bit)")
  func batchedEqualsOneByOne() throws {
    let net = Fixture.network(.tsm_mini, FastBackend.self)
    for m in [try LayerwiseRelevance(.zPlus, batch: 2), DeepLift(baseline: .black, batch: 2)] as [any AttributionMethod]
    {
      let together = try m.attribute(Fixture.clip, targets: Fixture.targets, network: net, score: .logit)
      let one: any AttributionMethod =
        m is DeepLift ? DeepLift(baseline: .black, batch: 1) : try LayerwiseRelevance(.zPlus, batch: 1)
      let apart = try one.attribute(Fixture.clip, targets: Fixture.targets, network: net, score: .logit)
      #expect(together.map == apart.map, "\(m.name)")
      #expect(together.scores == apart.scores, "\(m.name)")
      #expect(together.delta == apart.delta, "\(m.name)")
    }
  }

  @Test("the CNN-LSTM is refused with an error naming the rule and the network")
  func recurrentRefused() throws {
    let net = Fixture.network(.cnn_lstm_mini, FastBackend.self)
    let x: Tensor<Float> = Fill.weyl([1, 3, 2, 8, 8])
    for m in try Self.methods() {
      do {
        _ = try m.attribute(x, targets: [0], network: net, score: .logit)
        Issue.record("\(m.name) ran on the CNN-LSTM")
      } catch let e as AttributionError {
        guard case .unsupportedRule(let method, _, let architecture) = e else { return #expect(Bool(false), "\(e)") }
        #expect(method == m.name && architecture == "cnn_lstm_mini", "\(e)")
      }
    }
  }

  @Test("DeepLIFT explains logits only; LRP seeded with the probability is the logit map scaled by p_c/y_c")
  func scores() throws {
    let net = Fixture.network(.r3d_mini, LB.self)
    let x = RelevanceFixture.clip
    #expect(throws: AttributionError.self) {
      try DeepLift().attribute(x, targets: [3], network: net, score: .probability)
    }
    // LRP is linear in its seed, and the seed is s·e_c.
    let m = try LayerwiseRelevance(.alphaBeta(alpha: 2, beta: 1))
    let byLogit = try m.attribute(x, targets: [3], network: net, score: .logit)
    let byProbability = try m.attribute(x, targets: [3], network: net, score: .probability)
    let expected = Literal.scale(byLogit.map, by: byProbability.scores[0] / byLogit.scores[0])
    let bound = 1e-10 * RelevanceFixture.maxAbs(expected)
    let c = compare(byProbability.map, expected, bound: Tolerance.uniform(bound, like: expected))
    #expect(c.passed, "\(c)")
  }

  @Test("the black baseline is (0 − μ_c)/σ_c with the Kinetics statistics, the zero baseline 0")
  func baselines() {
    let x: Tensor<Double> = Fill.weyl([2, 3, 2, 3, 4])
    let black = Baseline.black.make(for: x, seed: 0, backend: LiteralBackend<Double>.self)
    let mean = [0.43216, 0.394666, 0.37645], std = [0.22803, 0.22145, 0.216989]
    for i in 0..<x.count {
      let c = (i / 24) % 3
      #expect(black.scalars[i] == -mean[c] / std[c])
    }
    #expect(Baseline.zero.make(for: x, seed: 0, backend: LiteralBackend<Double>.self).scalars.allSatisfy { $0 == 0 })
  }

  @Test("the registry builds each method from its options and refuses bad values naming the option")
  func registry() throws {
    for (name, options) in [
      ("lrp_epsilon", ["epsilon"]), ("lrp_zplus", []), ("lrp_alphabeta", ["alpha", "beta"]), ("deeplift", ["baseline"]),
    ] {
      let entry = try MethodRegistry.entry(name)
      #expect(entry.takes == Set(options), "\(name)")
      #expect(try MethodRegistry.make(name, options: MethodOptions()).name == name)
    }
    func failure(_ name: String, _ set: (inout MethodOptions) -> Void) -> AttributionError? {
      var o = MethodOptions()
      set(&o)
      do {
        _ = try MethodRegistry.make(name, options: o)
        return nil
      } catch {
        return error as? AttributionError
      }
    }
    guard
      case .conflictingOptions(let both, let reason)? = failure(
        "lrp_alphabeta",
        {
          $0[.alpha] = 2; $0[.beta] = 2
        })
    else { return #expect(Bool(false), "α = β = 2 was accepted") }
    #expect(both == ["alpha", "beta"] && reason.contains("α − β = 1"))
    #expect(
      failure("lrp_alphabeta") { $0[.alpha] = 0.5 }
        == .invalidValue(option: "alpha", value: "0.5", expected: "a finite number ≥ 1.0"))
    #expect(
      failure("lrp_epsilon") { $0[.epsilon] = -1 }
        == .invalidValue(option: "epsilon", value: "-1.0", expected: "a finite number ≥ 0.0"))
    #expect(
      failure("lrp_zplus") { $0[.epsilon] = 0.1 }
        == .optionsNotTaken(method: "lrp_zplus", options: ["epsilon"], takes: []))
    var o = MethodOptions()
    o[.alpha] = 3
    let derived = try #require(try MethodRegistry.make("lrp_alphabeta", options: o) as? LayerwiseRelevance)
    #expect(derived.variant == .alphaBeta(alpha: 3, beta: 2))
    #expect((try MethodRegistry.make("deeplift", options: MethodOptions()) as? DeepLift)?.baseline == .zero)
    o = MethodOptions()
    o[.baseline] = .black
    #expect((try MethodRegistry.make("deeplift", options: o) as? DeepLift)?.baseline == .black)
  }
}
