import Attribution
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

typealias LB = LiteralBackend<Double>

/// Fixtures of the LRP and DeepLIFT proofs (Proofs/lrp-deeplift.md).
enum RelevanceFixture {
  /// The families with LRP and DeepLIFT rules (the CNN-LSTM has none).
  static let families: [Architecture] = [.r3d_mini, .r2plus1d_mini, .tsm_mini]

  /// A small clip every mini model accepts (literal passes cost ~0.1 s on it).
  static let clip: Tensor<Double> = Fill.weyl([1, 3, 4, 16, 16])
  static let target = [3]

  /// The mini network with every bias and batch-norm shift and mean set to 0, so that every
  /// layer (batch norm folded) is linear without offset: z = W a.
  static func biasFree<B: KernelBackend>(_ a: Architecture, _: B.Type) -> Network<B> {
    let net = Fixture.network(a, B.self)
    func zero(_ p: Parameter<B.Scalar>?) {
      guard let p else { return }
      p.value = Tensor(shape: p.shape, repeating: 0)
    }
    for m in net.root.allModules {
      if let c = m as? Convolution<B> {
        zero(c.bias)
        zero(c.batchNorm?.shift)
        zero(c.batchNorm?.mean)
      } else if let l = m as? Linear<B> {
        zero(l.bias)
      } else if let f = m as? FrameLinear<B> {
        zero(f.bias)
      }
    }
    return net
  }

  /// ∂y_c/∂x ⊙ x (the plain gradient of the target logit times the input).
  static func gradientTimesInput(_ net: Network<LB>, _ x: Tensor<Double>, _ targets: [Int]) throws -> Tensor<Double> {
    try GradientTimesInput().attribute(x, targets: targets, network: net, score: .logit).map
  }

  static func maxAbs(_ t: Tensor<Double>) -> Double { t.scalars.reduce(0) { max($0, abs($1)) } }
  static func sumAbs(_ t: Tensor<Double>) -> Double { t.scalars.reduce(0) { $0 + abs($1) } }

  /// Paths of the modules whose outputs are pre-activations z of a convolution or dense layer.
  static func linearLayerPaths(_ net: Network<LB>) -> [String] {
    net.root.allModules.compactMap { m in
      (m is Convolution<LB> || m is Linear<LB> || m is FrameLinear<LB>) ? m.path : nil
    }
  }
}

/// The claims of Proofs/lrp-deeplift.md, each checked on the literal path in Double.
///
/// Rounding allowance: every comparison here is between two Double computations of the same
/// quantity by different routes through ≤ 30 layers of sums of ≤ 3456 products; γ₃₄₅₆·30 ≈
/// 1.2e-11 relative to the magnitudes involved, so 1e-10 of the largest magnitude leaves a
/// margin, while every structural mistake changes results at O(1) relative (the project's
/// Double policy, as in the networks' PyTorch cross-check).
@Suite("LRP and DeepLIFT: the claims of Proofs/lrp-deeplift.md")
struct RelevanceProofTests {
  static let rounding = 1e-10

  // MARK: P-LRP-1

  @Test(
    "P-LRP-1: LRP-0 (ε = 0, no stabiliser) on a bias-free ReLU network is gradient × input",
    arguments: RelevanceFixture.families)
  func lrpZeroIsGradientTimesInput(_ a: Architecture) throws {
    let net = RelevanceFixture.biasFree(a, LB.self)
    let x = RelevanceFixture.clip, t = RelevanceFixture.target
    let lrp0 = LayerwiseRelevance.relevance(
      x, targets: t, network: net, score: .logit, composite: .uniform(.epsilon(0), stabilizer: 0)
    ).relevance
    let gi = try RelevanceFixture.gradientTimesInput(net, x, t)
    let bound = Self.rounding * RelevanceFixture.maxAbs(gi)
    let c = compare(lrp0, gi, bound: Tolerance.uniform(bound, like: gi))
    #expect(c.passed, "\(a): \(c)")
    #expect(RelevanceFixture.maxAbs(gi) > 0)
  }

