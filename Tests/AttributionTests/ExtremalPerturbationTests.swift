import Attribution
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// Extremal perturbation as a method: its objective's gradient, its schedules, its output, its
/// refusals.
@Suite("Extremal perturbation: objective, gradient, schedules, outputs", .serialized)
struct ExtremalPerturbationTests {
  typealias LB = LiteralBackend<Double>

  /// A small clip 1×3×4×16×16 and r3d_mini with HashFill weights (Double).
  static let clip: Tensor<Double> = Fill.uniform([1, 3, 4, 16, 16], -1.5, 1.5, seed: 77)
  static var network: Network<LB> { Fixture.network(.r3d_mini, LB.self) }

  /// The optimisation of `settings` on the small clip.
  static func optimisation(_ s: ExtremalSettings) throws -> ExtremalOptimization<LB> {
    let plan = try ExtremalPlan(settings: s, clipShape: Array(clip.shape.dropFirst()), method: "test")
    return ExtremalOptimization<LB>(settings: s, geometry: plan.geometry, core: plan.core, sgd: plan.sgd)
  }

  static func settings(
    _ variant: ExtremalPerturbation.Variant, perturbation: ExtremalSettings.Perturbation, mode: ExtremalMode,
    reward: ExtremalReward, jitter: Bool, temporal: Bool = false
  ) -> ExtremalSettings {
    let core = variant == .step ? ExtremalSettings.CoreSettings(frames: 3, size: 5) : nil
    var s = ExtremalSettings.preset(.tcsvt, grouping: variant.grouping, core: core)
    s.areas = [0.1, 0.4]
    s.perturbation = perturbation
    s.mode = mode
    s.reward = reward
    s.jitter = jitter
    s.ties = .stable
    if temporal { (s.maskStepT, s.maskSigmaT) = (2, 1.5) }
    return s
  }

  @Test(
    "P-EP-1: the optimisation steps along ∂E/∂m̄, E = w·ℓ + λ_a·L_area + λ_K·L_K (finite differences in Double)",
    arguments: [
      (
        ExtremalPerturbation.Variant.ep2d, ExtremalSettings.Perturbation.blur, ExtremalMode.preserve,
        ExtremalReward.simple, true, false, 0
      ),
      (.ep3d, .fade, .dual, .logProbability, false, false, 3),
      (.step, .blur, .delete, .contrastive, false, true, 150),
      (.step, .fade, .preserve, .logProbability, true, false, 102),
    ])
  func gradientIsTheObjectives(
    variant: ExtremalPerturbation.Variant, perturbation: ExtremalSettings.Perturbation, mode: ExtremalMode,
    reward: ExtremalReward, jitter: Bool, temporal: Bool, iteration: Int
  ) throws {
    let s = Self.settings(
      variant, perturbation: perturbation, mode: mode, reward: reward, jitter: jitter, temporal: temporal)
    let o = try Self.optimisation(s)
    let source = o.source(Self.clip)
    var rng = SeededRNG(seed: 11)
    // A lattice inside (0.15, 0.85), so that the clamp of the generator's output stays inactive.
    let lattice = Tensor<Double>.uniform(o.geometry.latticeShape(masks: 2), 0.15, 0.85, using: &rng)
    let network = Self.network
    func evaluate(_ m: Tensor<Double>) -> ExtremalOptimization<LB>.Evaluation {
      o.evaluate(
        m, source: source, targets: [5], network: network, iteration: iteration, areaTies: .stable, coreTies: .stable)
    }
    let at = evaluate(lattice)
    #expect(at.area.allSatisfy { $0 > 0 } && at.reward.allSatisfy { $0 != 0 })
    if variant == .step && iteration > 100 { #expect(at.core.allSatisfy { $0 > 0 }) }
    let perRow = lattice.count / 2
    let check = checkVJP(
      { m in Tensor(shape: [2], scalars: evaluate(m).energy) },
      vjp: { m, dy in
        let g = evaluate(m).gradient
        return Tensor(shape: g.shape, scalars: g.scalars.enumerated().map { $1 * dy.scalars[$0 / perRow] })
      },
      at: lattice, rng: &rng, h: 1e-6)
    #expect(check.passed, "\(variant) \(perturbation) \(mode) \(reward) t=\(iteration): \(check)")
  }

  @Test("P-EP-2: λ_a(t) = 300·g^t; STEP's λ_K is 0 up to iteration 100 and 300 after, as Li et al.'s loop")
  func schedules() {
    let s = ExtremalSettings.preset(.tcsvt, grouping: .clip, core: .init())
    #expect(s.areaWeight(at: 0) == 300 && abs(s.areaWeight(at: 800) / 300 - 2) < 0.001, "1.0008668^800 ≈ 2")
    #expect(s.coreWeight(at: 0) == 0 && s.coreWeight(at: 100) == 0 && s.coreWeight(at: 101) == 300)
    let v1 = ExtremalSettings.preset(.v1, grouping: .clip, core: nil)
    #expect(
      v1.areaWeight(at: 1999) == 300 && v1.rewardWeight == 100 && v1.perturbation == .fade && v1.iterations == 2000)
    #expect(v1.coreWeight(at: 500) == 0, "no core, no core weight")
    let torchray = ExtremalSettings.preset(.torchray, grouping: .clip, core: nil)
    #expect(torchray.areaWeight(at: 2) == 300 * 1.0035 * 1.0035 && torchray.jitter && torchray.learningRate == 0.01)
  }

