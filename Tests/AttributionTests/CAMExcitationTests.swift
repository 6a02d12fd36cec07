import Attribution
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// Helpers for the CAM-family and excitation tests: a small clip every mini model accepts,
/// layer activations and gradients, and magnitudes for derived bounds.
enum CAMSupport {
  /// 1×3×4×16×16: the literal path runs a mini model on it in a few hundredths of a second.
  static let small: Tensor<Float> = Fill.weyl([1, 3, 4, 16, 16])
  /// The same clip shifted to [0, 2): every input non-negative.
  static let smallPositive: Tensor<Float> = Fill.weyl([1, 3, 4, 16, 16], offset: 1)

  static func maxAbs<S: BinaryFloatingPoint>(_ t: Tensor<S>) -> Double {
    t.scalars.reduce(0) { max($0, abs(Double($1))) }
  }

  /// A and ∂s/∂A at `layer` (the logit of `targets`).
  static func activationAndGradient<B: KernelBackend>(
    _ net: Network<B>, _ x: Tensor<B.Scalar>, targets: [Int], layer: String, score: ExplainedScore = .logit
  ) -> (a: Tensor<Double>, g: Tensor<Double>) {
    let pass = ScoreGradient(network: net, input: x, targets: targets, score: score, capture: [layer])
    return (
      Tensor<Double>(converting: pass.tape.activations[layer]!), Tensor<Double>(converting: pass.tape.gradients[layer]!)
    )
  }

  /// K·max|α|·max|A| with α the clip weights: bounds Σ_k |α_k A_k| at every position, the
  /// magnitude a channel-weighted sum's rounding scales with (per-frame weights are bounded by
  /// max|G| ≥ max|α|, so max|G| is used).
  static func camMagnitude(_ a: Tensor<Double>, _ g: Tensor<Double>) -> Double {
    Double(a.shape[1]) * maxAbs(g) * maxAbs(a)
  }

  static func expectClose(
    _ got: Tensor<Double>, _ ref: Tensor<Double>, bound: Double, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let c = compare(got, ref, bound: Tolerance.uniform(bound, like: ref))
    #expect(c.passed, "\(what): \(c)", sourceLocation: sourceLocation)
  }
}

@Suite("Grad-CAM, guided Grad-CAM, CAM, Score-CAM, excitation backprop")
struct CAMExcitationTests {
  static let families: [Architecture] = [.r3d_mini, .r2plus1d_mini, .tsm_mini, .cnn_lstm_mini]

