import Kernels
import Networks
import TensorCore

/// An attribution method: clips and target classes in, one raw map per clip out.
///
/// Methods are written once, generic over the backend, so the same code runs on the literal
/// path (Double) and the fast path (Float); the tests compare the two. The raw map is what the
/// attribution file stores — post-processing (channel reduction, normalisation) is separate
/// (`PostProcessing`).
public protocol AttributionMethod: Sendable {
  /// The command-line name (snake_case, e.g. `integrated_gradients`).
  var name: String { get }
  /// Every parameter with its value, recorded in the attribution file's metadata.
  var parameters: [String: String] { get }
  /// The post-processing the papers apply to this method's maps (Li-TCSVT; Reference/SOURCES.md).
  var defaultPostProcessing: PostProcessing { get }

  /// Raw attribution maps for clips x (N×3×T×H×W) and one target class per clip.
  /// - Throws: `AttributionError` when the method cannot run on this network (for example a
  ///   backward rule the network does not define, or an unknown layer).
  func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar>
}

/// What a method produced.
public struct AttributionResult<Scalar: Sendable>: Sendable {
  /// N×C×T×H×W: C = 3 for maps in input space, C = 1 for maps that have no channel axis
  /// (CAM-type methods, upsampled to the clip's T×H×W).
  public var map: Tensor<Scalar>
  /// The explained score of each clip at x.
  public var scores: [Double]
  /// Integrated-gradients methods: Σ map − (f(x) − f(baseline)) per clip (completeness error).
  public var delta: [Double]?
  /// Further per-clip tensors a method produces (extremal perturbation: `masks`, `history`),
  /// each with the clip axis first; the attribution file stores them under their names.
  public var extras: [String: Tensor<Double>]

  public init(map: Tensor<Scalar>, scores: [Double], delta: [Double]? = nil, extras: [String: Tensor<Double>] = [:]) {
    self.map = map
    self.scores = scores
    self.delta = delta
    self.extras = extras
  }
}

extension AttributionMethod {
  /// Throws unless `network` defines `rule` on every layer.
  public func require<B: KernelBackend>(_ rule: BackwardRule, on network: Network<B>) throws {
    guard network.supports(rule) else {
      throw AttributionError.unsupportedRule(method: name, rule: "\(rule)", architecture: "\(network.architecture)")
    }
  }
}