  @Test("P-EP-3: the returned masks are those of the last iteration, before its step; one iteration returns G(1)")
  func lastMasks() throws {
    var s = Self.settings(.ep3d, perturbation: .blur, mode: .preserve, reward: .logProbability, jitter: false)
    s.iterations = 1
    let o = try Self.optimisation(s)
    let one = o.run(Self.clip, targets: [5], network: Self.network, seeds: [SeededRNG(seed: 0)])
    let ones = Tensor<Double>(shape: o.geometry.latticeShape(masks: 2), repeating: 1)
    #expect(one.masks == LB.extremalMaskCrop(LB.extremalMask(ones, geometry: o.geometry), geometry: o.geometry))
    s.iterations = 3
    let three = try Self.optimisation(s).run(
      Self.clip, targets: [5], network: Self.network, seeds: [SeededRNG(seed: 0)])
    // Replay: two steps by hand, then the third iteration's masks.
    var lattice = ones, buffer: Tensor<Double>? = nil
    for t in 0..<2 {
      let e = o.evaluate(
        lattice, source: o.source(Self.clip), targets: [5], network: Self.network, iteration: t, areaTies: .stable,
        coreTies: .stable)
      let step = LB.sgdStep(lattice, gradient: e.gradient, momentumBuffer: buffer, settings: o.sgd)
      (lattice, buffer) = (LB.clamp(step.parameter, lower: 0, upper: 1), step.momentumBuffer)
    }
    #expect(three.masks == LB.extremalMaskCrop(LB.extremalMask(lattice, geometry: o.geometry), geometry: o.geometry))
    #expect(three.history.count == 3 * 2 * 3)
  }

