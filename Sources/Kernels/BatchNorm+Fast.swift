import TensorCore

extension Fast {
  /// Equals `Literal.batchNorm`.
  ///
  /// Per channel a_c = γ_c / √(σ²_c + ε) is computed once; each N·C plane is then
  /// y = (x − μ_c)·a_c + β_c in SIMD16 lanes with a scalar tail. Planes run in parallel when x
  /// has more than 64 K elements. No reduction: the result does not depend on the thread count.
  /// - Complexity: O(|x|).
  public static func batchNorm(
    _ x: Tensor<Float>, scale: Tensor<Float>, shift: Tensor<Float>, mean: Tensor<Float>, variance: Tensor<Float>,
    epsilon: Float
  ) -> Tensor<Float> {
    let layout = ChannelLayout(
      "batchNorm", shape: x.shape,
      parameters: [("scale", scale.shape), ("shift", shift.shape), ("mean", mean.shape), ("variance", variance.shape)])
    var factor = [Float](repeating: 0, count: layout.channels)
    for c in 0..<layout.channels {
      factor[c] = scale.scalars[c] / (variance.scalars[c] + epsilon).squareRoot()
    }
    return Tensor(
      shape: x.shape,
      scalars: FastSlices.channelAffine(x, layout, mean: mean.scalars, factor: factor, shift: shift.scalars))
  }

  /// Equals `Literal.batchNormBackwardInput`: dx = dy · (γ_c / √(σ²_c + ε)), organised like
  /// `batchNorm` (SIMD16 over each N·C plane, planes in parallel above 64 K elements).
  /// - Complexity: O(|dy|).
  public static func batchNormBackwardInput(
    _ dy: Tensor<Float>, scale: Tensor<Float>, variance: Tensor<Float>, epsilon: Float
  ) -> Tensor<Float> {
    let layout = ChannelLayout(
      "batchNormBackwardInput", shape: dy.shape, parameters: [("scale", scale.shape), ("variance", variance.shape)])
    var factor = [Float](repeating: 0, count: layout.channels)
    for c in 0..<layout.channels {
      factor[c] = scale.scalars[c] / (variance.scalars[c] + epsilon).squareRoot()
    }
    let zeros = [Float](repeating: 0, count: layout.channels)
    return Tensor(
      shape: dy.shape, scalars: FastSlices.channelAffine(dy, layout, mean: zeros, factor: factor, shift: zeros))
  }
}

extension FastSlices {
  /// y[n, c, s] = (x[n, c, s] − m_c)·a_c + b_c over every N·C plane (SIMD16, planes in
  /// parallel above 64 K elements).
  static func channelAffine(
    _ x: Tensor<Float>, _ layout: ChannelLayout, mean: [Float], factor: [Float], shift: [Float]
  ) -> [Float] {
    let planes = layout.batch * layout.channels, s = layout.spatial
    return FastSlices.makeArray(x.count) { y in
      x.withUnsafeBufferPointer { xb in
        let xp = xb.baseAddress!
        FastSlices.forEach(planes, elements: x.count) { plane in
          let c = plane % layout.channels
          let m = mean[c], a = factor[c], b = shift[c]
          let mv = SIMD16<Float>(repeating: m), av = SIMD16<Float>(repeating: a), bv = SIMD16<Float>(repeating: b)
          let base = plane * s
          var i = 0
          while i + 16 <= s {
            FastSlices.store16((FastSlices.load16(xp, base + i) - mv) * av + bv, y, base + i)
            i += 16
          }
          while i < s {
            y[base + i] = (xp[base + i] - m) * a + b
            i += 1
          }
        }
      }
    }
  }
}
