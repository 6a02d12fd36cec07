import RealModule
import TensorCore

extension Literal {
  /// One step of `torch.optim.SGD` on one parameter tensor (PyTorch's `_single_tensor_sgd`,
  /// torch/optim/sgd.py), element by element:
  ///
  ///     d = g + λ·p                          (only when λ ≠ 0)
  ///     b = d                                 on the first step (no buffer yet: no dampening)
  ///     b = μ·b + (1 − τ)·d                   on later steps
  ///     d = d + μ·b  (Nesterov)  or  d = b    (only when μ ≠ 0)
  ///     p = p + (−γ)·d
  ///
  /// The coefficients 1 − τ and −γ are computed in Double and then rounded to T, as PyTorch
  /// computes `alpha=1 - dampening` and `alpha=-lr` in Python floats before its kernels convert
  /// them (in Float, 1 − 0.9 becomes 0.1f, not 1 − 0.9f). Each product and sum rounds once.
  ///
  /// Shapes: parameter, gradient and momentumBuffer (when given) all of one shape.
  /// `momentumBuffer` is nil on the first step; the result's buffer goes to the next one.
  ///
  /// - Complexity: O(|parameter|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func sgdStep<T: Real & BinaryFloatingPoint & Sendable>(
    _ parameter: Tensor<T>, gradient: Tensor<T>, momentumBuffer: Tensor<T>?, settings: SGDSettings
  ) -> SGDStepResult<T> {
    checkSGDShapes(parameter.shape, gradient.shape, momentumBuffer?.shape)
    let weightDecay = T(settings.weightDecay), momentum = T(settings.momentum)
    let keep = T(1 - settings.dampening), step = T(-settings.learningRate)
    var p = parameter
    var b: Tensor<T>? = settings.momentum != 0 ? (momentumBuffer ?? Tensor.zeros(parameter.shape)) : nil
    for i in 0..<parameter.count {
      var d = gradient[flat: i]
      if settings.weightDecay != 0 { d = d + weightDecay * parameter[flat: i] }
      if settings.momentum != 0 {
        if momentumBuffer == nil {
          b![flat: i] = d
        } else {
          b![flat: i] = momentum * b![flat: i] + keep * d
        }
        d = settings.nesterov ? d + momentum * b![flat: i] : b![flat: i]
      }
      p[flat: i] = parameter[flat: i] + step * d
    }
    return SGDStepResult(parameter: p, momentumBuffer: b)
  }
}

/// The shape check of `sgdStep` (both paths).
func checkSGDShapes(_ p: [Int], _ g: [Int], _ b: [Int]?) {
  precondition(
    g == p && (b == nil || b! == p),
    "sgdStep: parameter \(Shape.describe(p)), gradient \(Shape.describe(g))"
      + (b.map { ", momentum buffer \(Shape.describe($0))" } ?? "") + " must have one shape")
}
