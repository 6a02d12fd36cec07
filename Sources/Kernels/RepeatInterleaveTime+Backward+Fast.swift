import TensorCore

extension Fast {
  /// Equals `Literal.repeatInterleaveTimeBackward`: each input frame is the sum of its
  /// `factor` output frames, added in the same order (k ascending) with `SIMD16<Float>`;
  /// frames are split across threads when large.
  ///
  /// - Complexity: O(N·C·T·factor·H·W), memory-bound.
  public static func repeatInterleaveTimeBackward(_ dy: Tensor<Float>, factor: Int) -> Tensor<Float> {
    precondition(
      dy.rank == 5 && factor >= 1 && dy.shape[2] % factor == 0,
      "repeatInterleaveTimeBackward: dy \(Shape.describe(dy.shape)) must be N×C×T′×H×W with T′ a multiple of "
        + "factor \(factor) ≥ 1")
    let (n, c, to, h, w) = (dy.shape[0], dy.shape[1], dy.shape[2], dy.shape[3], dy.shape[4])
    let t = to / factor
    let frame = h * w
    var dx = [Float](repeating: 0, count: n * c * t * frame)
    if dx.isEmpty { return Tensor(shape: [n, c, t, h, w], scalars: dx) }
    dy.withUnsafeBufferPointer { yb in
      dx.withUnsafeMutableBufferPointer { xb in
        let (yp, xp) = (UncheckedSendable(yb.baseAddress!), UncheckedSendable(xb.baseAddress!))
        forEachPlaneRange(planes: n * c * t, workPerPlane: frame * factor) { frames in
          for f in frames {
            for k in 0..<factor {
              FastVectorLoops.axpy(1, yp.value + (f * factor + k) * frame, xp.value + f * frame, frame)
            }
          }
        }
      }
    }
    return Tensor(shape: [n, c, t, h, w], scalars: dx)
  }
}