  @Test("the map is Σ_a m_a smoothed per frame and divided by its maximum; masks and history come with it")
  func outputs() throws {
    var s = Self.settings(.step, perturbation: .blur, mode: .preserve, reward: .logProbability, jitter: false)
    s.iterations = 2
    s.ties = .random
    let m = ExtremalPerturbation(.step, settings: s, seed: 4, batch: 8)
    let r = try m.attribute(Self.clip, targets: [5], network: Self.network, score: .logit)
    #expect(r.map.shape == [1, 1, 4, 16, 16])
    #expect(r.map.scalars.max() == 1 && r.map.scalars.allSatisfy { $0 >= 0 })
    let masks = try #require(r.extras["masks"]), history = try #require(r.extras["history"])
    #expect(masks.shape == [1, 2, 4, 16, 16] && history.shape == [1, 2, 2, 3])
    let half = 4 * 16 * 16
    let sum = Tensor<Double>(
      shape: [1, 1, 4, 16, 16], scalars: (0..<half).map { masks.scalars[$0] + masks.scalars[half + $0] })
    var smoothed = LB.gaussianBlurSpatial(sum, sigma: 10.0 * 16 / 112)
    smoothed = LB.scale(smoothed, by: 1 / smoothed.scalars.max()!)
    let c = compare(r.map, smoothed, bound: Tolerance.uniform(1e-15, like: smoothed))
    #expect(c.passed, "\(c)")
    #expect(r.scores == ScoreGradient.scores(network: Self.network, input: Self.clip, targets: [5], score: .logit))
  }

  @Test("a clip's masks do not depend on the clips optimised beside it, random ties included")
  func batchInvariance() throws {
    var s = Self.settings(.ep3d, perturbation: .blur, mode: .preserve, reward: .logProbability, jitter: false)
    s.iterations = 3
    s.ties = .random
    let two = Tensor.concatenate([Self.clip, LB.scale(Self.clip, by: -0.5)])
    let together = try ExtremalPerturbation(.ep3d, settings: s, seed: 9, batch: 4).attribute(
      two, targets: [5, 2], network: Self.network, score: .logit)
    let apart = try ExtremalPerturbation(.ep3d, settings: s, seed: 9, batch: 2).attribute(
      two, targets: [5, 2], network: Self.network, score: .logit)
    #expect(together.map == apart.map && together.extras == apart.extras)
  }

  @Test("bad settings are refused naming the option, before any work")
  func refusals() throws {
    func failure(
      _ edit: (inout ExtremalSettings) -> Void, variant: ExtremalPerturbation.Variant = .step,
      clip: Tensor<Double> = Self.clip
    )
      -> AttributionError?
    {
      var s = ExtremalSettings.preset(
        .tcsvt, grouping: variant.grouping, core: variant == .step ? .init(frames: 3, size: 5) : nil)
      edit(&s)
      do {
        _ = try ExtremalPerturbation(variant, settings: s).attribute(
          clip, targets: [0], network: Self.network, score: .logit)
        return nil
      } catch {
        return error as? AttributionError
      }
    }
    #expect(
      failure { $0.areas = [0.1, 1.5] }
        == .invalidValue(option: "areas", value: "0.1,1.5", expected: "a comma-separated list, each a number in (0, 1)")
    )
    #expect(failure { $0.areas = [] }?.description.contains("areas") == true)
    #expect(
      failure { $0.iterations = 0 } == .invalidValue(option: "iterations", value: "0", expected: "an integer ≥ 1"))
    #expect(failure { $0.maskStep = 0 } == .invalidValue(option: "mask-step", value: "0", expected: "an integer ≥ 1"))
    #expect(failure { $0.maskSigma = .nan }?.description.contains("mask-sigma") == true)
    #expect(
      failure { $0.maskStepT = 2 }
        == .conflictingOptions(
          ["mask-step-t", "mask-sigma-t"], reason: "a temporal lattice needs both (or neither, one lattice per frame)"))
    guard case .conflictingOptions(let names, _)? = failure({ $0.core = .init(frames: 9) }) else {
      return #expect(Bool(false), "a 9-frame core on a 4-frame clip was accepted")
    }
    #expect(names == ["core-frames", "core-size"])
    var nan = Self.clip
    nan.scalars[3 * 256 + 7] = .nan
    #expect(failure({ _ in }, clip: nan) == .nonFiniteInput(method: "step", clip: 0))
  }
}

