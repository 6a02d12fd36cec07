import Attribution
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

@Suite("Gradient, gradient × input, guided backprop, deconvnet")
struct GradientMethodTests {
  @Test("fast and literal paths agree within the network rounding model", arguments: Fixture.families)
  func pathsAgree(_ a: Architecture) throws {
    let net = Fixture.network(a, FastBackend.self)
    let (k, layers) = net.roundingProfile(frames: Fixture.clip.shape[2])
    var methods: [any AttributionMethod] = [Saliency(), GradientTimesInput(), RuleSaliency(.guidedBackprop)]
    if a != .cnn_lstm_mini { methods.append(RuleSaliency(.deconvnet)) }
    for m in methods {
      for score in ExplainedScore.allCases {
        let (fast, literal) = try Fixture.bothPaths(m, a, score: score)
        let scale = literal.map.scalars.reduce(0) { max($0, abs($1)) }
        // Forward then backward: 2 × layers (NetworkTolerance).
        let bound = NetworkTolerance.bound(maxReduction: k, layers: 2 * layers, scale: scale)
        let c = compare(fast.map, literal.map, bound: Tolerance.uniform(bound, like: literal.map))
        #expect(c.passed, "\(m.name) \(score) on \(a): \(c)")
        #expect(scale > 0, "\(m.name) on \(a) gave an all-zero map")
      }
    }
  }

  @Test("a batch gives the same maps as its clips one at a time (fast path, bit for bit)")
  func batchedEqualsOneByOne() throws {
    let net = Fixture.network(.r2plus1d_mini, FastBackend.self)
    let together = try Saliency(batch: 2).attribute(Fixture.clip, targets: Fixture.targets, network: net, score: .logit)
    let apart = try Saliency(batch: 1).attribute(Fixture.clip, targets: Fixture.targets, network: net, score: .logit)
    #expect(together.map == apart.map)
    #expect(together.scores == apart.scores)
  }

  @Test("the probability score's gradient is the logit gradients mixed by p_c(e_c − p)")
  func probabilityChainRule() throws {
    let net = Fixture.network(.r3d_mini, LiteralBackend<Double>.self)
    let x: Tensor<Double> = Fill.weyl([1, 3, 4, 16, 16])  // small: 12 literal passes
    let logits = net.logits(x)
    let p = Literal.softmax(logits)
    let gp = try Saliency().attribute(x, targets: [3], network: net, score: .probability).map
    // Σ_k p_3(δ_3k − p_k) ∂y_k/∂x, with each ∂y_k/∂x from the logit score.
    var expected = Tensor<Double>(shape: x.shape, repeating: 0)
    for k in 0..<11 {
      let gk = try Saliency().attribute(x, targets: [k], network: net, score: .logit).map
      let w = p.scalars[3] * ((k == 3 ? 1 : 0) - p.scalars[k])
      expected = Literal.addScaled(expected, gk, scale: w)
    }
    let scale = expected.scalars.reduce(0) { max($0, abs($1)) }
    let c = compare(gp, expected, bound: Tolerance.uniform(1e-12 * scale, like: expected))
    #expect(c.passed, "\(c)")
  }

  @Test("an unknown method or an option it does not take is refused with the valid choices")
  func registryErrors() {
    #expect(throws: AttributionError.unknownMethod("saliency_map", valid: MethodRegistry.names)) {
      try MethodRegistry.make("saliency_map", options: MethodOptions())
    }
    var o = MethodOptions()
    o[.steps] = 10
    #expect(throws: AttributionError.optionsNotTaken(method: "gradient", options: ["steps"], takes: [])) {
      try MethodRegistry.make("gradient", options: o)
    }
  }
}

extension GradientMethodTests {
  @Test("the random map: uniform in [0, 1), seeded per clip, the same on both paths, and depends on the seed")
  func randomMap() throws {
    let x: Tensor<Float> = Fill.weyl([3, 3, 2, 8, 8])
    let net = Fixture.network(.r3d_mini, FastBackend.self)
    let a = try RandomMap(seed: 4).attribute(x, targets: [0, 1, 2], network: net, score: .logit)
    #expect(a.map.shape == [3, 1, 2, 8, 8] && a.map.scalars.allSatisfy { $0 >= 0 && $0 < 1 })
    let mean = a.map.scalars.reduce(0, +) / Float(a.map.count)
    #expect(abs(mean - 0.5) < 0.05, "384 uniforms average near ½: \(mean)")
    let second = try RandomMap(seed: 4).attribute(x.clips(1..<2), targets: [1], network: net, score: .logit)
    #expect(second.map.scalars != Array(a.map.scalars[128..<256]), "clip 1 alone is clip 0 of its request")
    let literal = try RandomMap(seed: 4).attribute(
      x.asDouble, targets: [0, 1, 2], network: Fixture.network(.r3d_mini, LiteralBackend<Double>.self), score: .logit)
    #expect(a.map == Tensor<Float>(converting: literal.map))
    #expect(try RandomMap(seed: 5).attribute(x, targets: [0, 1, 2], network: net, score: .logit).map != a.map)
  }
}
