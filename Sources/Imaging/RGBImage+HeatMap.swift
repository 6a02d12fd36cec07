import TensorCore

extension RGBImage {
  /// How the opacity of a heat-map overlay varies with the heat value.
  public enum OverlayWeighting: Sendable, Equatable {
    /// α = opacity everywhere.
    case uniform
    /// α = opacity · v: cold pixels leave the frame visible, hot pixels cover it.
    case byValue
  }

  /// This image with a heat map H×W (values in [0, 1]; clamped, NaN as 0) alpha-blended over
  /// it: out = (1 − α)·frame + α·map(v) per channel in [0, 1] units, rounded to 8 bits, with α
  /// given by `opacity` and `weighting`.
  /// - Precondition: `heat.shape == [height, width]`, 0 ≤ opacity ≤ 1.
  /// - Complexity: O(width · height).
  public func overlaying(
    heat: Tensor<Float>, colorMap: ColorMap = .heat, opacity: Double = 0.5,
    weighting: OverlayWeighting = .uniform
  ) -> RGBImage {
    precondition(
      heat.shape == [height, width],
      "heat map \(Shape.describe(heat.shape)) does not match the image [\(height), \(width)]")
    precondition(opacity >= 0 && opacity <= 1, "overlay opacity must be in [0, 1], got \(opacity)")
    var out = self
    for p in 0..<(width * height) {
      let raw = Double(heat.scalars[p])
      let v = raw.isNaN ? 0 : min(max(raw, 0), 1)
      let alpha = weighting == .uniform ? opacity : opacity * v
      let (r, g, b) = colorMap.components(v)
      let base = (Double(bytes[3 * p]) / 255, Double(bytes[3 * p + 1]) / 255, Double(bytes[3 * p + 2]) / 255)
      out.bytes[3 * p] = RGB.quantise((1 - alpha) * base.0 + alpha * r)
      out.bytes[3 * p + 1] = RGB.quantise((1 - alpha) * base.1 + alpha * g)
      out.bytes[3 * p + 2] = RGB.quantise((1 - alpha) * base.2 + alpha * b)
    }
    return out
  }

  /// A heat map H×W drawn alone through a colour map.
  /// - Complexity: O(H·W).
  public init(heat: Tensor<Float>, colorMap: ColorMap = .heat) {
    precondition(heat.rank == 2, "heat map must be H×W, got \(Shape.describe(heat.shape))")
    self.init(width: heat.shape[1], height: heat.shape[0])
    for p in 0..<(width * height) {
      let c = colorMap(Double(heat.scalars[p]))
      bytes[3 * p] = c.r
      bytes[3 * p + 1] = c.g
      bytes[3 * p + 2] = c.b
    }
  }
}