extension ExtremalPerturbationTests {
  @Test("P-EP-4: from a lattice without ties, the fast path follows the literal trajectory")
  func fastFollowsLiteral() throws {
    for variant in ExtremalPerturbation.Variant.allCases {
      var s = Self.settings(variant, perturbation: .blur, mode: .preserve, reward: .logProbability, jitter: false)
      s.iterations = 5
      let literal = try Self.optimisation(s)
      let plan = try ExtremalPlan(settings: s, clipShape: Array(Self.clip.shape.dropFirst()), method: "test")
      let fast = ExtremalOptimization<FastBackend>(settings: s, geometry: plan.geometry, core: plan.core, sgd: plan.sgd)
      var rng = SeededRNG(seed: 5)
      let start = Tensor<Double>.uniform(plan.geometry.latticeShape(masks: 2), 0.2, 0.8, using: &rng)
      let a = literal.run(Self.clip, targets: [5], network: Self.network, seeds: [SeededRNG(seed: 1)], start: start)
      let b = fast.run(
        Tensor<Float>(converting: Self.clip), targets: [5], network: Fixture.network(.r3d_mini, FastBackend.self),
        seeds: [SeededRNG(seed: 1)], start: Tensor<Float>(converting: start))
      var worst = 0.0
      for i in 0..<a.masks.count { worst = max(worst, abs(Double(b.masks.scalars[i]) - a.masks.scalars[i])) }
      print("P-EP-4 \(variant): max |fast − literal| after 5 iterations = \(worst)")
      // One Float evaluation of the smooth max of 49 terms rounds by γ₄₉ ≈ 3e-6 relative; five
      // steps whose gradients carry the network's rounding stay within 30 times that, while one
      // element's ramp value taken from the other side of the step (the difference P-EP-5 is
      // about) moves the lattice by 2λ·lr/|Ω| ≈ 2e-2.
      #expect(worst <= 1e-4, "\(variant): \(worst)")
    }
  }
}

extension ExtremalPerturbationTests {
  @Test(
    "P-EP-5: at the all-ones start the area loss's step falls inside a group of values equal up to rounding: rounding picks the gradient, not the loss"
  )
  func tiedStart() throws {
    let s = Self.settings(.ep3d, perturbation: .blur, mode: .preserve, reward: .logProbability, jitter: false)
    let o = try Self.optimisation(s)
    let ones = Tensor<Double>(shape: o.geometry.latticeShape(masks: 2), repeating: 1)
    let padded = LB.extremalMask(ones, geometry: o.geometry)
    let n = padded.count / 2
    // By the lattice's symmetry many mask values are equal in exact arithmetic; the ramp's step
    // (ranks z − 1 and z of row 0) falls among them.
    let row = Array(padded.scalars[0..<n]).sorted()
    let z = SortedRampLoss.zeroCount(groupSize: n, area: s.areas[0])
    let group = row.filter { abs($0 - row[z]) <= 1e-12 }.count
    #expect(abs(row[z] - row[z - 1]) <= 1e-12 && group >= 2, "a near-tie (\(group) values) spans the step")
    // A relative change of 1e-12 — the size of a rounding difference — leaves the loss alone but
    // moves elements across the step: their gradients change by 2/|Ω| (ramp value 0 ↔ 1).
    var rng = SeededRNG(seed: 3)
    let nudged = Tensor(shape: padded.shape, scalars: padded.scalars.map { $0 * (1 + 1e-12 * rng.uniform(-1, 1)) })
    let a = LB.sortedRampLoss(padded, areas: s.areas, grouping: .clip, tieOrder: .stable)
    let b = LB.sortedRampLoss(nudged, areas: s.areas, grouping: .clip, tieOrder: .stable)
    #expect(zip(a.loss, b.loss).allSatisfy { abs($0 - $1) <= 1e-10 }, "the loss is continuous")
    let jump = zip(a.gradient.scalars, b.gradient.scalars).map { abs($0 - $1) }.max() ?? 0
    #expect(jump >= 0.99 * 2 / Double(n), "the gradient jumps by 2/|Ω| = \(2 / Double(n)), got \(jump)")
  }
}
