import RealModule
import TensorCore

extension Literal {
  /// ∂/∂σ of `gaussianBlurSpatial(x, sigma)`, with the number of taps held at 2K + 1,
  /// K = ⌈4σ⌉ (the blur is piecewise smooth in σ: K jumps where 4σ crosses an integer).
  ///
  /// Shapes: as `gaussianBlurSpatial`. With G_H, G_W the passes along H and W with taps w
  /// and G′_H, G′_W the same passes with the taps ∂w/∂σ of `gaussianTapsSigmaDerivative`:
  ///
  ///     ∂(G_W ∘ G_H)x/∂σ = G_W(G′_H x) + G′_W(G_H x)
  ///
  /// This is the path derivative Blur IG needs (Xu, Venugopalan & Sundararajan, "Attribution
  /// in Scale and Space", CVPR 2020: the integral of ∂blur(x, σ)/∂σ · ∇F along σ). Zero at
  /// σ = 0.
  ///
  /// - Precondition: `x` has rank ≥ 2; σ is finite and ≥ 0.
  /// - Complexity: twice that of `gaussianBlurSpatial`.
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func gaussianBlurSpatialSigmaDerivative<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, sigma: Double
  ) -> Tensor<T> {
    precondition(x.rank >= 2, "gaussianBlurSpatialSigmaDerivative: x \(Shape.describe(x.shape)) needs H and W axes")
    let taps: [T] = gaussianTaps(sigma: sigma)
    let dTaps: [T] = gaussianTapsSigmaDerivative(sigma: sigma)
    let (hAxis, wAxis) = (x.rank - 2, x.rank - 1)
    let first = correlateZeroPadded(correlateZeroPadded(x, taps: dTaps, axis: hAxis), taps: taps, axis: wAxis)
    let second = correlateZeroPadded(correlateZeroPadded(x, taps: taps, axis: hAxis), taps: dTaps, axis: wAxis)
    var out = first
    for k in 0..<out.count { out.scalars[k] = first.scalars[k] + second.scalars[k] }
    return out
  }
}
