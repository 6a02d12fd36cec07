import RealModule
import TensorCore

extension Literal {
  /// Separable 2-D Gaussian blur of every H×W frame of every channel, exactly TorchRay's
  /// `imsmooth(x, sigma)` (facebookresearch/TorchRay, torchray/utils.py) with its defaults
  /// (stride 1, constant zero padding, output the size of the input).
  ///
  /// Shapes: x N×C×T×H×W (any rank ≥ 2: the last two axes are H and W, every other index
  /// is a separate frame) → same shape. With the taps w of `gaussianTaps` (2K + 1 of them,
  /// K = ⌈4σ⌉), first along H, then along W, as imsmooth's two `conv2d` calls:
  ///
  ///     y[…, h, w] = Σ_{i=−K…K} w_i·x[…, h+i, w]        (x = 0 outside 0 ≤ h+i < H)
  ///     out[…, h, w] = Σ_{i=−K…K} w_i·y[…, h, w+i]      (y = 0 outside 0 ≤ w+i < W)
  ///
  /// σ = 0 gives K = 0 and the single tap w_0 = 1: the identity (see `gaussianTaps`).
  ///
  /// **Adjoint.** Each 1-D pass is the symmetric matrix M[h, h′] = w_{h′−h} (symmetric
  /// because w_{−i} = w_i, and still symmetric after zero padding, which only deletes rows
  /// and columns), and the two passes act on different axes and commute, so the blur is
  /// self-adjoint: ⟨blur(x), y⟩ = ⟨x, blur(y)⟩. Its vector-Jacobian product is the blur of
  /// the cotangent, so there is no separate backward function.
  ///
  /// - Precondition: `x` has rank ≥ 2; σ is finite and ≥ 0.
  /// - Complexity: O(size of x · 2·(2K+1)) (offsets outside the frame are visited and skipped).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func gaussianBlurSpatial<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, sigma: Double
  ) -> Tensor<T> {
    precondition(x.rank >= 2, "gaussianBlurSpatial: x \(Shape.describe(x.shape)) needs H and W axes")
    let taps: [T] = gaussianTaps(sigma: sigma)
    let alongH = correlateZeroPadded(x, taps: taps, axis: x.rank - 2)
    return correlateZeroPadded(alongH, taps: taps, axis: x.rank - 1)
  }

  /// The same 1-D Gaussian as `gaussianBlurSpatial` (taps of `gaussianTaps`, zero padding)
  /// along T, for every channel and pixel.
  ///
  /// Shapes: x N×C×T×H×W → same shape.
  ///
  ///     out[n, c, t, h, w] = Σ_{i=−K…K} w_i·x[n, c, t+i, h, w]   (x = 0 outside 0 ≤ t+i < T)
  ///
  /// Self-adjoint for the same reason as the spatial blur.
  ///
  /// - Precondition: `x` has rank 5; σ is finite and ≥ 0.
  /// - Complexity: O(size of x · (2K+1)).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func gaussianBlurTemporal<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, sigma: Double
  ) -> Tensor<T> {
    precondition(x.rank == 5, "gaussianBlurTemporal: x \(Shape.describe(x.shape)) must be N×C×T×H×W")
    return correlateZeroPadded(x, taps: gaussianTaps(sigma: sigma), axis: 2)
  }

  /// K = ⌈4σ⌉, the half-width of TorchRay's Gaussian (`width = math.ceil(4 * sigma)`).
  package static func gaussianRadius(sigma: Double) -> Int {
    precondition(sigma.isFinite && sigma >= 0, "Gaussian blur: sigma \(sigma) must be finite and ≥ 0")
    return Int((4 * sigma).rounded(.up))
  }

  /// The 2K + 1 normalised taps of TorchRay's `imsmooth`, index i + K for i = −K…K:
  ///
  ///     s = √2·σ + ε,   e_i = exp(−(i/s)²),   w_i = e_i / Σ_j e_j
  ///
  /// with ε = 2⁻²³ (TorchRay's `EPSILON_SINGLE = 1.19209290E-07`, float32 machine epsilon,
  /// added to the denominator `SQRT_TWO_SINGLE * sigma + EPSILON_SINGLE` so that σ = 0 gives
  /// 0/ε = 0 and the single tap exp(0) = 1 instead of 0/0). For σ > 0 the exponent i²/s²
  /// is i²/2σ² times 1 − √2·ε/σ + O(ε²), a float32-rounding-sized change. TorchRay evaluates
  /// in float32 with √2 rounded to float32; here the arithmetic is that of T with √2 exact.
  package static func gaussianTaps<T: Real & BinaryFloatingPoint & Sendable>(sigma: Double) -> [T] {
    let radius = gaussianRadius(sigma: sigma)
    let s = T(2).squareRoot() * T(sigma) + T(Float.ulpOfOne)
    var e: [T] = []
    for i in -radius...radius {
      let q = T(i) / s
      e.append(T.exp(-(q * q)))
    }
    var total: T = 0
    for v in e { total += v }
    return e.map { $0 / total }
  }

  /// ∂w_i/∂σ of the taps of `gaussianTaps` with their number held at 2K + 1:
  ///
  ///     ∂w_i/∂σ = w_i · (2√2/s) · (q_i² − Σ_j w_j·q_j²),   q_i = i/s,  s = √2·σ + ε
  ///
  /// (from ∂e_i/∂σ = e_i·2√2·q_i²/s and w_i = e_i/Σe_j); for ε = 0 this is
  /// w_i·(i² − Σ_j w_j j²)/σ³. Zero for σ = 0 (one tap, always 1). The derivative taps sum
  /// to 0.
  package static func gaussianTapsSigmaDerivative<T: Real & BinaryFloatingPoint & Sendable>(sigma: Double) -> [T] {
    let radius = gaussianRadius(sigma: sigma)
    let w: [T] = gaussianTaps(sigma: sigma)
    let s = T(2).squareRoot() * T(sigma) + T(Float.ulpOfOne)
    var q2: [T] = []
    for i in -radius...radius {
      let q = T(i) / s
      q2.append(q * q)
    }
    var mean: T = 0
    for k in 0..<w.count { mean += w[k] * q2[k] }
    let factor = 2 * T(2).squareRoot() / s
    var dw: [T] = []
    for k in 0..<w.count { dw.append(w[k] * factor * (q2[k] - mean)) }
    return dw
  }

  /// 1-D correlation with zero padding along one axis, output the size of the input:
  /// out[…, l, …] = Σ_{i=−K…K, 0 ≤ l+i < L} taps[i + K]·x[…, l+i, …], L the extent of `axis`.
  package static func correlateZeroPadded<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, taps: [T], axis: Int
  ) -> Tensor<T> {
    precondition(taps.count % 2 == 1, "correlateZeroPadded: \(taps.count) taps is not 2K + 1")
    let radius = taps.count / 2
    let length = x.shape[axis]
    let outer = Shape.elementCount(Array(x.shape[..<axis]))
    let inner = Shape.elementCount(Array(x.shape[(axis + 1)...]))
    var out = Tensor<T>.zeros(x.shape)
    for o in 0..<outer {
      for l in 0..<length {
        for j in 0..<inner {
          var sum: T = 0
          for i in -radius...radius where l + i >= 0 && l + i < length {
            sum += taps[i + radius] * x.scalars[(o * length + l + i) * inner + j]
          }
          out.scalars[(o * length + l) * inner + j] = sum
        }
      }
    }
    return out
  }
}
