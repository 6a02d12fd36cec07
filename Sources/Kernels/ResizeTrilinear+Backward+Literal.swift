import RealModule
import TensorCore

extension Literal {
  /// Vector-Jacobian product of `resizeTrilinear` (PyTorch's
  /// `upsample_trilinear3d_backward`): every output scatters its cotangent onto its eight
  /// source elements with the forward weights,
  ///
  ///     dx[n, c, iᵀ_a(t), iᴴ_b(h), iᵂ_e(w)] += λᵀ_a(t)·λᴴ_b(h)·λᵂ_e(w)·dy[n, c, t, h, w]
  ///
  /// for every output (t, h, w) in scan order and a, b, e ∈ {0, 1}, with the indices and
  /// weights of `resizeTrilinear` (coinciding indices at a border receive both weights).
  ///
  /// - Parameters:
  ///   - dy: N×C×T′×H′×W′ cotangent; the output size is read from its shape.
  ///   - inputShape: N×C×T×H×W of the forward input.
  /// - Complexity: O(8·N·C·T′·H′·W′ + N·C·T·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func resizeTrilinearBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dy: Tensor<T>, inputShape: [Int]
  ) -> Tensor<T> {
    precondition(
      dy.rank == 5 && inputShape.count == 5 && Array(dy.shape[0..<2]) == Array(inputShape[0..<2])
        && inputShape[2...].allSatisfy({ $0 >= 1 }),
      "resizeTrilinearBackward: dy \(Shape.describe(dy.shape)) and input \(Shape.describe(inputShape)) "
        + "must be N×C×T′×H′×W′ and N×C×T×H×W with T, H, W ≥ 1")
    let (n, c, ti, hi, wi) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3], inputShape[4])
    let (to, ho, wo) = (dy.shape[2], dy.shape[3], dy.shape[4])
    var dx = Tensor<T>.zeros(inputShape)
    for nn in 0..<n {
      for cc in 0..<c {
        for t in 0..<to {
          for h in 0..<ho {
            for w in 0..<wo {
              let wt: LinearSourceWeights<T> = linearSourceWeights(t, input: ti, output: to)
              let wh: LinearSourceWeights<T> = linearSourceWeights(h, input: hi, output: ho)
              let ww: LinearSourceWeights<T> = linearSourceWeights(w, input: wi, output: wo)
              let g = dy.scalars[(((nn * c + cc) * to + t) * ho + h) * wo + w]
              for a in 0..<2 {
                let (it, lt) = wt.corner(a)
                for b in 0..<2 {
                  let (ih, lh) = wh.corner(b)
                  for e in 0..<2 {
                    let (iw, lw) = ww.corner(e)
                    let source = (((nn * c + cc) * ti + it) * hi + ih) * wi + iw
                    dx.scalars[source] += lt * lh * lw * g
                  }
                }
              }
            }
          }
        }
      }
    }
    return dx
  }
}
