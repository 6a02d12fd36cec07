import Kernels
import RealModule
import TensorCore

/// Mean cross-entropy of logits N×K against class labels, and its gradient.
///
/// L = −(1/N) Σₙ log softmax(ℓₙ)[yₙ]  (PyTorch `F.cross_entropy`, reduction "mean");
/// ∂L/∂ℓₙ = (softmax(ℓₙ) − onehot(yₙ)) / N.
public enum CrossEntropy {
  /// The loss and ∂L/∂logits. - Precondition: one label per row, each in 0..<K.
  public static func lossAndGradient<B: KernelBackend>(
    logits: Tensor<B.Scalar>, labels: [Int], backend: B.Type
  ) -> (loss: Double, gradient: Tensor<B.Scalar>) {
    precondition(
      logits.rank == 2 && logits.shape[0] == labels.count,
      "cross-entropy: logits \(Shape.describe(logits.shape)) for \(labels.count) labels")
    let n = logits.shape[0], k = logits.shape[1]
    precondition(labels.allSatisfy { (0..<k).contains($0) }, "cross-entropy: a label is outside 0..<\(k)")
    let logProbabilities = B.logSoftmax(logits)
    var gradient = B.softmax(logits)
    var loss = 0.0
    for (i, y) in labels.enumerated() {
      loss -= Double(logProbabilities.scalars[i * k + y])
      gradient.scalars[i * k + y] -= 1
    }
    return (loss / Double(n), B.scale(gradient, by: 1 / B.Scalar(n)))
  }
}