  @Test("fast and literal paths agree for every CAM and excitation method", arguments: families)
  func pathsAgree(_ a: Architecture) throws {
    let fastNet = Fixture.network(a, FastBackend.self), litNet = Fixture.network(a, LiteralBackend<Double>.self)
    let x = CAMSupport.small
    // The predicted class: a Grad-CAM map after the ReLU can be all zero for another class.
    let targets = [litNet.logits(x.asDouble).scalars.enumerated().max { $0.element < $1.element }!.offset]
    let (k, layers) = fastNet.roundingProfile(frames: x.shape[2])
    func bound(_ scale: Double, passes: Int) -> Double {
      NetworkTolerance.bound(maxReduction: k, layers: passes * layers, scale: scale)
    }
    let layer = a.defaultCAMLayer
    let (act, grad) = CAMSupport.activationAndGradient(litNet, x.asDouble, targets: targets, layer: layer)
    // Grad-CAM: α carries the backward pass's error, A the forward pass's; the channel sum
    // scales with Σ_k |α_k A_k| ≤ K·max|G|·max|A|. Upsampling is a convex combination.
    let camScale = CAMSupport.camMagnitude(act, grad)
    for weighting in GradCAM.Weighting.allCases {
      let m = GradCAM(weighting: weighting)
      let f = try m.attribute(x, targets: targets, network: fastNet, score: .logit)
      let l = try m.attribute(x.asDouble, targets: targets, network: litNet, score: .logit)
      CAMSupport.expectClose(f.map.asDouble, l.map, bound: bound(camScale, passes: 2), "grad_cam \(weighting) on \(a)")
      #expect(CAMSupport.maxAbs(l.map) > 0, "grad_cam on \(a) gave an all-zero map")
      #expect(f.map.shape == [1, 1, 4, 16, 16])
    }
    // Guided Grad-CAM: a product of two maps, each within its bound relative to its own scale.
    let guided = GuidedGradCAM()
    let gf = try guided.attribute(x, targets: targets, network: fastNet, score: .logit)
    let gl = try guided.attribute(x.asDouble, targets: targets, network: litNet, score: .logit)
    let gbp = try RuleSaliency(.guidedBackprop).attribute(x.asDouble, targets: targets, network: litNet, score: .logit)
    let camMap = try GradCAM().attribute(x.asDouble, targets: targets, network: litNet, score: .logit)
    CAMSupport.expectClose(
      gf.map.asDouble, gl.map,
      bound: bound(camScale, passes: 2) * CAMSupport.maxAbs(gbp.map)
        + bound(CAMSupport.maxAbs(gbp.map), passes: 2) * CAMSupport.maxAbs(camMap.map),
      "guided_grad_cam on \(a)")
    #expect(gf.map.shape == [1, 3, 4, 16, 16])
    // Excitation backprop: p ≥ 0 above the first convolution, so Σ_k has no cancellation.
    let eb = ExcitationBackprop()
    let ef = try eb.attribute(x, targets: targets, network: fastNet, score: .logit)
    let el = try eb.attribute(x.asDouble, targets: targets, network: litNet, score: .logit)
    CAMSupport.expectClose(ef.map.asDouble, el.map, bound: bound(CAMSupport.maxAbs(el.map), passes: 2), "EB on \(a)")
    #expect(CAMSupport.maxAbs(el.map) > 0, "EB on \(a) gave an all-zero map")
    // Contrastive: the difference of two signals of the size of EB's.
    if a != .cnn_lstm_mini {
      let stages = litNet.stagePaths
      let below = stages[stages.firstIndex(of: layer)! - 1]
      let ceb = ExcitationBackprop(layer: below, contrastive: true)
      let cf = try ceb.attribute(x, targets: targets, network: fastNet, score: .logit)
      let cl = try ceb.attribute(x.asDouble, targets: targets, network: litNet, score: .logit)
      let ebBelow = try ExcitationBackprop(layer: below).attribute(
        x.asDouble, targets: targets, network: litNet, score: .logit)
      let scale = 2 * CAMSupport.maxAbs(ebBelow.map) + CAMSupport.maxAbs(cl.map)
      CAMSupport.expectClose(cf.map.asDouble, cl.map, bound: bound(scale, passes: 3), "contrastive EB on \(a)")
    }
    if a != .cnn_lstm_mini {
      // CAM: Σ_k w_ck A_k; only the forward pass rounds, scaled by Σ_k |w_ck|·max|A| ≤ K·max|w|·max|A|.
      let w = try #require(litNet.parameters.first { $0.name == (a == .tsm_mini ? "new_fc.weight" : "fc.weight") })
      let cf = try CAM().attribute(x, targets: targets, network: fastNet, score: .logit)
      let cl = try CAM().attribute(x.asDouble, targets: targets, network: litNet, score: .logit)
      let scale = Double(act.shape[1]) * CAMSupport.maxAbs(w.value) * CAMSupport.maxAbs(act)
      CAMSupport.expectClose(cf.map.asDouble, cl.map, bound: bound(scale, passes: 1), "cam on \(a)")
    }
  }

