import Attribution
import Foundation
import Kernels
import Networks
import TensorCore
import _TestSupport

/// Networks and clips the evaluation tests share.
enum EvaluationFixture {
  /// A zoo model (Reference/models) on a path.
  static func zoo<B: KernelBackend>(_ name: String, _ a: Architecture, _: B.Type) throws -> Network<B> {
    try WeightsFile.read(contentsOf: RepositoryPaths.reference("models/\(name).safetensors")).network(a)
  }

  /// The PyTorch cross-check clip (Reference/networks/input.safetensors), 2×3×8×32×32.
  static let clip: Tensor<Float> = {
    try! SafeTensors.read(contentsOf: RepositoryPaths.reference("networks/input.safetensors")).float32(named: "input")
  }()

  /// HashFill units × scale, as the generator of Reference/evaluation_reliability builds its
  /// perturbations (exact in Float and Double: units are multiples of 2⁻²¹).
  static func hashPerturbations<S: BinaryFloatingPoint>(_ prefix: String, shape: [Int], count: Int, scale: Double)
    -> [Tensor<S>]
  {
    (0..<count).map { s in
      Tensor(shape: shape) { i in S(Double(HashFill.unit(name: "\(prefix).\(s)", index: i)) * scale) }
    }
  }

  /// A JSON file of Reference/evaluation_reliability.
  static func json(_ name: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: RepositoryPaths.reference("evaluation_reliability/\(name)")))
    return try JSONSerialization.jsonObject(with: data) as! [String: Any]
  }
}

/// A model-independent control "method": the map |x| of the clip itself (an edge detector
/// would do as well). Its maps cannot change when the model does.
struct InputMagnitude: AttributionMethod {
  var name: String { "input_magnitude" }
  var parameters: [String: String] { [:] }
  var defaultPostProcessing: PostProcessing { PostProcessing(channels: .sumAbs, normalization: .minMax) }

  func attribute<B: KernelBackend>(_ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore)
    throws
    -> AttributionResult<B.Scalar>
  {
    AttributionResult(map: x.map { abs($0) }, scores: targets.map { _ in 0 })
  }
}