  @Test(
    "P-LRP-1: with ε = 1e-9, |LRP-ε − gradient × input| ≤ (1 − Π_L(1 − θ_L))·|x| ⊙ (|W|-path sum)",
    arguments: [Architecture.r3d_mini, .tsm_mini])
  func lrpEpsilonBound(_ a: Architecture) throws {
    let epsilon = 1e-9
    let net = RelevanceFixture.biasFree(a, LB.self)
    let x = RelevanceFixture.clip, t = RelevanceFixture.target
    let composite = LRPComposite.uniform(.epsilon(epsilon), stabilizer: 0)
    let lrp = LayerwiseRelevance.relevance(x, targets: t, network: net, score: .logit, composite: composite).relevance
    let gi = try RelevanceFixture.gradientTimesInput(net, x, t)

    // θ_L = max_k ε/(|z_k| + ε) over the units of each ε layer with z_k ≠ 0 (a unit with
    // z_k = 0 has all its inputs 0 here, so no path passes through it).
    let paths = RelevanceFixture.linearLayerPaths(net)
    let tape = Tape<LB>(mode: .inference, rule: .gradient, capture: Set(paths))
    _ = net.forward(x, tape: tape)
    var product = 1.0
    for p in paths {
      let z = try #require(tape.activations[p], "\(p) not captured")
      let smallest = z.scalars.lazy.filter { $0 != 0 }.map(abs).min() ?? .infinity
      product *= 1 - epsilon / (smallest + epsilon)
    }
    // The seed's own factor y_c/(y_c + ε·sign y_c) is that of the last layer (the dense one).
    let shrink = 1 - product

    // Σ_paths |Π w| for every input element: the backward pass of the same forward pass (same
    // ReLU masks and max-pool winners) after every weight is replaced by its absolute value
    // (batch-norm scales γ are positive, so the folded weights become |w′|).
    let absTape = Tape<LB>(mode: .inference, rule: .gradient)
    let logits = net.forward(x, tape: absTape)
    for m in net.root.allModules {
      if let c = m as? Convolution<LB> { c.weight.value = c.weight.value.map(abs) }
      if let l = m as? Linear<LB> { l.weight.value = l.weight.value.map(abs) }
      if let f = m as? FrameLinear<LB> { f.weight.value = f.weight.value.map(abs) }
    }
    let (seed, _) = ExplainedScore.logit.seed(logits: logits, targets: t, backend: LB.self)
    let pathSum = net.backward(seed, tape: absTape)

    let slack = Self.rounding * RelevanceFixture.maxAbs(gi)
    let bound = Tensor<Double>(shape: x.shape) { j in shrink * abs(x.scalars[j]) * pathSum.scalars[j] + slack }
    let c = compare(lrp, gi, bound: bound)
    #expect(c.passed, "\(a): 1 − Π(1 − θ) = \(shrink); \(c)")
    #expect(shrink < 0.5, "\(a): the bound is nearly vacuous (1 − Π(1 − θ) = \(shrink))")
  }

  // MARK: P-LRP-2

  /// Σ R_in against the layer's own accounting, for one linear module run alone under `rule`.
  static func layerBalance(
    _ module: any NetworkModule<LB>, input a: Tensor<Double>, relevance r: Tensor<Double>, rule: LRPRule,
    forward: (Tensor<Double>, Tensor<Double>, Tensor<Double>?) -> Tensor<Double>, weight w: Tensor<Double>,
    bias b: Tensor<Double>?
  ) -> (got: Double, expected: Double, scale: Double) {
    let tape = Tape<LB>(mode: .inference, rule: .lrp(.uniform(rule, stabilizer: 0)))
    _ = module.forward(a, tape: tape)
    let rIn = module.backward(r, tape: tape)
    let got = rIn.scalars.reduce(0, +)
    let aPos = Literal.positivePart(a), aNeg = Literal.negativePart(a)
    let wPos = Literal.positivePart(w), wNeg = Literal.negativePart(w)
    let zPos = Literal.add(forward(aPos, wPos, nil), forward(aNeg, wNeg, nil))
    let zNeg = Literal.add(forward(aPos, wNeg, nil), forward(aNeg, wPos, nil))
    let z = forward(a, w, b), zNoBias = forward(a, w, nil)
    var expected = 0.0
    for k in 0..<r.count {
      let rk = r.scalars[k]
      switch rule {
      case .epsilon(let e):
        // Σ_j R_j = R_k (z_k − b_k)/(z_k + ε sign z_k): the bias and ε absorb the rest.
        let d = z.scalars[k] + (z.scalars[k] < 0 ? -e : e)
        expected += d == 0 ? 0 : rk * zNoBias.scalars[k] / d
      case .zPlus:
        expected += zPos.scalars[k] == 0 ? 0 : rk
      case .alphaBeta(let alpha, let beta):
        expected += (zPos.scalars[k] == 0 ? 0 : alpha * rk) - (zNeg.scalars[k] == 0 ? 0 : beta * rk)
      }
    }
    return (got, expected, RelevanceFixture.sumAbs(rIn) + RelevanceFixture.sumAbs(r))
  }

