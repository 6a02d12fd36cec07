import Attribution
import Kernels
import Networks
import TensorCore
import _TestSupport

/// Mini networks with HashFill weights and the PyTorch cross-check clip (2×3×8×32×32), on
/// both paths — the fixtures every attribution test starts from.
enum Fixture {
  static let families: [Architecture] = [.r3d_mini, .r2plus1d_mini, .tsm_mini, .cnn_lstm_mini]

  static func network<B: KernelBackend>(_ a: Architecture, _: B.Type) -> Network<B> {
    try! Network<B>(a, configuration: .standard(for: a, classes: 11), initialization: .hashFill)
  }

  /// The cross-check clip (Reference/networks/input.safetensors), N = 2.
  static let clip: Tensor<Float> = {
    try! SafeTensors.read(contentsOf: RepositoryPaths.reference("networks/input.safetensors")).float32(named: "input")
  }()

  static let targets = [1, 4]

  /// Runs `method` on both paths and returns (fast, literal) maps.
  static func bothPaths(_ method: any AttributionMethod, _ a: Architecture, score: ExplainedScore = .logit) throws -> (
    fast: AttributionResult<Float>, literal: AttributionResult<Double>
  ) {
    let fast = try method.attribute(clip, targets: targets, network: network(a, FastBackend.self), score: score)
    let literal = try method.attribute(
      clip.asDouble, targets: targets, network: network(a, LiteralBackend<Double>.self), score: score)
    return (fast, literal)
  }
}
