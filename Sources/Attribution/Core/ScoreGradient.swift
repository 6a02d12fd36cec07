import Kernels
import Networks
import TensorCore

/// One forward and backward pass: the gradient (or, under a modified rule, the relevance) of
/// each clip's explained score with respect to its input, optionally recording layers.
///
/// Clips are independent (no layer mixes the batch at inference), so the result for a batch
/// equals the results clip by clip; the tests check that.
public struct ScoreGradient<B: KernelBackend> {
  public typealias T = Tensor<B.Scalar>

  /// ∂score/∂x (N×3×T×H×W), or the signal at stage `stopAt`'s output.
  public var gradient: T
  /// Logits N×K of the forward pass.
  public var logits: T
  /// The explained score per clip.
  public var scores: [Double]
  /// The tape (captured activations and gradients by module path).
  public var tape: Tape<B>

  /// Runs the pass.
  /// - Parameters:
  ///   - seedScale: multiplies the seed (e.g. −1 for a dual objective); default 1.
  public init(
    network: Network<B>, input x: T, targets: [Int], score: ExplainedScore, rule: BackwardRule = .gradient,
    capture: Set<String> = [], stopAt: String? = nil
  ) {
    precondition(targets.count == x.shape[0], "\(targets.count) targets for \(x.shape[0]) clips")
    let tape = Tape<B>(mode: .inference, rule: rule, capture: capture)
    let logits = network.forward(x, tape: tape)
    let (seed, probabilities) = score.seed(logits: logits, targets: targets, backend: B.self)
    self.gradient = network.backward(seed, tape: tape, stopAt: stopAt)
    self.logits = logits
    self.scores = score.scores(logits: logits, targets: targets, probabilities: probabilities)
    self.tape = tape
  }

  /// The explained scores of clips, from a forward pass only.
  public static func scores(network: Network<B>, input x: T, targets: [Int], score: ExplainedScore) -> [Double] {
    let logits = network.logits(x)
    let probabilities = score == .probability ? B.softmax(logits) : nil
    return score.scores(logits: logits, targets: targets, probabilities: probabilities)
  }
}