  @Test(
    "P-LRP-2: layer by layer, z⁺ and αβ conserve ΣR and ε loses exactly Σ_k R_k (b_k + ε sign z_k)/(z_k + ε sign z_k)")
  func layerConservation() throws {
    let net = Fixture.network(.r3d_mini, LB.self)
    let convolutions = net.root.allModules.compactMap { $0 as? Convolution<LB> }
    #expect(convolutions.count == 12)  // stem, 4 × 2 in the blocks, 3 downsamples
    for (index, conv) in convolutions.enumerated() {
      let (w, b) = conv.effectiveWeightAndBias()
      // The first layer sees the clip (both signs); the others see ReLU outputs, here strictly
      // positive so that every unit has positive and negative contributions.
      let raw: Tensor<Double> = Fill.uniform([1, w.shape[1], 2, 5, 5], -1, 1, seed: UInt64(100 + index))
      let input = index == 0 ? raw : raw.map { abs($0) + 1e-3 }
      let geometry = conv.geometry
      let forward: (Tensor<Double>, Tensor<Double>, Tensor<Double>?) -> Tensor<Double> = {
        Literal.conv3d($0, weight: $1, bias: $2, geometry: geometry)
      }
      let z = forward(input, w, b)
      let r: Tensor<Double> = Fill.uniform(z.shape, -1, 1, seed: UInt64(index))
      let total = r.scalars.reduce(0, +)
      for rule in [LRPRule.epsilon(1e-6), .epsilon(0.25), .zPlus, .alphaBeta(alpha: 2, beta: 1)] {
        let (got, expected, scale) = Self.layerBalance(
          conv, input: input, relevance: r, rule: rule, forward: forward, weight: w, bias: b)
        #expect(
          abs(got - expected) <= Self.rounding * scale, "\(conv.path) \(rule): Σ R_in \(got), expected \(expected)")
        switch rule {
        case .zPlus, .alphaBeta:
          #expect(abs(got - total) <= Self.rounding * scale, "\(conv.path) \(rule): Σ R_in \(got) ≠ Σ R_out \(total)")
        case .epsilon(let e):
          #expect(
            abs(got - total) > (e > 0.1 ? 1e3 : 1) * Self.rounding * scale, "\(conv.path) ε = \(e) absorbed nothing")
        }
      }
    }
  }

  @Test(
    "P-LRP-2: through a whole bias-free network, z⁺ on every layer (no stabiliser) passes exactly the output relevance to the clip",
    arguments: [Architecture.r3d_mini, .tsm_mini])
  func networkConservation(_ a: Architecture) throws {
    let net = RelevanceFixture.biasFree(a, LB.self)
    let x = RelevanceFixture.clip, t = RelevanceFixture.target
    let (r, scores) = LayerwiseRelevance.relevance(
      x, targets: t, network: net, score: .logit, composite: .uniform(.zPlus, stabilizer: 0))
    let total = r.scalars.reduce(0, +)
    let scale = RelevanceFixture.sumAbs(r) + abs(scores[0])
    #expect(abs(total - scores[0]) <= Self.rounding * scale, "\(a): Σ R = \(total), s = \(scores[0])")
  }

  // MARK: P-DL-1

  @Test(
    "P-DL-1: DeepLIFT-rescale is complete, Σ (x − x₀) ⊙ m = y_c(x) − y_c(x₀), on every supported family and baseline",
    arguments: [Architecture.r3d_mini, .mc3_mini, .r2plus1d_mini, .tsm_mini])
  func completeness(_ a: Architecture) throws {
    let net = Fixture.network(a, LB.self)
    let x = RelevanceFixture.clip, t = RelevanceFixture.target
    for baseline in [Baseline.zero, .black] {
      let r = try DeepLift(baseline: baseline).attribute(x, targets: t, network: net, score: .logit)
      let reference = ExplainedScore.logit.scores(
        logits: net.logits(baseline.make(for: x, seed: 0, backend: LB.self)), targets: t, probabilities: nil)
      let difference = r.scores[0] - reference[0]
      let total = r.map.scalars.reduce(0, +)
      let scale = RelevanceFixture.sumAbs(r.map) + abs(r.scores[0]) + abs(reference[0])
      #expect(abs(total - difference) <= Self.rounding * scale, "\(a) \(baseline): Σ = \(total), Δy = \(difference)")
      #expect(abs(r.delta![0] - (total - difference)) <= Self.rounding * scale, "\(a) \(baseline): delta")
      #expect(abs(difference) > 1e3 * Self.rounding * scale, "\(a) \(baseline): Δy too small to test")
    }
  }

  /// One module alone under DeepLIFT: the multiplier of its input for reference and input
  /// passes of x₀ and x, seeded with m.
  static func multiplier(
    _ module: any NetworkModule<LB>, _ x: Tensor<Double>, _ x0: Tensor<Double>, _ m: Tensor<Double>
  ) -> (input: Tensor<Double>, y: Tensor<Double>, y0: Tensor<Double>) {
    let referenceTape = Tape<LB>(rule: .deepLiftRescale)
    let y0 = module.forward(x0, tape: referenceTape)
    let tape = Tape<LB>(rule: .deepLiftRescale, reference: referenceTape)
    let y = module.forward(x, tape: tape)
    return (module.backward(m, tape: tape), y, y0)
  }

  @Test("P-DL-1: the max-pool and ReLU rules satisfy summation-to-delta with shared winners and x = x₀ ties")
  func layerSummationToDelta() {
    // 3×3 windows, stride 2, padding 1 (the 2-D ResNet stem's pool): windows overlap, so a
    // winner can serve two to four windows.
    let pool = MaxPool<LB>(
      path: "pool", geometry: Pool3DGeometry(kernel: Size3(1, 3, 3), stride: Size3(1, 2, 2), padding: Size3(0, 1, 1)))
    let relu = ReLU<LB>(path: "relu")
    let shape = [2, 3, 2, 9, 9]
    let x: Tensor<Double> = Fill.uniform(shape, -1, 1, seed: 11)
    var x0: Tensor<Double> = Fill.uniform(shape, -1, 1, seed: 12)
    // Ties: a third of the elements equal in x and x₀, among them window winners.
    for i in stride(from: 0, to: x.count, by: 3) { x0.scalars[i] = x.scalars[i] }
    let dx = Literal.subtract(x, x0)
    for module in [pool as any NetworkModule<LB>, relu] {
      let probe = module.forward(x, tape: Tape<LB>())
      let m: Tensor<Double> = Fill.uniform(probe.shape, -1, 1, seed: 13)
      let (mIn, y, y0) = Self.multiplier(module, x, x0, m)
      let lhs = Literal.multiply(mIn, dx).scalars.reduce(0, +)
      let rhs = Literal.multiply(m, Literal.subtract(y, y0)).scalars.reduce(0, +)
      let scale = RelevanceFixture.sumAbs(Literal.multiply(mIn, dx)) + RelevanceFixture.sumAbs(m)
      #expect(abs(lhs - rhs) <= Self.rounding * scale, "\(module.path): Σ m_in Δx = \(lhs), Σ m Δy = \(rhs)")
      // Where x = x₀ the multiplier is the plain gradient.
      let gradientTape = Tape<LB>()
      _ = module.forward(x, tape: gradientTape)
      let gradient = module.backward(m, tape: gradientTape)
      for i in stride(from: 0, to: x.count, by: 3) {
        #expect(mIn.scalars[i] == gradient.scalars[i], "\(module.path): tie at \(i) is not the gradient")
      }
    }
    // The pool's shared winners are what makes Captum's assigning unpool lose shares: check
    // that this fixture has some.
    let r = Literal.maxPool3d(x, geometry: pool.geometry)
    #expect(Set(r.argmax).count < r.argmax.count, "no shared winners in the fixture")
  }

  // MARK: P-DL-2

  @Test(
    "P-DL-2: on a bias-free ReLU network with x₀ = λx (λ = 0, ½) DeepLIFT is ∇y_c(x) ⊙ (x − x₀)",
    arguments: [Architecture.r3d_mini, .tsm_mini])
  func affineSegment(_ a: Architecture) throws {
    let net = RelevanceFixture.biasFree(a, LB.self)
    let x = RelevanceFixture.clip, t = RelevanceFixture.target
    let gradient = try Saliency().attribute(x, targets: t, network: net, score: .logit).map
    for lambda in [0.0, 0.5] {
      let x0 = Literal.scale(x, by: lambda)
      let dl = DeepLift.rescale(x, reference: x0, targets: t, network: net).map
      let expected = Literal.multiply(gradient, Literal.subtract(x, x0))
      let bound = Self.rounding * RelevanceFixture.maxAbs(expected)
      let c = compare(dl, expected, bound: Tolerance.uniform(bound, like: expected))
      #expect(c.passed, "\(a) λ = \(lambda): \(c)")
    }
  }

  /// s(x) = fc(avgpool(ReLU(conv(x) + b))): one hidden ReLU layer between affine maps.
  static func oneHiddenLayer() -> Sequential<LB> {
    let conv = Convolution<LB>(
      convPath: "conv",
      weight: Parameter(name: "conv.weight", role: .weight, value: Fill.uniform([4, 3, 3, 3, 3], -1, 1, seed: 21)),
      bias: Parameter(name: "conv.bias", role: .bias, value: Fill.uniform([4], -0.5, 0.5, seed: 22)),
      geometry: Conv3DGeometry(padding: .cube(1)), batchNorm: nil)
    let fc = Linear<LB>(
      path: "fc", weight: Parameter(name: "fc.weight", role: .weight, value: Fill.uniform([3, 4], -1, 1, seed: 23)),
      bias: Parameter(name: "fc.bias", role: .bias, value: Fill.uniform([3], -0.5, 0.5, seed: 24)))
    return Sequential(
      path: "",
      [conv, ReLU(path: "relu"), AdaptiveAveragePool(path: "pool", outputSize: .cube(1)), Flatten(path: "flatten"), fc])
  }

  @Test("P-DL-2: with one hidden ReLU layer DeepLIFT-rescale equals integrated gradients exactly")
  func oneHiddenLayerIsIntegratedGradients() throws {
    let net = Self.oneHiddenLayer()
    let conv = try #require(net.modules.first as? Convolution<LB>)
    let x: Tensor<Double> = Fill.uniform([1, 3, 2, 4, 4], -1, 1, seed: 31)
    let x0: Tensor<Double> = Fill.uniform([1, 3, 2, 4, 4], -1, 1, seed: 32)
    let target = 2
    let seed = Tensor<Double>(shape: [1, 3]) { $0 == target ? 1 : 0 }
    let dx = Literal.subtract(x, x0)

    // DeepLIFT through the layers' own rules.
    let referenceTape = Tape<LB>(rule: .deepLiftRescale)
    _ = net.forward(x0, tape: referenceTape)
    let tape = Tape<LB>(rule: .deepLiftRescale, reference: referenceTape)
    _ = net.forward(x, tape: tape)
    let deepLift = Literal.multiply(dx, net.backward(seed, tape: tape))

    // Integrated gradients exactly: z(α) = conv(x₀ + αΔx) is affine in α, so the gradient is
    // constant between the kinks α_k = z_k(0)/(z_k(0) − z_k(1)) of the units that change
    // sign; integrate piece by piece with the gradient at each piece's midpoint.
    let (w, b) = conv.effectiveWeightAndBias()
    let z0 = Literal.conv3d(x0, weight: w, bias: b, geometry: conv.geometry)
    let z1 = Literal.conv3d(x, weight: w, bias: b, geometry: conv.geometry)
    var kinks: [Double] = [0, 1]
    for k in 0..<z0.count where (z0.scalars[k] > 0) != (z1.scalars[k] > 0) {
      kinks.append(z0.scalars[k] / (z0.scalars[k] - z1.scalars[k]))
    }
    kinks.sort()
    #expect(kinks.count > 6, "too few units change sign along the segment to test anything")
    var integrated = Tensor<Double>(shape: x.shape, repeating: 0)
    for (lo, hi) in zip(kinks, kinks.dropFirst()) where hi > lo {
      let point = Literal.addScaled(x0, dx, scale: (lo + hi) / 2)
      let gradientTape = Tape<LB>()
      _ = net.forward(point, tape: gradientTape)
      integrated = Literal.addScaled(integrated, net.backward(seed, tape: gradientTape), scale: hi - lo)
    }
    integrated = Literal.multiply(integrated, dx)
    let bound = Self.rounding * RelevanceFixture.maxAbs(integrated)
    let c = compare(deepLift, integrated, bound: Tolerance.uniform(bound, like: integrated))
    #expect(c.passed, "\(c)")
  }
}
