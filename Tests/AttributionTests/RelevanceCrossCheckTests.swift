import Attribution
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// LRP and DeepLIFT against Zennit 0.5.1 and Captum 0.9.0 (Reference/attribution/lrp_deeplift,
/// made by generate.py; its README lists the settings and every documented difference).
///
/// The peers ran in float64 on the crop input[:, :, :4, :16, :16] of the networks' clip
/// (2 clips, targets 1 and 4), with the mini networks' HashFill weights.
///
/// Literal path (Double) vs float64 peers: both evaluate the same formulas in Double in
/// different orders; 1e-10 of the map's largest magnitude is the project's Double policy (see
/// `RelevanceProofTests`); the measured differences are below 1e-12. Fast path (Float32):
/// `NetworkTolerance` over a forward and a backward pass.
@Suite("LRP and DeepLIFT agree with Zennit and Captum", .serialized)
struct RelevanceCrossCheckTests {
  static let file: SafeTensorsFile = try! SafeTensors.read(
    contentsOf: RepositoryPaths.reference("attribution/lrp_deeplift/lrp_deeplift.safetensors"))
  static let input: Tensor<Double> = try! file.doubleTensor(named: "input")
  static let targets: [Int] = try! file.int64(named: "target").scalars.map { Int($0) }

  static func literal(_ a: Architecture) -> Network<LB> { Fixture.network(a, LB.self) }
  static func fast(_ a: Architecture) -> Network<FastBackend> { Fixture.network(a, FastBackend.self) }

  static func expectLiteral(
    _ got: Tensor<Double>, _ reference: Tensor<Double>, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let bound = 1e-10 * RelevanceFixture.maxAbs(reference)
    let c = compare(got, reference, bound: Tolerance.uniform(bound, like: reference))
    #expect(c.passed, "\(what) (literal): \(c)", sourceLocation: sourceLocation)
    #expect(RelevanceFixture.maxAbs(reference) > 0, "\(what): all-zero reference")
  }

  static func expectFast(
    _ got: Tensor<Float>, _ reference: Tensor<Double>, _ a: Architecture, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let (k, layers) = fast(a).roundingProfile(frames: input.shape[2])
    let bound = NetworkTolerance.bound(maxReduction: k, layers: 2 * layers, scale: RelevanceFixture.maxAbs(reference))
    let c = compare(got, reference, bound: Tolerance.uniform(bound, like: reference))
    #expect(c.passed, "\(what) (fast): \(c)", sourceLocation: sourceLocation)
  }

  static let lrpVariants: [(String, LayerwiseRelevance.Variant)] = [
    ("lrp_epsilon", .epsilon(LayerwiseRelevance.defaultEpsilon)), ("lrp_zplus", .zPlus),
    ("lrp_alphabeta", .alphaBeta(alpha: 2, beta: 1)),
  ]

  @Test(
    "LRP-ε, z⁺ and αβ equal Zennit's Epsilon / EpsilonPlus / EpsilonAlpha2Beta1 (bias-free z⁺ and αβ)",
    arguments: RelevanceFixture.families)
  func zennitComposites(_ a: Architecture) throws {
    let literal = Self.literal(a), fast = Self.fast(a)
    let x = Self.input, xf = Tensor<Float>(converting: Self.input)
    for (name, variant) in Self.lrpVariants {
      let reference = try Self.file.doubleTensor(named: "zennit.\(a).\(name)")
      let method = try LayerwiseRelevance(variant)
      Self.expectLiteral(
        try method.attribute(x, targets: Self.targets, network: literal, score: .logit).map, reference, "\(a) \(name)")
      Self.expectFast(
        try method.attribute(xf, targets: Self.targets, network: fast, score: .logit).map, reference, a, "\(a) \(name)")
    }
  }

  @Test(
    "Zennit on the reference TSM (a functional mean over frames) is LRP-ε resumed below the consensus with R_t = s/T")
  func zennitFunctionalMean() throws {
    let net = Self.literal(.tsm_mini)
    let x = Self.input, frames = x.shape[2]
    let method = try LayerwiseRelevance(.epsilon(LayerwiseRelevance.defaultEpsilon))
    let tape = Tape<LB>(rule: .lrp(method.composite))
    let logits = net.forward(x, tape: tape)
    // Zennit has no rule for a function call, so the mean passes its gradient: every frame's
    // logit gets s/T, whatever that frame's own logit is (this package: s·ℓ_t/Σ_t′ ℓ_t′).
    let k = logits.shape[1]
    var seed = Tensor<Double>(shape: [x.shape[0], k, frames, 1, 1], repeating: 0)
    for (n, c) in Self.targets.enumerated() {
      for t in 0..<frames { seed.scalars[(n * k + c) * frames + t] = logits.scalars[n * k + c] / Double(frames) }
    }
    let relevance = net.backward(seed, tape: tape, resumeFrom: "new_fc")
    let reference = try Self.file.doubleTensor(named: "zennit.tsm_mini_functional_mean.lrp_epsilon")
    Self.expectLiteral(relevance, reference, "TSM, functional mean")
    // And the two conventions differ on this clip.
    let ours = try Self.file.doubleTensor(named: "zennit.tsm_mini.lrp_epsilon")
    #expect(RelevanceFixture.maxAbs(Literal.subtract(ours, reference)) > 1e-3 * RelevanceFixture.maxAbs(ours))
  }

