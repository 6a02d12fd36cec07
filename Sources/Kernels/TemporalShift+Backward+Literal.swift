import RealModule
import TensorCore

extension Literal {
  /// Vector-Jacobian product of `temporalShift`: the opposite shift of the cotangent.
  ///
  /// `temporalShift` copies x[t+1] to out[t] for c < fold and x[t−1] to out[t] for
  /// fold ≤ c < 2·fold, so each input element receives the cotangent of the one output it was
  /// copied to:
  ///
  ///     dx[n, c, t, h, w] = dy[n, c, t−1, h, w]   for 0 ≤ c < fold        (0 at t = 0)
  ///     dx[n, c, t, h, w] = dy[n, c, t+1, h, w]   for fold ≤ c < 2·fold   (0 at t = T−1)
  ///     dx[n, c, t, h, w] = dy[n, c, t, h, w]     for c ≥ 2·fold
  ///
  /// as `InplaceShift.backward` of the official code (mit-han-lab/temporal-shift-module,
  /// ops/temporal_shift.py: `buffer[:, 1:] = grad_output.data[:, :-1, :fold]`,
  /// `buffer[:, :-1] = grad_output.data[:, 1:, fold: 2 * fold]`).
  ///
  /// - Precondition: `dy` has rank 5 and `foldDivisor ≥ 1`.
  /// - Complexity: O(N·C·T·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func temporalShiftBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, foldDivisor: Int
  ) -> Tensor<T> {
    precondition(dy.rank == 5, "temporalShiftBackward: dy \(Shape.describe(dy.shape)) must be N×C×T×H×W")
    precondition(foldDivisor >= 1, "temporalShiftBackward: foldDivisor \(foldDivisor) must be ≥ 1")
    let (n, c, t, h, w) = (dy.shape[0], dy.shape[1], dy.shape[2], dy.shape[3], dy.shape[4])
    let fold = c / foldDivisor
    // Flat row-major index of element (n, c, t, h, w).
    func at(_ ni: Int, _ ci: Int, _ ti: Int, _ hi: Int, _ wi: Int) -> Int {
      (((ni * c + ci) * t + ti) * h + hi) * w + wi
    }
    var dx = Tensor<T>.zeros(dy.shape)
    for ni in 0..<n {
      for ci in 0..<c {
        for ti in 0..<t {
          for hi in 0..<h {
            for wi in 0..<w {
              let source: Int?
              if ci < fold {
                source = ti >= 1 ? ti - 1 : nil
              } else if ci < 2 * fold {
                source = ti + 1 < t ? ti + 1 : nil
              } else {
                source = ti
              }
              if let s = source {
                dx.scalars[at(ni, ci, ti, hi, wi)] = dy.scalars[at(ni, ci, s, hi, wi)]
              }
            }
          }
        }
      }
    }
    return dx
  }
}