  @Test("Score-CAM agrees on both paths and does not depend on how many masked clips run per pass")
  func scoreCAMPaths() throws {
    let fastNet = Fixture.network(.r3d_mini, FastBackend.self)
    let litNet = Fixture.network(.r3d_mini, LiteralBackend<Double>.self)
    let x = CAMSupport.small, targets = [3]
    let layer = "layer2"  // 32 channels: 33 literal forward passes
    let f = try ScoreCAM(layer: layer, batch: 32).attribute(x, targets: targets, network: fastNet, score: .probability)
    let f5 = try ScoreCAM(layer: layer, batch: 5).attribute(x, targets: targets, network: fastNet, score: .probability)
    let l = try ScoreCAM(layer: layer, batch: 7).attribute(
      x.asDouble, targets: targets, network: litNet, score: .probability)
    // Σ_k s_k·M_k over K = 32 masks: each score within the forward bound (scale max s ≤ 1), each
    // mask within 16 u (resize, min/max, subtract, divide), so |Δ| ≤ K·(δs + 16u·max s).
    let (k, layers) = fastNet.roundingProfile(frames: 4)
    let maxS = 1.0
    let bound = 32 * (NetworkTolerance.bound(maxReduction: k, layers: layers, scale: maxS) + 16 * 0x1p-24 * maxS)
    CAMSupport.expectClose(f.map.asDouble, l.map, bound: bound, "score_cam fast vs literal")
    CAMSupport.expectClose(f5.map.asDouble, l.map, bound: bound, "score_cam batch 5 vs literal")
    #expect(CAMSupport.maxAbs(l.map) > 0)
    #expect(l.map.scalars.allSatisfy { $0 >= 0 }, "the ReLU leaves no negative value")
  }

  @Test("a batch of clips gives the same Grad-CAM and EB maps as its clips one at a time (fast path, bit for bit)")
  func batchedEqualsOneByOne() throws {
    let net = Fixture.network(.r2plus1d_mini, FastBackend.self)
    let methods: [any AttributionMethod] = [GradCAM(batch: 2), ExcitationBackprop(batch: 2)]
    let oneByOne: [any AttributionMethod] = [GradCAM(batch: 1), ExcitationBackprop(batch: 1)]
    for (m, m1) in zip(methods, oneByOne) {
      let together = try m.attribute(Fixture.clip, targets: Fixture.targets, network: net, score: .logit)
      let apart = try m1.attribute(Fixture.clip, targets: Fixture.targets, network: net, score: .logit)
      #expect(together.map == apart.map, "\(m.name)")
      #expect(together.scores == apart.scores, "\(m.name)")
    }
  }

  @Test("the per-frame Grad-CAM of a 2-D network keeps every frame: no temporal upsampling")
  func perFrameLayersKeepTime() throws {
    for a in [Architecture.tsm_mini, .cnn_lstm_mini] {
      let net = Fixture.network(a, FastBackend.self)
      let m = try GradCAM().layerMap(Fixture.clip, targets: Fixture.targets, network: net, score: .logit)
      #expect(m.map.shape[2] == Fixture.clip.shape[2], "\(a): \(m.map.shape)")
    }
  }

  @Test("trilinear upsampling in time equals Li et al.'s repeat on the outer frames and blends in between")
  func trilinearVersusRepeat() {
    // t = 2 layer frames → T = 16 (R(2+1)D's layer4 at 16 frames), one channel and pixel.
    let layer = Tensor<Double>(shape: [1, 1, 2, 1, 1], scalars: [3, 7])
    let up = Literal.resizeTrilinear(layer, size: Size3(16, 1, 1)).scalars
    let repeated = Literal.repeatInterleaveTime(layer, factor: 8).scalars
    #expect(Array(up[0..<4]) == Array(repeated[0..<4]) && Array(up[12..<16]) == Array(repeated[12..<16]))
    for d in 4..<12 {
      let weight = Double(2 * (d - 4) + 1) / 16  // 1/16, 3/16, …, 15/16 on the second frame
      #expect(abs(up[d] - (3 * (1 - weight) + 7 * weight)) <= 1e-15, "frame \(d): \(up[d])")
    }
    #expect(Array(Literal.resizeNearest(layer, size: Size3(16, 1, 1)).scalars) == Array(repeated))
  }

  @Test("excitation backprop for the CNN-LSTM: the signal entering the per-frame CNN sums to T per clip")
  func recurrentNormalisation() throws {
    let net = Fixture.network(.cnn_lstm_mini, LiteralBackend<Double>.self)
    let x = CAMSupport.small.asDouble
    let s = try ExcitationBackprop(layer: "relu7").signal(x, targets: [3], network: net, score: .logit)
    #expect(abs(s.map.scalars.reduce(0, +) - 4) <= 1e-12 * 4, "Σp = \(s.map.scalars.reduce(0, +)), T = 4")
  }

