import RealModule
import TensorCore

extension Literal {
  /// The temporal shift of TSM (Lin, Gan & Han, "TSM: Temporal Shift Module for Efficient
  /// Video Understanding", ICCV 2019), on an N×C×T×H×W tensor.
  ///
  /// With fold = ⌊C / foldDivisor⌋:
  ///
  ///     out[n, c, t, h, w] = x[n, c, t+1, h, w]   for 0 ≤ c < fold        ("shift left",  0 at t = T−1)
  ///     out[n, c, t, h, w] = x[n, c, t−1, h, w]   for fold ≤ c < 2·fold   ("shift right", 0 at t = 0)
  ///     out[n, c, t, h, w] = x[n, c, t, h, w]     for c ≥ 2·fold
  ///
  /// This is `TemporalShift.shift(x, n_segment, fold_div)` of the official code
  /// (mit-han-lab/temporal-shift-module, ops/temporal_shift.py:
  /// `out[:, :-1, :fold] = x[:, 1:, :fold]  # shift left`,
  /// `out[:, 1:, fold: 2 * fold] = x[:, :-1, fold: 2 * fold]  # shift right`), which views its
  /// (N·T)×C×H×W input as N×T×C×H×W; here T is axis 2 of N C T H W, the same shift. As in the
  /// Python slices, foldDivisor = 1 shifts every channel left and none right.
  ///
  /// - Precondition: `x` has rank 5 and `foldDivisor ≥ 1`.
  /// - Complexity: O(N·C·T·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func temporalShift<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, foldDivisor: Int
  ) -> Tensor<T> {
    precondition(x.rank == 5, "temporalShift: x \(Shape.describe(x.shape)) must be N×C×T×H×W")
    precondition(foldDivisor >= 1, "temporalShift: foldDivisor \(foldDivisor) must be ≥ 1")
    let (n, c, t, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
    let fold = c / foldDivisor
    // Flat row-major index of element (n, c, t, h, w).
    func at(_ ni: Int, _ ci: Int, _ ti: Int, _ hi: Int, _ wi: Int) -> Int {
      (((ni * c + ci) * t + ti) * h + hi) * w + wi
    }
    var out = Tensor<T>.zeros(x.shape)
    for ni in 0..<n {
      for ci in 0..<c {
        for ti in 0..<t {
          for hi in 0..<h {
            for wi in 0..<w {
              let source: Int?
              if ci < fold {
                source = ti + 1 < t ? ti + 1 : nil
              } else if ci < 2 * fold {
                source = ti >= 1 ? ti - 1 : nil
              } else {
                source = ti
              }
              if let s = source {
                out.scalars[at(ni, ci, ti, hi, wi)] = x.scalars[at(ni, ci, s, hi, wi)]
              }
            }
          }
        }
      }
    }
    return out
  }
}
