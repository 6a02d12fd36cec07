import RealModule
import TensorCore

extension Literal {
  /// Vector-Jacobian product of `resizeNearest`: each output copied one input element, so
  /// the cotangents are added back onto their sources (PyTorch's
  /// `upsample_nearest3d_backward`):
  ///
  ///     dx[n, c, s_T(t), s_H(h), s_W(w)] += dy[n, c, t, h, w]   for every output (t, h, w)
  ///
  /// with the source indices s of `resizeNearest`, accumulated in scan order (t, h, w
  /// ascending).
  ///
  /// - Parameters:
  ///   - dy: N×C×T′×H′×W′ cotangent; the output size is read from its shape.
  ///   - inputShape: N×C×T×H×W of the forward input.
  /// - Complexity: O(N·C·(T′·H′·W′ + T·H·W)).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func resizeNearestBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, inputShape: [Int]
  ) -> Tensor<T> {
    precondition(
      dy.rank == 5 && inputShape.count == 5 && Array(dy.shape[0..<2]) == Array(inputShape[0..<2])
        && inputShape[2...].allSatisfy({ $0 >= 1 }),
      "resizeNearestBackward: dy \(Shape.describe(dy.shape)) and input \(Shape.describe(inputShape)) "
        + "must be N×C×T′×H′×W′ and N×C×T×H×W with T, H, W ≥ 1")
    let (n, c, ti, hi, wi) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3], inputShape[4])
    let (to, ho, wo) = (dy.shape[2], dy.shape[3], dy.shape[4])
    var dx = Tensor<T>.zeros(inputShape)
    for nn in 0..<n {
      for cc in 0..<c {
        for t in 0..<to {
          for h in 0..<ho {
            for w in 0..<wo {
              let st = pyTorchNearestSourceIndex(t, input: ti, output: to)
              let sh = pyTorchNearestSourceIndex(h, input: hi, output: ho)
              let sw = pyTorchNearestSourceIndex(w, input: wi, output: wo)
              dx.scalars[(((nn * c + cc) * ti + st) * hi + sh) * wi + sw] +=
                dy.scalars[(((nn * c + cc) * to + t) * ho + h) * wo + w]
            }
          }
        }
      }
    }
    return dx
  }
}