  @Test("the LSTM gate signals of excitation backprop are the cell's own VJP before its weights")
  func lstmGateSignals() throws {
    typealias B = LiteralBackend<Double>
    let n = 2, f = 3, h = 4
    let weights = LSTMWeights<Double>(
      inputWeight: Fill.uniform([4 * h, f], seed: 1), hiddenWeight: Fill.uniform([4 * h, h], seed: 2),
      inputBias: Fill.uniform([4 * h], seed: 3), hiddenBias: Fill.uniform([4 * h], seed: 4))
    for activation in LSTMActivation.allCases {
      let x: Tensor<Double> = Fill.uniform([n, f], seed: 5), hid: Tensor<Double> = Fill.uniform([n, h], seed: 6)
      let c: Tensor<Double> = Fill.uniform([n, h], seed: 7)
      let r = B.lstmCell(input: x, hidden: hid, cell: c, weights: weights, activation: activation)
      let dh: Tensor<Double> = Fill.uniform([n, h], seed: 8), dc: Tensor<Double> = Fill.uniform([n, h], seed: 9)
      let ours = RecurrentHead<B>.gateSignals(dHidden: dh, dCell: dc, previousCell: c, saved: r, activation: activation)
      let theirs = B.lstmCellBackward(
        dHidden: dh, dCell: dc, input: x, hidden: hid, cell: c, weights: weights, saved: r, activation: activation)
      CAMSupport.expectClose(
        B.linearBackwardInput(ours.preactivation, weight: weights.inputWeight), theirs.input, bound: 1e-14,
        "dx \(activation)")
      CAMSupport.expectClose(
        B.linearBackwardInput(ours.preactivation, weight: weights.hiddenWeight), theirs.hidden, bound: 1e-14,
        "dh \(activation)")
      CAMSupport.expectClose(ours.previousCell, theirs.cell, bound: 1e-14, "dc \(activation)")
    }
  }

  @Test("layers, options and architectures a method cannot use are refused with the valid choices")
  func refusals() throws {
    let net = Fixture.network(.r3d_mini, FastBackend.self)
    let x = CAMSupport.small
    func message(_ body: () throws -> Void) -> String {
      do {
        try body()
        return ""
      } catch {
        return "\(error)"
      }
    }
    let unknown = message { _ = try GradCAM(layer: "layer9").attribute(x, targets: [0], network: net, score: .logit) }
    #expect(
      unknown.contains("layer9") && unknown.contains("layer4") && unknown.contains("layer1.0.conv1"), "\(unknown)")
    let flat = message { _ = try GradCAM(layer: "fc").attribute(x, targets: [0], network: net, score: .logit) }
    #expect(flat.contains("N×K×t×h×w"), "\(flat)")
    let camLayer = message { _ = try CAM(layer: "layer3").attribute(x, targets: [0], network: net, score: .logit) }
    #expect(camLayer.contains("layer4"), "\(camLayer)")
    let lstm = Fixture.network(.cnn_lstm_mini, FastBackend.self)
    let camLSTM = message { _ = try CAM().attribute(x, targets: [0], network: lstm, score: .logit) }
    #expect(camLSTM.contains("grad_cam"), "\(camLSTM)")
    let contrast = message {
      _ = try ExcitationBackprop(layer: "layer3.0.conv1", contrastive: true).attribute(
        x, targets: [0], network: net, score: .logit)
    }
    #expect(contrast.contains("stages"), "\(contrast)")
    let target = message { _ = try GradCAM().attribute(x, targets: [11], network: net, score: .logit) }
    #expect(target.contains("11"), "\(target)")

