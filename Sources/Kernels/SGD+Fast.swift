import TensorCore

extension Fast {
  /// Equals `Literal.sgdStep` bit for bit in Float: the same products and sums, each rounded
  /// once, made of `Fast.addScaled` and `Fast.scale` (SIMD16, parallel above 64 K elements)
  /// instead of one loop: d = g + λ·p; b = μ·b + (1 − τ)·d (or b = d on the first step);
  /// d = d + μ·b (Nesterov) or b; p = p + (−γ)·d.
  ///
  /// - Complexity: O(|parameter|), up to five passes over it.
  public static func sgdStep(
    _ parameter: Tensor<Float>, gradient: Tensor<Float>, momentumBuffer: Tensor<Float>?, settings: SGDSettings
  ) -> SGDStepResult<Float> {
    checkSGDShapes(parameter.shape, gradient.shape, momentumBuffer?.shape)
    var d = gradient
    if settings.weightDecay != 0 { d = addScaled(d, parameter, scale: Float(settings.weightDecay)) }
    var buffer: Tensor<Float>? = nil
    if settings.momentum != 0 {
      let momentum = Float(settings.momentum)
      let b = momentumBuffer.map { addScaled(scale($0, by: momentum), d, scale: Float(1 - settings.dampening)) } ?? d
      d = settings.nesterov ? addScaled(d, b, scale: momentum) : b
      buffer = b
    }
    return SGDStepResult(
      parameter: addScaled(parameter, d, scale: Float(-settings.learningRate)), momentumBuffer: buffer)
  }
}
