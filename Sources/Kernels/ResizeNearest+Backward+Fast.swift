import TensorCore

extension Fast {
  /// Equals `Literal.resizeNearestBackward`: the same scatter-add in the same scan order, in
  /// Float (rows with W′ = W are added as vectors); N·C planes are split across threads when
  /// large.
  ///
  /// - Complexity: O(N·C·(T′·H′·W′ + T·H·W)), memory-bound.
  public static func resizeNearestBackward(_ dy: Tensor<Float>, inputShape: [Int]) -> Tensor<Float> {
    precondition(
      dy.rank == 5 && inputShape.count == 5 && Array(dy.shape[0..<2]) == Array(inputShape[0..<2])
        && inputShape[2...].allSatisfy({ $0 >= 1 }),
      "resizeNearestBackward: dy \(Shape.describe(dy.shape)) and input \(Shape.describe(inputShape)) "
        + "must be N×C×T′×H′×W′ and N×C×T×H×W with T, H, W ≥ 1")
    let (n, c, ti, hi, wi) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3], inputShape[4])
    let (to, ho, wo) = (dy.shape[2], dy.shape[3], dy.shape[4])
    let st = (0..<to).map { Literal.pyTorchNearestSourceIndex($0, input: ti, output: to) }
    let sh = (0..<ho).map { Literal.pyTorchNearestSourceIndex($0, input: hi, output: ho) }
    let sw = (0..<wo).map { Literal.pyTorchNearestSourceIndex($0, input: wi, output: wo) }
    let (planeIn, planeOut) = (ti * hi * wi, to * ho * wo)
    var dx = [Float](repeating: 0, count: n * c * planeIn)
    if dx.isEmpty || dy.count == 0 { return Tensor(shape: inputShape, scalars: dx) }
    dy.withUnsafeBufferPointer { yb in
      dx.withUnsafeMutableBufferPointer { xb in
        let (yp, xp) = (UncheckedSendable(yb.baseAddress!), UncheckedSendable(xb.baseAddress!))
        forEachPlaneRange(planes: n * c, workPerPlane: planeOut) { planes in
          for p in planes {
            for t in 0..<to {
              for h in 0..<ho {
                let src = yp.value + p * planeOut + (t * ho + h) * wo
                let dst = xp.value + p * planeIn + (st[t] * hi + sh[h]) * wi
                if wo == wi {
                  FastVectorLoops.axpy(1, src, dst, wi)
                } else {
                  for w in 0..<wo { dst[sw[w]] += src[w] }
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: inputShape, scalars: dx)
  }
}
