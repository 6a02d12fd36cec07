import Attribution
import Evaluation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// The sanity-check runner as a specification: what it randomises, in which order, with which
/// seeds, and that it leaves the network as it found it.
@Suite("Sanity checks: the randomisation runner", .serialized)
struct SanityRandomizationTests {
  static func network() -> Network<FastBackend> {
    try! Network<FastBackend>(
      .r3d_mini, configuration: .standard(for: .r3d_mini, classes: 11), initialization: .hashFill)
  }

  static let clips: Tensor<Float> = Fill.weyl([2, 3, 2, 24, 24])
  static let targets = [3, 7]

  /// Fails on its `failAt`-th call (to check that a throwing method leaves the network restored).
  final class Failing: AttributionMethod, @unchecked Sendable {
    var calls = 0
    let failAt: Int
    init(failAt: Int) { self.failAt = failAt }
    var name: String { "failing" }
    var parameters: [String: String] { [:] }
    var defaultPostProcessing: PostProcessing { Saliency().defaultPostProcessing }
    func attribute<B: KernelBackend>(_ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore)
      throws
      -> AttributionResult<B.Scalar>
    {
      calls += 1
      if calls == failAt { throw AttributionError.unsuitableNetwork(method: name, architecture: "any", reason: "test") }
      return try Saliency().attribute(x, targets: targets, network: network, score: score)
    }
  }

  @Test(
    "P-SANITY-4: a model-independent map keeps similarity exactly 1 under every test, and the network comes back bit for bit"
  )
  func controlAndRestoration() throws {
    let net = Self.network()
    let before = net.parameters.map(\.value)
    let control = SanityCheck(method: InputMagnitude(), seed: 4, granularity: .layers)
    for test in [SanityCheck.Test.cascading, .independent] {
      let r = try control.randomization(test, network: net, clips: Self.clips, targets: Self.targets)
      #expect(r.steps.count == net.parameterizedLayers.count)
      for step in r.steps {
        for c in step.clips { #expect(c.spearman == 1 && c.ssim == 1 && c.hog == 1, "\(test) \(step.label)") }
      }
      #expect(net.parameters.map(\.value) == before, "\(test) left the network changed")
    }
    let logit = try control.randomLogit(network: net, clips: Self.clips, targets: Self.targets)
    #expect(logit.steps[0].clips.allSatisfy { $0.spearman == 1 && $0.ssim == 1 })
    #expect(zip(logit.otherClasses!, Self.targets).allSatisfy { $0 != $1 })
    // The gradient does change, and a method failing half-way leaves the network restored too.
    let g = try SanityCheck(method: Saliency(), seed: 4).randomization(
      .cascading, network: net, clips: Self.clips, targets: Self.targets)
    #expect(g.steps.last!.mean.spearman! < 0.9)
    #expect(throws: AttributionError.self) {
      try SanityCheck(method: Failing(failAt: 4)).randomization(
        .cascading, network: net, clips: Self.clips, targets: Self.targets)
    }
    #expect(net.parameters.map(\.value) == before)
  }

  @Test(
    "P-SANITY-5: per-layer seeds: a layer gets the same values in both modes and in every step; equal-shaped layers differ"
  )
  func perLayerSeeds() throws {
    let net = Self.network()
    let check = SanityCheck(method: Saliency(), seed: 9, granularity: .layers)
    let cascading = try check.randomization(.cascading, network: net, clips: Self.clips, targets: Self.targets)
    let independent = try check.randomization(.independent, network: net, clips: Self.clips, targets: Self.targets)
    // Step 0 randomises the classifier alone in both modes: the same network, the same maps.
    #expect(cascading.steps[0].clips == independent.steps[0].clips)
    #expect(
      cascading.steps[0].randomized == ["fc"] && cascading.steps.last!.randomized.count == net.parameterizedLayers.count
    )
    #expect(independent.steps.allSatisfy { $0.randomized.count == 1 })
    // The last cascading step is the whole network random: the `network` granularity's single step.
    var whole = check
    whole.granularity = .network
    let once = try whole.randomization(.cascading, network: net, clips: Self.clips, targets: Self.targets)
    #expect(once.steps.count == 1 && once.steps[0].clips == cascading.steps.last!.clips)
    var stages = check
    stages.granularity = .stages
    let byStage = try stages.randomization(.cascading, network: net, clips: Self.clips, targets: Self.targets)
    #expect(byStage.steps.map(\.label) == ["fc", "layer4", "layer3", "layer2", "layer1", "stem"])
    #expect(byStage.steps.last!.clips == cascading.steps.last!.clips)
    // layer1.0.conv1 and layer1.0.conv2 have one shape; re-seeding every layer alike (Quantus'
    // torch.manual_seed(seed + 1) before each reset) would give them equal weights.
    let a = "layer1.0.conv1.1", b = "layer1.0.conv2.1"
    try net.reinitialize(layers: [a, b], seed: 9)
    let wa = net.parameterizedLayers.first { $0.path == a }!.parameters[0]
    let wb = net.parameterizedLayers.first { $0.path == b }!.parameters[0]
    #expect(wa.shape == wb.shape && wa.value != wb.value)
  }

  @Test("The runner refuses a non-layer test and clips the network cannot take")
  func errors() throws {
    let net = Self.network()
    #expect(throws: SanityCheckError.invalidRequest("random_logit is not a randomisation of layers")) {
      try SanityCheck(method: Saliency()).randomization(
        .randomLogit, network: net, clips: Self.clips, targets: Self.targets)
    }
    #expect(throws: TensorError.self) {
      try SanityCheck(method: Saliency()).randomization(
        .cascading, network: net, clips: Tensor(shape: [1, 2, 2, 24, 24], repeating: 0), targets: [0])
    }
  }
}