    func failure(_ name: String, _ words: String) -> AttributionError? {
      do {
        _ = try MethodRegistry.make(
          name, options: try MethodOptions.parse(arguments: words.split(separator: " ").map(String.init)))
        return nil
      } catch {
        return error as? AttributionError
      }
    }
    #expect(
      failure("grad_cam", "--cam-weights frame")
        == .invalidValue(option: "cam-weights", value: "frame", expected: "per-frame|clip"))
    #expect(
      failure("score_cam", "--upsampling bilinear")
        == .invalidValue(option: "upsampling", value: "bilinear", expected: "trilinear|nearest|repeat-bilinear"))
    #expect(
      failure("cam", "--relu off")
        == .optionsNotTaken(method: "cam", options: ["relu"], takes: ["layer", "upsampling"]))
    #expect(
      failure("excitation_backprop", "--contrast-layer layer4")
        == .optionsNotTaken(method: "excitation_backprop", options: ["contrast-layer"], takes: ["layer", "upsampling"]))
    var o = MethodOptions()
    o[.contrastLayer] = "layer4"
    o[.layer] = "layer2"
    let ceb = try MethodRegistry.make("contrastive_excitation_backprop", options: o)
    #expect(ceb.parameters["contrast-layer"] == "layer4" && ceb.parameters["layer"] == "layer2")
    o = MethodOptions()
    o[.camWeights] = .clip
    o[.relu] = false
    o[.upsampling] = .nearest
    let g = try MethodRegistry.make("guided_grad_cam", options: o)
    #expect(
      g.parameters["cam-weights"] == "clip" && g.parameters["relu"] == "off"
        && g.parameters["upsampling"] == "nearest")
  }

  // MARK: Claims (Proofs/cam-excitation.md)

  @Test("P-CAM-1: on a GAP + linear head, Grad-CAM with the logit is CAM divided by the number of layer positions")
  func gradCAMIsCAM() throws {
    // mc3 keeps every frame at layer4 (t = 4, 2×2: Z = 16); TSM's layer is per frame (Z = T·1·1).
    for a in [Architecture.mc3_mini, .tsm_mini] {
      let net = Fixture.network(a, LiteralBackend<Double>.self)
      let x = Fill.weyl([1, 3, 4, 32, 32]) as Tensor<Double>
      let cam = try CAM().layerMap(x, targets: [5], network: net, score: .logit).map
      let z = Double(cam.shape[2] * cam.shape[3] * cam.shape[4])
      let tol = 1e-12 * CAMSupport.maxAbs(cam)
      for weighting in GradCAM.Weighting.allCases {
        let plain = try GradCAM(weighting: weighting, relu: false).layerMap(
          x, targets: [5], network: net, score: .logit)
        CAMSupport.expectClose(Literal.scale(plain.map, by: z), cam, bound: tol, "\(a) \(weighting), no ReLU")
        let relu = try GradCAM(weighting: weighting).layerMap(x, targets: [5], network: net, score: .logit)
        CAMSupport.expectClose(Literal.scale(relu.map, by: z), Literal.relu(cam), bound: tol, "\(a) \(weighting), ReLU")
      }
      // The upsampled maps keep the relation (resizing is linear).
      let up = try GradCAM(weighting: .clip, relu: false).attribute(x, targets: [5], network: net, score: .logit)
      let camUp = try CAM().attribute(x, targets: [5], network: net, score: .logit)
      CAMSupport.expectClose(Literal.scale(up.map, by: z), camUp.map, bound: tol, "\(a) upsampled")
    }
  }

  @Test("P-CAM-2: clip weights are the frame average of per-frame weights; the maps coincide when t = 1")
  func perFrameVersusClip() throws {
    typealias B = LiteralBackend<Double>
    let net = Fixture.network(.r3d_mini, B.self)
    let x = CAMSupport.small.asDouble  // T = 4: layer4 has t = 1, layer2 has t = 2
    for score in ExplainedScore.allCases {
      let pf = try GradCAM(layer: "layer4", weighting: .perFrame).layerMap(x, targets: [2], network: net, score: score)
      let cl = try GradCAM(layer: "layer4", weighting: .clip).layerMap(x, targets: [2], network: net, score: score)
      #expect(pf.map.shape[2] == 1)
      #expect(pf.map == cl.map, "t = 1, \(score): the two weightings are the same computation")
    }
    // t = 2 with the probability score: the gradient varies over frames, the maps differ.
    let pf2 = try GradCAM(layer: "layer2", weighting: .perFrame, relu: false).layerMap(
      x, targets: [2], network: net, score: .probability)
    let cl2 = try GradCAM(layer: "layer2", weighting: .clip, relu: false).layerMap(
      x, targets: [2], network: net, score: .probability)
    let gap = zip(pf2.map.scalars, cl2.map.scalars).map { abs($0 - $1) }.max()!
    #expect(gap > 1e-3 * CAMSupport.maxAbs(cl2.map), "per-frame and clip maps should differ at t = 2 (gap \(gap))")
    // The averaging identity, exactly: with A constant over frames, mean_τ of the per-frame map
    // (no ReLU) is the clip map. Random A (K×1×h×w repeated over t = 3) and G (K×3×h×w).
    let k = 5, t = 3, h = 2, w = 3
    let a1: Tensor<Double> = Fill.uniform([1, k, 1, h, w], seed: 11)
    let a = B.resizeNearest(a1, size: Size3(t, h, w))
    let g: Tensor<Double> = Fill.uniform([1, k, t, h, w], seed: 12)
    let mpf = GradCAM.combine(activation: a, gradient: g, .perFrame, relu: false, B.self)
    let mcl = GradCAM.combine(activation: a, gradient: g, .clip, relu: false, B.self)
    let mean = B.adaptiveAvgPool3d(mpf, outputSize: Size3(1, h, w))
    CAMSupport.expectClose(mean, B.adaptiveAvgPool3d(mcl, outputSize: Size3(1, h, w)), bound: 1e-15, "mean over frames")
  }

  @Test("P-EB-1: excitation maps sum to 1 at every stage output and are non-negative where inputs are")
  func excitationConservation() throws {
    for a in [Architecture.r3d_mini, .tsm_mini] {
      let net = Fixture.network(a, LiteralBackend<Double>.self)
      let stages = net.stagePaths
      let classifier = stages.firstIndex(of: a == .tsm_mini ? "new_fc" : "fc")!
      for x in [CAMSupport.small.asDouble, CAMSupport.smallPositive.asDouble] {
        for stage in stages[..<classifier] where stage != "flatten" {
          let p = try ExcitationBackprop(layer: stage).signal(x, targets: [4], network: net, score: .logit).map
          let total = p.scalars.reduce(0, +)
          #expect(abs(total - 1) <= 1e-12, "\(a) \(stage): Σp = \(total)")
          #expect(p.scalars.allSatisfy { $0 >= 0 }, "\(a) \(stage): negative excitation")
        }
      }
      // At the input the first convolution sees x: with x ≥ 0 the map still sums to 1 and is
      // non-negative; with signed x it is neither.
      let positive = try inputSignal(net, CAMSupport.smallPositive.asDouble)
      #expect(abs(positive.scalars.reduce(0, +) - 1) <= 1e-12)
      #expect(positive.scalars.allSatisfy { $0 >= 0 })
      // With signed x the sum is still 1 (the algebra never uses a ≥ 0, only z⁺ ≠ 0), but the
      // map has negative entries: non-negativity is what the first layer's input decides.
      let signed = try inputSignal(net, CAMSupport.small.asDouble)
      #expect(signed.scalars.contains { $0 < 0 }, "\(a): a signed input gives negative excitation")
      let magnitude = signed.scalars.reduce(0) { $0 + abs($1) }
      #expect(abs(signed.scalars.reduce(0, +) - 1) <= 1e-13 * magnitude, "\(a): Σp at a signed input")
    }
  }

  /// EB at the input, through the registry-free network API (the rule itself, seeded one-hot).
  func inputSignal(_ net: Network<LiteralBackend<Double>>, _ x: Tensor<Double>) throws -> Tensor<Double> {
    let tape = Tape<LiteralBackend<Double>>(mode: .inference, rule: .excitation)
    let logits = net.forward(x, tape: tape)
    var seed = Tensor<Double>(shape: logits.shape, repeating: 0)
    seed.scalars[4] = 1
    // TSM's consensus mean passes the plain gradient (ExcitationBackprop does the same): seed
    // its input with 1/T per frame by resuming below it.
    if net.architecture == .tsm_mini {
      let perFrame = Tensor<Double>(shape: [1, 11, x.shape[2], 1, 1]) { i in
        i / x.shape[2] == 4 ? 1 / Double(x.shape[2]) : 0
      }
      return net.backward(perFrame, tape: tape, resumeFrom: "new_fc")
    }
    return net.backward(seed, tape: tape)
  }

  @Test("P-EB-2: contrastive EB is EB of the class minus EB of the negated classifier, whatever the contrast layer")
  func contrastiveIsDifference() throws {
    typealias B = LiteralBackend<Double>
    // The CNN-LSTM's classifier sits inside its recurrent head (its own negation path).
    for a in [Architecture.r3d_mini, .tsm_mini, .cnn_lstm_mini] {
      let net = Fixture.network(a, B.self)
      let dual = Fixture.network(a, B.self)
      let fc = a == .tsm_mini ? "new_fc.weight" : "fc.weight"
      let w = try #require(dual.parameters.first { $0.name == fc })
      w.value = B.scale(w.value, by: -1)
      let prefix = a == .tsm_mini ? "base_model." : a == .cnn_lstm_mini ? "backbone." : ""
      let x = CAMSupport.small.asDouble
      let layer = prefix + "layer2"
      let ebC = try ExcitationBackprop(layer: layer).signal(x, targets: [4], network: net, score: .logit).map
      let ebDual = try ExcitationBackprop(layer: layer).signal(x, targets: [4], network: dual, score: .logit).map
      let expected = B.subtract(ebC, ebDual)
      let scale = CAMSupport.maxAbs(ebC) + CAMSupport.maxAbs(ebDual)
      for contrast in ["layer2", "layer3", "layer4"] {
        let c = try ExcitationBackprop(layer: layer, contrastive: true, contrastLayer: prefix + contrast).signal(
          x, targets: [4], network: net, score: .logit
        ).map
        CAMSupport.expectClose(c, expected, bound: 1e-13 * scale, "\(a) contrast layer \(contrast)")
        // Both passes carry mass 1 to this stage: the difference carries none.
        let total = c.scalars.reduce(0, +), magnitude = c.scalars.reduce(0) { $0 + abs($1) }
        #expect(abs(total) <= 1e-13 * magnitude, "\(a) \(contrast): Σ = \(total) of Σ|·| = \(magnitude)")
      }
    }
  }
}

