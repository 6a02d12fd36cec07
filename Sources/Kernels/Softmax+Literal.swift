import RealModule
import TensorCore

// Softmax and log-softmax over the last axis (`torch.softmax(x, dim=-1)`,
// `torch.log_softmax(x, dim=-1)`), and their VJPs written in terms of the forward output.
//
// Shapes: x of rank ≥ 1, usually N×K logits; every row (the last axis, K elements) is
// normalised on its own. The output has the shape of x.

extension Literal {
  /// Softmax of every row, with the row maximum m subtracted for stability (exact in real
  /// arithmetic, and keeps every exponent ≤ 0 so nothing overflows):
  ///
  ///   y_k = exp(x_k − m) / Σ_j exp(x_j − m),   m = max_j x_j
  ///
  /// - Complexity: O(|x|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func softmax<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>) -> Tensor<T> {
    let K = softmaxRowLength("softmax", x.shape)
    var y = Tensor<T>.zeros(x.shape)
    for row in 0..<(K == 0 ? 0 : x.count / K) {
      var m = -T.infinity
      for k in 0..<K { m = Swift.max(m, x[flat: row * K + k]) }
      var sum = T.zero
      for j in 0..<K { sum += T.exp(x[flat: row * K + j] - m) }
      for k in 0..<K { y[flat: row * K + k] = T.exp(x[flat: row * K + k] - m) / sum }
    }
    return y
  }

  /// Vector-Jacobian product of `softmax` given its output y (per row):
  ///
  ///   dx_k = y_k · (dy_k − Σ_j dy_j·y_j)
  ///
  /// (∂y_j/∂x_k = y_j·(δ_jk − y_k)).
  /// - Parameters:
  ///   - dy: the shape of the output.
  ///   - output: y = softmax(x).
  /// - Complexity: O(|y|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func softmaxBackward<T: Real & BinaryFloatingPoint & Sendable>(_ dy: Tensor<T>, output: Tensor<T>)
    -> Tensor<T>
  {
    let K = softmaxRowLength("softmaxBackward", output.shape)
    checkSoftmaxShapes("softmaxBackward", dy.shape, output.shape)
    var dx = Tensor<T>.zeros(dy.shape)
    for row in 0..<(K == 0 ? 0 : dy.count / K) {
      var dot = T.zero
      for j in 0..<K { dot += dy[flat: row * K + j] * output[flat: row * K + j] }
      for k in 0..<K { dx[flat: row * K + k] = output[flat: row * K + k] * (dy[flat: row * K + k] - dot) }
    }
    return dx
  }

  /// Log-softmax of every row, stabilised by the row maximum m:
  ///
  ///   y_k = (x_k − m) − log Σ_j exp(x_j − m),   m = max_j x_j
  ///
  /// - Complexity: O(|x|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func logSoftmax<T: Real & BinaryFloatingPoint & Sendable>(_ x: Tensor<T>) -> Tensor<T> {
    let K = softmaxRowLength("logSoftmax", x.shape)
    var y = Tensor<T>.zeros(x.shape)
    for row in 0..<(K == 0 ? 0 : x.count / K) {
      var m = -T.infinity
      for k in 0..<K { m = Swift.max(m, x[flat: row * K + k]) }
      var sum = T.zero
      for j in 0..<K { sum += T.exp(x[flat: row * K + j] - m) }
      let logSum = T.log(sum)
      for k in 0..<K { y[flat: row * K + k] = (x[flat: row * K + k] - m) - logSum }
    }
    return y
  }

  /// Vector-Jacobian product of `logSoftmax` given its output y (per row):
  ///
  ///   dx_k = dy_k − exp(y_k) · Σ_j dy_j
  ///
  /// (∂y_j/∂x_k = δ_jk − softmax(x)_k, and softmax(x) = exp(y)).
  /// - Parameters:
  ///   - dy: the shape of the output.
  ///   - output: y = logSoftmax(x).
  /// - Complexity: O(|y|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func logSoftmaxBackward<T: Real & BinaryFloatingPoint & Sendable>(_ dy: Tensor<T>, output: Tensor<T>)
    -> Tensor<T>
  {
    let K = softmaxRowLength("logSoftmaxBackward", output.shape)
    checkSoftmaxShapes("logSoftmaxBackward", dy.shape, output.shape)
    var dx = Tensor<T>.zeros(dy.shape)
    for row in 0..<(K == 0 ? 0 : dy.count / K) {
      var sum = T.zero
      for j in 0..<K { sum += dy[flat: row * K + j] }
      for k in 0..<K { dx[flat: row * K + k] = dy[flat: row * K + k] - T.exp(output[flat: row * K + k]) * sum }
    }
    return dx
  }
}

/// K, the extent of the last axis (the softmax axis), with the rank check of both paths.
func softmaxRowLength(_ kernel: String, _ shape: [Int]) -> Int {
  precondition(shape.count >= 1, "\(kernel): input \(Shape.describe(shape)) must have rank ≥ 1")
  return shape[shape.count - 1]
}

/// Precondition that two shapes are equal, naming both.
func checkSoftmaxShapes(_ kernel: String, _ a: [Int], _ b: [Int]) {
  precondition(a == b, "\(kernel): shapes \(Shape.describe(a)) and \(Shape.describe(b)) differ")
}