  @Test("Captum's LRP refuses Conv3d, and on TSM's 2-D stem (conv, batch norm, ReLU, max pool) equals LRP-ε")
  func captumLRPStem() throws {
    #expect(Self.file.metadata["captum_lrp_refusal.r3d_mini"]?.contains("Conv3d") == true)
    let net = Self.literal(.tsm_mini)
    let x = Self.input
    let method = try LayerwiseRelevance(.epsilon(LayerwiseRelevance.defaultEpsilon))
    let tape = Tape<LB>(rule: .lrp(method.composite), capture: ["base_model.maxpool"])
    _ = net.forward(x, tape: tape)
    let y = try #require(tape.activations["base_model.maxpool"])  // N×16×T×4×4
    let element = try Self.file.int64(named: "captum_lrp.tsm_mini.stem_target").scalars.map { Int($0) }
    let (c, h, w) = (element[0], element[1], element[2])
    // Captum explains y[c, h, w] of every frame, seeded with its value.
    var seed = Tensor<Double>(shape: y.shape, repeating: 0)
    let (channels, frames, height, width) = (y.shape[1], y.shape[2], y.shape[3], y.shape[4])
    for n in 0..<y.shape[0] {
      for t in 0..<frames {
        let i = (((n * channels + c) * frames + t) * height + h) * width + w
        seed.scalars[i] = y.scalars[i]
      }
    }
    let relevance = net.backward(seed, tape: tape, resumeFrom: "base_model.maxpool")
    Self.expectLiteral(relevance, try Self.file.doubleTensor(named: "captum_lrp.tsm_mini.stem"), "Captum LRP, TSM stem")
  }

  @Test(
    "DeepLIFT equals Captum's DeepLift on r3d_mini and, once Captum's max-pool rule applies with summed unpooling, on tsm_mini",
    arguments: [Architecture.r3d_mini, .tsm_mini])
  func captumDeepLift(_ a: Architecture) throws {
    let literal = Self.literal(a), fast = Self.fast(a)
    for baseline in [Baseline.zero, .black] {
      let key = "captum_deeplift.\(a).\(baseline)" + (a == .tsm_mini ? "_summed_maxpool" : "")
      let reference = try Self.file.doubleTensor(named: key)
      let method = DeepLift(baseline: baseline)
      let r = try method.attribute(Self.input, targets: Self.targets, network: literal, score: .logit)
      Self.expectLiteral(r.map, reference, key)
      let f = try method.attribute(
        Tensor<Float>(converting: Self.input), targets: Self.targets, network: fast, score: .logit)
      Self.expectFast(f.map, reference, a, key)
    }
  }

  @Test(
    "Captum's stock DeepLift on TSM drops its max-pool rule (the ReLU before it keeps the plain gradient) and is incomplete"
  )
  func captumStockMaxPool() throws {
    let net = Self.literal(.tsm_mini)
    let pool = try #require(net.root.modules.first { $0.path == "base_model.maxpool" } as? MaxPool<LB>)
    let x = Self.input
    for baseline in [Baseline.zero, .black] {
      let x0 = baseline.make(for: x, seed: 0, backend: LB.self)
      let referenceTape = Tape<LB>(rule: .deepLiftRescale)
      _ = net.forward(x0, tape: referenceTape)
      let tape = Tape<LB>(rule: .deepLiftRescale, capture: ["base_model.relu"], reference: referenceTape)
      let logits = net.forward(x, tape: tape)
      let (seed, _) = ExplainedScore.logit.seed(logits: logits, targets: Self.targets, backend: LB.self)
      // Multipliers down to the pool's output, the pool's plain gradient, then the rest.
      let atPool = net.backward(seed, tape: tape, stopAt: "base_model.maxpool")
      let poolInput = try #require(tape.activations["base_model.relu"])
      let argmax = Literal.maxPool3d(poolInput, geometry: pool.geometry).argmax
      let belowPool = Literal.maxPool3dBackward(atPool, argmax: argmax, inputShape: poolInput.shape)
      let m = net.backward(belowPool, tape: tape, resumeFrom: "base_model.relu")
      let map = Literal.multiply(Literal.subtract(x, x0), m)
      let key = "captum_deeplift.tsm_mini.\(baseline)"
      Self.expectLiteral(map, try Self.file.doubleTensor(named: key), key + " (stock)")
      // Our own map is complete; with the black baseline the stock one is not.
      if baseline == .black {
        let ours = try DeepLift(baseline: baseline).attribute(x, targets: Self.targets, network: net, score: .logit)
        for n in 0..<x.shape[0] {
          let stockSum = map.clips(n..<(n + 1)).scalars.reduce(0, +)
          let ourSum = ours.map.clips(n..<(n + 1)).scalars.reduce(0, +)
          let difference = ourSum - ours.delta![n]
          #expect(abs(stockSum - difference) > 0.5 * abs(difference), "clip \(n): stock Captum happens to be complete")
        }
      }
    }
  }

  @Test("the CNN-LSTM is refused; Captum's DeepLift passes the LSTM's gradient and is incomplete by the recorded delta")
  func recurrentHead() throws {
    let net = Self.fast(.cnn_lstm_mini)
    #expect(throws: AttributionError.self) {
      try DeepLift().attribute(
        Tensor<Float>(converting: Self.input), targets: Self.targets, network: net, score: .logit)
    }
    for baseline in [Baseline.zero, .black] {
      let key = "captum_deeplift.cnn_lstm_mini.\(baseline)_summed_maxpool"
      let delta = try Self.file.doubleTensor(named: key + ".delta")
      let difference = try Self.file.doubleTensor(named: key + ".target_logit_difference")
      let worst = zip(delta.scalars, difference.scalars).map { abs($0) / abs($1) }.max() ?? 0
      #expect(worst > 1e-4, "\(baseline): Captum's relative completeness error \(worst) is at rounding level")
    }
  }
}
