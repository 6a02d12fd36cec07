import RealModule
import TensorCore

extension Literal {
  /// Repeats every frame `factor` times along T, `torch.repeat_interleave(x, factor, dim=2)`
  /// (how Grad-CAM maps of a temporally strided network are brought back to the clip's T).
  ///
  /// Shapes: x N×C×T×H×W → N×C×(T·factor)×H×W.
  ///
  ///     out[n, c, t·factor + k, h, w] = x[n, c, t, h, w]   for 0 ≤ k < factor
  ///
  /// - Precondition: `x` has rank 5 and `factor ≥ 1`.
  /// - Complexity: O(N·C·T·factor·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func repeatInterleaveTime<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, factor: Int
  ) -> Tensor<T> {
    precondition(x.rank == 5, "repeatInterleaveTime: x \(Shape.describe(x.shape)) must be N×C×T×H×W")
    precondition(factor >= 1, "repeatInterleaveTime: factor \(factor) must be ≥ 1")
    let (n, c, t, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
    let to = t * factor
    var out = Tensor<T>.zeros([n, c, to, h, w])
    for nn in 0..<n {
      for cc in 0..<c {
        for ti in 0..<t {
          for k in 0..<factor {
            for hi in 0..<h {
              for wi in 0..<w {
                out.scalars[(((nn * c + cc) * to + ti * factor + k) * h + hi) * w + wi] =
                  x.scalars[(((nn * c + cc) * t + ti) * h + hi) * w + wi]
              }
            }
          }
        }
      }
    }
    return out
  }
}
