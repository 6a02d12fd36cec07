import RealModule
import TensorCore

extension Literal {
  /// SLIC's pre-smoothing of a T×H×W×C stack (channels last): a 1-D Gaussian along t, then h,
  /// then w, never across channels, as scikit-image's `slic` calls `gaussian(image,
  /// sigma=[σ_t, σ_h, σ_w, 0], mode='reflect')`, i.e. SciPy's `gaussian_filter` (truncate 4):
  /// for an axis of length L and σ > 0, with the taps of `scipyGaussianTaps` (radius K),
  ///
  ///     out[…, l, …] = w_0·x[…, l, …] + Σ_{j=K…1} w_j·(x[…, ρ(l−j), …] + x[…, ρ(l+j), …])
  ///
  /// — the sum grouped and ordered as SciPy's `correlate1d` sums a symmetric kernel — where
  /// ρ reflects an index into 0..<L (`reflectIndex`: …, x₁, x₀ | x₀, x₁, …, x_{L−1} |
  /// x_{L−1}, …). An axis with σ ≤ 1e-15 is left alone, as SciPy does.
  ///
  /// - Complexity: O(T·H·W·C·Σ_axes(K + 1)).
  @_specialize(where T == Float) @_specialize(where T == Double)
  package static func slicSmoothed<T: Real & BinaryFloatingPoint & Sendable>(
    _ stack: [T], extents: [Int], sigma: [Double]
  ) -> [T] {
    var x = stack
    for axis in 0..<3 where sigma[axis] > 1e-15 {
      let taps: [T] = scipyGaussianTaps(sigma: sigma[axis])
      let radius = taps.count / 2
      let length = extents[axis]
      let outer = extents[..<axis].reduce(1, *)
      let inner = extents[(axis + 1)...].reduce(1, *)
      var out = x
      for o in 0..<outer {
        for l in 0..<length {
          for i in 0..<inner {
            func at(_ m: Int) -> T { x[(o * length + reflectIndex(m, length: length)) * inner + i] }
            var sum = taps[radius] * at(l)
            for j in stride(from: radius, through: 1, by: -1) {
              sum += taps[radius + j] * (at(l - j) + at(l + j))
            }
            out[(o * length + l) * inner + i] = sum
          }
        }
      }
      x = out
    }
    return x
  }

  /// The 2K + 1 taps of SciPy's `gaussian_filter1d` (scipy/ndimage/_filters.py,
  /// `_gaussian_kernel1d` with truncate 4), index j + K for j = −K…K:
  ///
  ///     K = ⌊4σ + 0.5⌋,   e_j = exp(−0.5/σ² · j²),   w_j = e_j / Σ_i e_i
  ///
  /// (TorchRay's blur, `gaussianTaps`, uses K = ⌈4σ⌉ and zero padding instead.)
  package static func scipyGaussianTaps<T: Real & BinaryFloatingPoint & Sendable>(sigma: Double) -> [T] {
    let radius = Int(4 * sigma + 0.5)
    let coefficient = T(-0.5) / (T(sigma) * T(sigma))
    var e: [T] = []
    for j in -radius...radius { e.append(T.exp(coefficient * T(j * j))) }
    var total: T = 0
    for v in e { total += v }
    return e.map { $0 / total }
  }

  /// The index m reflected into 0..<L about the half-sample points −½ and L − ½, repeatedly
  /// (SciPy's `mode='reflect'`; the extension has period 2L).
  package static func reflectIndex(_ m: Int, length: Int) -> Int {
    let period = 2 * length
    let r = ((m % period) + period) % period
    return r < length ? r : period - 1 - r
  }
}
