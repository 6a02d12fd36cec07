import RealModule
import TensorCore

extension Literal {
  /// The stack rescaled to [0, 1] by its global extremes, as scikit-image's `slic` does before
  /// anything else (so that compactness means the same for every input scale):
  ///
  ///     x′ = (x − min) / (max − min)     (x′ = x − min when max = min)
  ///
  /// with min and max over every voxel and channel together — one affine map for the whole
  /// clip, not one per channel.
  ///
  /// - Complexity: O(n).
  @_specialize(where T == Float) @_specialize(where T == Double)
  package static func slicRescaled<T: Real & BinaryFloatingPoint & Sendable>(_ x: [T]) -> [T] {
    var low = x[0], high = x[0]
    for v in x {
      low = min(low, v)
      high = max(high, v)
    }
    var out = x
    for i in out.indices {
      out[i] = out[i] - low
      if high != low { out[i] = out[i] / (high - low) }
    }
    return out
  }

  /// CIE 1976 L*a*b* of an sRGB colour with components in [0, 1], D65 white, 2° observer,
  /// with the constants of scikit-image's `rgb2lab` (skimage/color/colorconv.py: `rgb2xyz`,
  /// `xyz2lab`):
  ///
  ///     c_lin = ((c + 0.055)/1.055)^2.4 if c > 0.04045, else c/12.92          (sRGB, IEC 61966-2-1)
  ///     X = 0.412453·R + 0.357580·G + 0.180423·B
  ///     Y = 0.212671·R + 0.715160·G + 0.072169·B                               (sRGB primaries)
  ///     Z = 0.019334·R + 0.119193·G + 0.950227·B
  ///     f(q) = q^(1/3) if q > 0.008856, else 7.787·q + 16/116
  ///     L* = 116·f(Y) − 16,  a* = 500·(f(X/0.95047) − f(Y)),  b* = 200·(f(Y) − f(Z/1.08883))
  ///
  /// (0.008856 and 7.787 are the CIE's (6/29)³ and (29/6)²/3 rounded, as in scikit-image.)
  /// L* ∈ [0, 100]; a*, b* within about ±128.
  ///
  /// - Complexity: O(1): three powers and three cube roots.
  @_specialize(where T == Float) @_specialize(where T == Double)
  package static func srgbToLab<T: Real & BinaryFloatingPoint & Sendable>(_ r: T, _ g: T, _ b: T) -> (T, T, T) {
    func linear(_ c: T) -> T { c > T(0.04045) ? T.pow((c + T(0.055)) / T(1.055), T(2.4)) : c / T(12.92) }
    let (rl, gl, bl) = (linear(r), linear(g), linear(b))
    let x = T(0.412453) * rl + T(0.357580) * gl + T(0.180423) * bl
    let y = T(0.212671) * rl + T(0.715160) * gl + T(0.072169) * bl
    let z = T(0.019334) * rl + T(0.119193) * gl + T(0.950227) * bl
    func f(_ q: T) -> T { q > T(0.008856) ? T.root(q, 3) : T(7.787) * q + T(16.0 / 116.0) }
    let (fx, fy, fz) = (f(x / T(0.95047)), f(y / T(1.0)), f(z / T(1.08883)))
    return (T(116) * fy - T(16), T(500) * (fx - fy), T(200) * (fy - fz))
  }
}
