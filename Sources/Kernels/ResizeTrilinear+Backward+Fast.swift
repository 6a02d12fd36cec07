import TensorCore

extension Fast {
  /// Equals `Literal.resizeTrilinearBackward`.
  ///
  /// The transpose of the separable forward, per N·C plane (planes split across threads when
  /// large): for each output t, each output row of dy is scattered into a W row with the W
  /// weights, that row is added into two rows of an H×W frame with the H weights
  /// (`SIMD16<Float>` axpy), and the frame into the two source frames with the T weights.
  ///
  /// - Complexity: O(N·C·T′·(H·W + H′·W + H′·W′)).
  public static func resizeTrilinearBackward(_ dy: Tensor<Float>, inputShape: [Int]) -> Tensor<Float> {
    precondition(
      dy.rank == 5 && inputShape.count == 5 && Array(dy.shape[0..<2]) == Array(inputShape[0..<2])
        && inputShape[2...].allSatisfy({ $0 >= 1 }),
      "resizeTrilinearBackward: dy \(Shape.describe(dy.shape)) and input \(Shape.describe(inputShape)) "
        + "must be N×C×T′×H′×W′ and N×C×T×H×W with T, H, W ≥ 1")
    let (n, c, ti, hi, wi) = (inputShape[0], inputShape[1], inputShape[2], inputShape[3], inputShape[4])
    let (to, ho, wo) = (dy.shape[2], dy.shape[3], dy.shape[4])
    let (at, ah, aw) = (
      FastLinearAxis(input: ti, output: to), FastLinearAxis(input: hi, output: ho),
      FastLinearAxis(input: wi, output: wo)
    )
    let (frameIn, planeIn, planeOut) = (hi * wi, ti * hi * wi, to * ho * wo)
    var dx = [Float](repeating: 0, count: n * c * planeIn)
    if dx.isEmpty || dy.count == 0 { return Tensor(shape: inputShape, scalars: dx) }
    dy.withUnsafeBufferPointer { yb in
      dx.withUnsafeMutableBufferPointer { xb in
        let (yp, xp) = (UncheckedSendable(yb.baseAddress!), UncheckedSendable(xb.baseAddress!))
        forEachPlaneRange(planes: n * c, workPerPlane: to * (frameIn + ho * wi + 2 * ho * wo)) { planes in
          let frame = UnsafeMutablePointer<Float>.allocate(capacity: frameIn)
          let row = UnsafeMutablePointer<Float>.allocate(capacity: wi)
          defer {
            frame.deallocate()
            row.deallocate()
          }
          for p in planes {
            let target = xp.value + p * planeIn
            for t in 0..<to {
              frame.update(repeating: 0, count: frameIn)
              for h in 0..<ho {
                row.update(repeating: 0, count: wi)
                let g = yp.value + p * planeOut + (t * ho + h) * wo
                for w in 0..<wo {
                  row[aw.i0[w]] += aw.lambda0[w] * g[w]
                  row[aw.i1[w]] += aw.lambda1[w] * g[w]
                }
                FastVectorLoops.axpy(ah.lambda0[h], row, frame + ah.i0[h] * wi, wi)
                FastVectorLoops.axpy(ah.lambda1[h], row, frame + ah.i1[h] * wi, wi)
              }
              FastVectorLoops.axpy(at.lambda0[t], frame, target + at.i0[t] * frameIn, frameIn)
              FastVectorLoops.axpy(at.lambda1[t], frame, target + at.i1[t] * frameIn, frameIn)
            }
          }
        }
      }
    }
    return Tensor(shape: inputShape, scalars: dx)
  }
}
