import RealModule
import TensorCore

extension Literal {
  /// Vector-Jacobian product of `repeatInterleaveTime`: each input frame was copied to
  /// `factor` consecutive output frames, so it receives the sum of their cotangents.
  ///
  /// Shapes: dy N×C×(T·factor)×H×W → N×C×T×H×W.
  ///
  ///     dx[n, c, t, h, w] = Σ_{k < factor} dy[n, c, t·factor + k, h, w]
  ///
  /// - Precondition: `dy` has rank 5, `factor ≥ 1` and `factor` divides its T.
  /// - Complexity: O(N·C·T·factor·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func repeatInterleaveTimeBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, factor: Int
  ) -> Tensor<T> {
    precondition(
      dy.rank == 5 && factor >= 1 && dy.shape[2] % factor == 0,
      "repeatInterleaveTimeBackward: dy \(Shape.describe(dy.shape)) must be N×C×T′×H×W with T′ a multiple of "
        + "factor \(factor) ≥ 1")
    let (n, c, to, h, w) = (dy.shape[0], dy.shape[1], dy.shape[2], dy.shape[3], dy.shape[4])
    let t = to / factor
    var dx = Tensor<T>.zeros([n, c, t, h, w])
    for nn in 0..<n {
      for cc in 0..<c {
        for ti in 0..<t {
          for hi in 0..<h {
            for wi in 0..<w {
              var sum: T = 0
              for k in 0..<factor {
                sum += dy.scalars[(((nn * c + cc) * to + ti * factor + k) * h + hi) * w + wi]
              }
              dx.scalars[(((nn * c + cc) * t + ti) * h + hi) * w + wi] = sum
            }
          }
        }
      }
    }
    return dx
  }
}
