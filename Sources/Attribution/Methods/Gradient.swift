import Kernels
import Networks
import TensorCore

/// Gradient ("saliency", Simonyan et al. 2014): the map is ∂s_c/∂x, s the explained score.
///
/// Li et al. show |∂p_c/∂x| averaged over channels, normalised by the 99.9th percentile
/// (`defaultPostProcessing`). Cost: one forward and one backward pass per clip.
public struct Saliency: AttributionMethod {
  public var batch: Int
  public init(batch: Int = 8) { self.batch = batch }

  public var name: String { "gradient" }
  public var parameters: [String: String] { ["batch": "\(batch)"] }
  public var defaultPostProcessing: PostProcessing {
    PostProcessing(channels: .absMean, normalization: .percentile(99.9))
  }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    Batching.run(x, targets: targets, batch: batch) { xs, ts in
      let g = ScoreGradient(network: network, input: xs, targets: ts, score: score)
      return AttributionResult(map: g.gradient, scores: g.scores)
    }
  }
}

/// Gradient × Input (Shrikumar et al. 2016; "LA", linear approximation, in Li et al.):
/// x ⊙ ∂s_c/∂x. Li et al. sum over channels, take |·|, normalise by the 99th percentile.
public struct GradientTimesInput: AttributionMethod {
  public var batch: Int
  public init(batch: Int = 8) { self.batch = batch }

  public var name: String { "gradient_x_input" }
  public var parameters: [String: String] { ["batch": "\(batch)"] }
  public var defaultPostProcessing: PostProcessing { PostProcessing(channels: .absSum, normalization: .percentile(99)) }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    Batching.run(x, targets: targets, batch: batch) { xs, ts in
      let g = ScoreGradient(network: network, input: xs, targets: ts, score: score)
      return AttributionResult(map: B.multiply(xs, g.gradient), scores: g.scores)
    }
  }
}

/// Guided backpropagation (Springenberg et al. 2015) and deconvnet (Zeiler & Fergus 2014):
/// the backward pass with the network's ReLUs replaced by their rule (`BackwardRule`).
/// Li et al. show max_c |·| normalised by the 99.9th percentile.
public struct RuleSaliency: AttributionMethod {
  public enum Kind: String, Sendable { case guidedBackprop = "guided_backprop", deconvnet }
  public var kind: Kind
  public var batch: Int
  public init(_ kind: Kind, batch: Int = 8) {
    self.kind = kind
    self.batch = batch
  }

  public var name: String { kind.rawValue }
  public var parameters: [String: String] { ["batch": "\(batch)"] }
  public var defaultPostProcessing: PostProcessing {
    PostProcessing(channels: .maxAbs, normalization: .percentile(99.9))
  }
  var rule: BackwardRule { kind == .guidedBackprop ? .guidedBackprop : .deconvnet }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    try require(rule, on: network)
    return Batching.run(x, targets: targets, batch: batch) { xs, ts in
      let g = ScoreGradient(network: network, input: xs, targets: ts, score: score, rule: rule)
      return AttributionResult(map: g.gradient, scores: g.scores)
    }
  }
}
