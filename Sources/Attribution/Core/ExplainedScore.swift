import Kernels
import Networks
import RealModule
import TensorCore

/// What an attribution explains for clip n and target class c.
///
/// `logit`: y_c, the class logit (Captum's and TorchRay's default). `probability`: p_c =
/// softmax(y)_c, as Li et al. explain their networks. Gradient-type methods differ by the
/// factor ∂p_c/∂y = p_c(e_c − p), which mixes in the other classes.
public enum ExplainedScore: String, Sendable, CaseIterable, CustomStringConvertible {
  case logit
  case probability

  public var description: String { rawValue }

  /// The score of every clip (N values) from logits N×K.
  public func scores<S: BinaryFloatingPoint>(logits: Tensor<S>, targets: [Int], probabilities: Tensor<S>?) -> [Double] {
    let k = logits.shape[1]
    return targets.enumerated().map { n, c in
      switch self {
      case .logit: return Double(logits.scalars[n * k + c])
      case .probability: return Double(probabilities!.scalars[n * k + c])
      }
    }
  }

  /// ∂(Σₙ score(n, targetₙ))/∂logits, N×K: one-hot for the logit; for the probability
  /// softmax's VJP of the one-hot, p_c(e_c − p) per row.
  public func seed<B: KernelBackend>(logits: Tensor<B.Scalar>, targets: [Int], backend: B.Type) -> (
    seed: Tensor<B.Scalar>, probabilities: Tensor<B.Scalar>?
  ) {
    let k = logits.shape[1]
    var oneHot = Tensor<B.Scalar>(shape: logits.shape, repeating: 0)
    for (n, c) in targets.enumerated() { oneHot.scalars[n * k + c] = 1 }
    switch self {
    case .logit:
      return (oneHot, nil)
    case .probability:
      let p = B.softmax(logits)
      return (B.softmaxBackward(oneHot, output: p), p)
    }
  }
}
