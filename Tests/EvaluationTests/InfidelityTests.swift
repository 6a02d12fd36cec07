import Attribution
import Evaluation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// Infidelity and max-sensitivity as Captum defines them.
@Suite("Infidelity and max-sensitivity (Captum's definitions)", .serialized)
struct InfidelityTests {
  static let targets = [8, 8]

  @Test(
    "P-REL-6: infidelity: a zero map scores mean Δf²; normalised, it ignores the map's scale and is 0 for one perturbation; Captum's values"
  )
  func infidelity() throws {
    let net: Network<LiteralBackend<Double>> = try EvaluationFixture.zoo(
      "r3d_mini", .r3d_mini, LiteralBackend<Double>.self)
    let x = EvaluationFixture.clip.asDouble
    let shape = x.shape
    let p: [Tensor<Double>] = EvaluationFixture.hashPerturbations(
      "infidelity.perturbation", shape: shape, count: 3, scale: 0x1p-4)
    let map = try Saliency().attribute(x, targets: Self.targets, network: net, score: .logit).map
    // Zero map: a_s = 0, INFD = (1/S) Σ d_s².
    let f = ScoreGradient.scores(network: net, input: x, targets: Self.targets, score: .logit)
    var meanSquare = [0.0, 0.0]
    for q in p {
      let fp = ScoreGradient.scores(
        network: net, input: LiteralBackend<Double>.addScaled(x, q, scale: -1), targets: Self.targets, score: .logit)
      for i in 0..<2 { meanSquare[i] += (f[i] - fp[i]) * (f[i] - fp[i]) / 3 }
    }
    let zero = try Infidelity.measure(
      network: net, clips: x, maps: Tensor(shape: shape, repeating: 0), targets: Self.targets, perturbations: p)
    for i in 0..<2 { #expect(abs(zero[i] - meanSquare[i]) <= 1e-12 * meanSquare[i]) }
    // Normalised: β absorbs any scale of φ; with one perturbation β fits it exactly.
    let once = try Infidelity.measure(
      network: net, clips: x, maps: map, targets: Self.targets, perturbations: [p[0]], normalize: true)
    for v in once { #expect(abs(v) <= 1e-12 * meanSquare.max()!) }
    let n1 = try Infidelity.measure(
      network: net, clips: x, maps: map, targets: Self.targets, perturbations: p, normalize: true)
    let n7 = try Infidelity.measure(
      network: net, clips: x, maps: map.map { -7 * $0 }, targets: Self.targets, perturbations: p, normalize: true)
    for i in 0..<2 { #expect(abs(n1[i] - n7[i]) <= 1e-10 * n1[i]) }
    // Captum 0.9.0 on the same model in float64 (Reference/evaluation_reliability/infidelity.json):
    // the same sums in another order, 1e-9 relative.
    let captum = try EvaluationFixture.json("infidelity.json")
    #expect((captum["targets"] as! [Int]) == Self.targets)
    let plain = try Infidelity.measure(network: net, clips: x, maps: map, targets: Self.targets, perturbations: p)
    for (ours, theirs) in [
      (plain, captum["infidelity"] as! [Double]), (n1, captum["infidelity_normalized"] as! [Double]),
    ] {
      for i in 0..<2 { #expect(abs(ours[i] - theirs[i]) <= 1e-9 * theirs[i], "\(ours) vs Captum \(theirs)") }
    }
  }

  @Test("P-REL-7: max-sensitivity is 0 without perturbation and equals Captum's sensitivity_max on the zoo model")
  func sensitivity() throws {
    let net: Network<LiteralBackend<Double>> = try EvaluationFixture.zoo(
      "r3d_mini", .r3d_mini, LiteralBackend<Double>.self)
    let x = EvaluationFixture.clip.asDouble
    let none = try MaxSensitivity.measure(
      method: Saliency(), network: net, clips: x, targets: Self.targets,
      perturbations: [Tensor(shape: x.shape, repeating: 0)])
    #expect(none == [0, 0])
    let p: [Tensor<Double>] = EvaluationFixture.hashPerturbations(
      "sensitivity.perturbation", shape: x.shape, count: 3, scale: 0.02)
    let ours = try MaxSensitivity.measure(
      method: Saliency(), network: net, clips: x, targets: Self.targets, perturbations: p)
    let captum = try EvaluationFixture.json("infidelity.json")["sensitivity_max"] as! [Double]
    for i in 0..<2 { #expect(abs(ours[i] - captum[i]) <= 1e-9 * captum[i], "\(ours) vs Captum \(captum)") }
  }

  @Test("Infidelity and max-sensitivity: the fast path equals the literal one within the network's rounding model")
  func literalFast() throws {
    let fastNet: Network<FastBackend> = try EvaluationFixture.zoo("r3d_mini", .r3d_mini, FastBackend.self)
    let literalNet: Network<LiteralBackend<Double>> = try EvaluationFixture.zoo(
      "r3d_mini", .r3d_mini, LiteralBackend<Double>.self)
    let x = EvaluationFixture.clip
    let pf: [Tensor<Float>] = EvaluationFixture.hashPerturbations(
      "infidelity.perturbation", shape: x.shape, count: 2, scale: 0x1p-4)
    let pd: [Tensor<Double>] = EvaluationFixture.hashPerturbations(
      "infidelity.perturbation", shape: x.shape, count: 2, scale: 0x1p-4)
    let mf = try Saliency().attribute(x, targets: Self.targets, network: fastNet, score: .logit).map
    let md = try Saliency().attribute(x.asDouble, targets: Self.targets, network: literalNet, score: .logit).map
    let fast = try Infidelity.measure(network: fastNet, clips: x, maps: mf, targets: Self.targets, perturbations: pf)
    let literal = try Infidelity.measure(
      network: literalNet, clips: x.asDouble, maps: md, targets: Self.targets, perturbations: pd)
    // INFD = mean (a − d)²: a and d each carry the network's rounding (NetworkTolerance on the
    // logits, and on the map summed against |I|), so |ΔINFD| ≤ 2·|a − d|·(Δa + Δd) + (Δa + Δd)².
    let (k, layers) = fastNet.roundingProfile(frames: 8)
    let logits = literalNet.logits(x.asDouble).scalars.map(abs).max()!
    let dd = 2 * NetworkTolerance.bound(maxReduction: k, layers: layers, scale: logits)
    let mapScale = md.scalars.map(abs).max()!
    let da =
      NetworkTolerance.bound(maxReduction: k, layers: 2 * layers, scale: mapScale)
      * pd[0].scalars.reduce(0) { $0 + abs($1) }
    for i in 0..<2 {
      let bound = 2 * literal[i].squareRoot() * (da + dd) + (da + dd) * (da + dd)
      #expect(abs(fast[i] - literal[i]) <= bound, "\(fast[i]) vs \(literal[i]) (bound \(bound))")
    }
  }

  @Test("Infidelity refuses perturbations and maps that do not fit the clips")
  func errors() throws {
    let net = try Network<FastBackend>(
      .r3d_mini, configuration: .standard(for: .r3d_mini, classes: 11), initialization: .hashFill)
    let x: Tensor<Float> = Fill.weyl([1, 3, 2, 16, 16])
    #expect(throws: InfidelityError.noPerturbations) {
      try Infidelity.measure(network: net, clips: x, maps: x, targets: [0], perturbations: [])
    }
    #expect(throws: InfidelityError.shapeMismatch(what: "perturbation 0", expected: x.shape, actual: [1, 3, 2, 16, 8]))
    {
      try Infidelity.measure(
        network: net, clips: x, maps: x, targets: [0], perturbations: [Tensor(shape: [1, 3, 2, 16, 8], repeating: 0)])
    }
    #expect(throws: InfidelityError.shapeMismatch(what: "maps", expected: x.shape, actual: [1, 2, 2, 16, 16])) {
      try Infidelity.measure(
        network: net, clips: x, maps: Tensor(shape: [1, 2, 2, 16, 16], repeating: 0), targets: [0], perturbations: [x])
    }
    #expect(throws: InfidelityError.targets("target 11 is not a class of the network (0..<11)")) {
      try Infidelity.measure(network: net, clips: x, maps: x, targets: [11], perturbations: [x])
    }
  }
}
