import RealModule
import TensorCore

extension Literal {
  /// Rectified linear unit, elementwise on any shape:
  ///
  ///   y_i = max(x_i, 0)
  ///
  /// NaN propagates (y_i = NaN for x_i = NaN), as `torch.relu` (clamp_min propagates NaN);
  /// x_i ≤ 0 (including −0) gives +0.
  /// - Complexity: O(|x|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func relu<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>) -> Tensor<T> {
    var y = Tensor<T>.zeros(x.shape)
    for i in 0..<x.count {
      y[flat: i] = x[flat: i] > 0 || x[flat: i].isNaN ? x[flat: i] : 0
    }
    return y
  }

  /// Vector-Jacobian product of `relu`:
  ///
  ///   dx_i = dy_i · [x_i > 0]
  ///
  /// At the kink x_i = 0 the gradient is 0, as PyTorch (`threshold_backward(dy, x, 0)` passes
  /// dy where x > 0, i.e. where not x ≤ 0, so a NaN input also passes dy).
  /// - Parameters:
  ///   - dy: any shape.
  ///   - input: the forward input x, the shape of dy.
  /// - Complexity: O(|x|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func reluBackward<T: Real & BinaryFloatingPoint & Sendable>(_ dy: Tensor<T>, input: Tensor<T>)
    -> Tensor<T>
  {
    precondition(
      dy.shape == input.shape,
      "reluBackward: dy \(Shape.describe(dy.shape)) differs from input \(Shape.describe(input.shape))")
    var dx = Tensor<T>.zeros(dy.shape)
    for i in 0..<dy.count {
      dx[flat: i] = input[flat: i] <= 0 ? 0 : dy[flat: i]
    }
    return dx
  }
}