extension CAMExcitationTests {
  @Test(
    "repeat-bilinear is Li et al.'s resampling: each layer frame repeated in time, then each frame resized bilinearly")
  func repeatBilinear() throws {
    typealias LB = LiteralBackend<Double>
    let m: Tensor<Double> = Fill.weyl([1, 1, 2, 4, 5])
    let up = LayerMaps.upsample(m, to: [1, 3, 16, 12, 10], .repeatBilinear, LB.self)
    #expect(up.shape == [1, 1, 16, 12, 10])
    for t in 0..<16 {
      // Frame t is layer frame t / 8, resized on its own (a one-frame trilinear resize is bilinear).
      let frame = LB.resizeTrilinear(m.frames((t / 8)..<(t / 8 + 1)), size: Size3(1, 12, 10))
      #expect(up.frames(t..<(t + 1)).scalars == frame.scalars, "frame \(t)")
    }
    // T not a multiple of t: nearest in time, frame t takes layer frame ⌊t·2/15⌋.
    let odd = LayerMaps.upsample(m, to: [1, 3, 15, 12, 10], .repeatBilinear, LB.self)
    for t in 0..<15 {
      let frame = LB.resizeTrilinear(m.frames((t * 2 / 15)..<(t * 2 / 15 + 1)), size: Size3(1, 12, 10))
      #expect(odd.frames(t..<(t + 1)).scalars == frame.scalars, "frame \(t) of 15")
    }
    // Trilinear blends the two layer frames in the middle of the clip; repeat-bilinear does not.
    let tri = LayerMaps.upsample(m, to: [1, 3, 16, 12, 10], .trilinear, LB.self)
    #expect(tri.frames(7..<8).scalars != up.frames(7..<8).scalars)
  }
}
