import RealModule
import TensorCore

extension Literal {
  /// Reverses the last axis (W): out[…, w] = x[…, W − 1 − w] — `torch.flip(x, dims=(−1,))`.
  ///
  /// Extremal perturbation's jitter (TorchRay's `extremal_perturbation` with `jitter=True`)
  /// flips the *perturbed input* on even iterations, `x = torch.flip(x, dims=(3,))` after
  /// `Perturbation.apply`, not the mask; the network's gradient with respect to the perturbed
  /// input goes back through the same flip. A flip is a permutation that is its own inverse
  /// and its own transpose, so it is also its own vector-Jacobian product.
  ///
  /// Shapes: any rank ≥ 1 → the same shape.
  /// - Complexity: O(|x|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func flipWidth<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>) -> Tensor<T> {
    precondition(x.rank >= 1, "flipWidth: x \(Shape.describe(x.shape)) has no axis to flip")
    let w = x.shape[x.rank - 1]
    var out = Tensor<T>.zeros(x.shape)
    if w == 0 { return out }
    for row in 0..<(x.count / w) {
      for i in 0..<w { out[flat: row * w + i] = x[flat: row * w + (w - 1 - i)] }
    }
    return out
  }
}
