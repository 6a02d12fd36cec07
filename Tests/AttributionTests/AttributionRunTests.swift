import Attribution
import Foundation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// What `vidattr attribute` does between its files, as a library: targets, the path switch,
/// the run and its metadata.
@Suite("An attribution run: targets, path, maps and metadata")
struct AttributionRunTests {
  static let clips: Tensor<Float> = Fill.normal([5, 3, 4, 16, 16], std: 3, seed: 41)

  @Test("predicted targets are each clip's argmax, whatever the batch, computed in batched forwards")
  func predictedTargets() throws {
    let net = Fixture.network(.r3d_mini, FastBackend.self)
    let oneByOne = (0..<5).map { n in Network<FastBackend>.argmaxRows(net.logits(Self.clips.clips(n..<(n + 1))))[0] }
    for batch in [1, 2, 3, 5, 8] {
      #expect(
        try TargetSelection.predicted.resolve(for: Self.clips, network: net, batch: batch) == oneByOne, "batch \(batch)"
      )
      #expect(net.logits(Self.clips, batch: batch) == net.logits(Self.clips), "batch \(batch): logits differ")
    }
    #expect(Set(oneByOne).count > 1, "the fixture clips should not all predict one class")
  }

  @Test("argmax takes the first of equal logits, as torch.argmax")
  func argmaxTies() {
    let logits = Tensor<Float>(shape: [3, 4], scalars: [1, 3, 3, 0, 5, 5, 5, 5, -1, -2, -1, -3])
    #expect(Network<FastBackend>.argmaxRows(logits) == [1, 0, 0])
  }

  @Test("fixed and per-clip targets are checked against the network's classes and the clip count")
  func givenTargets() throws {
    let net = Fixture.network(.r3d_mini, FastBackend.self)
    #expect(try TargetSelection.fixed(3).resolve(for: Self.clips, network: net, batch: 8) == [3, 3, 3, 3, 3])
    #expect(throws: AttributionError.targetOutOfRange(target: 11, classes: 11)) {
      try TargetSelection.fixed(11).resolve(for: Self.clips, network: net, batch: 8)
    }
    #expect(throws: AttributionError.targetOutOfRange(target: -1, classes: 11)) {
      try TargetSelection.perClip([0, 1, 2, 3, -1]).resolve(for: Self.clips, network: net, batch: 8)
    }
    #expect(throws: AttributionError.targetCount(targets: 2, clips: 5)) {
      try TargetSelection.perClip([0, 1]).resolve(for: Self.clips, network: net, batch: 8)
    }
  }

  /// Names its backend's path.
  struct PathName: BackendTask {
    func run<B: KernelBackend>(on backend: B.Type) throws -> (String, Int) {
      (B.pathName, MemoryLayout<B.Scalar>.size)
    }
  }

  @Test("a compute path runs a task on its backend: fast in Float32, literal in Double")
  func computePath() throws {
    #expect(try ComputePath.fast.run(PathName()) == ("fast", 4))
    #expect(try ComputePath.literal.run(PathName()) == ("literal", 8))
  }

  @Test("a run on either path equals the method called directly on that path's network; metadata records it")
  func runEqualsDirectCall() throws {
    let fastNet = Fixture.network(.r3d_mini, FastBackend.self)
    let weights = WeightsFile(
      stateDict: Dictionary(uniqueKeysWithValues: fastNet.stateDict().map { ($0.name, $0.value) }))
    var o = MethodOptions()
    o[.steps] = 3
    let method = try MethodRegistry.make("integrated_gradients", options: o)
    let x = Self.clips.clips(0..<2)

    let fast = try AttributionRun(method: method, targets: .perClip([4, 7]), score: .probability, path: .fast)
      .run(weights: weights, architecture: .r3d_mini, clips: x)
    let direct = try method.attribute(
      x, targets: [4, 7], network: try weights.network(.r3d_mini, backend: FastBackend.self), score: .probability)
    #expect(fast.targets == [4, 7] && fast.result.map == direct.map && fast.result.scores == direct.scores)

    let literal = try AttributionRun(method: method, targets: .perClip([4, 7]), score: .probability, path: .literal)
      .run(weights: weights, architecture: .r3d_mini, clips: x)
    let literalNet: Network<LiteralBackend<Double>> = try weights.network(.r3d_mini)
    let reference = try method.attribute(
      Tensor<Double>(converting: x), targets: [4, 7], network: literalNet, score: .probability)
    #expect(literal.result.map == Tensor<Float>(converting: reference.map) && literal.result.delta == reference.delta)

    let run = AttributionRun(method: method, score: .probability, path: .literal)
    let m = run.metadata(extra: ["seed": "0"])
    #expect(
      m["method"] == "integrated_gradients" && m["score"] == "probability" && m["path"] == "literal" && m["seed"] == "0"
    )
    #expect(m["parameters"] == #"{"baseline":"black","batch":"8","rule":"riemann_left","steps":"3"}"#)
  }

  @Test("a clip the network cannot take is refused before any work")
  func badShape() throws {
    let net = Fixture.network(.r3d_mini, FastBackend.self)
    let weights = WeightsFile(stateDict: Dictionary(uniqueKeysWithValues: net.stateDict().map { ($0.name, $0.value) }))
    let run = AttributionRun(method: Saliency())
    #expect(throws: TensorError.self) {
      try run.run(weights: weights, architecture: .r3d_mini, clips: Tensor(shape: [1, 2, 4, 16, 16], repeating: 0))
    }
  }
}
