import TensorCore

extension Fast {
  /// Equals `Literal.temporalShift` (bit for bit: it only moves elements).
  ///
  /// Each (n, c) plane is T contiguous frames of H·W; a shifted channel copies frames
  /// 1..<T to 0..<T−1 (left) or 0..<T−1 to 1..<T (right) with one block copy and zeroes
  /// the vacated frame. Planes are split across threads when the tensor is large.
  ///
  /// - Complexity: O(N·C·T·H·W), memory-bound.
  public static func temporalShift(_ x: Tensor<Float>, foldDivisor: Int) -> Tensor<Float> {
    precondition(x.rank == 5, "temporalShift: x \(Shape.describe(x.shape)) must be N×C×T×H×W")
    precondition(foldDivisor >= 1, "temporalShift: foldDivisor \(foldDivisor) must be ≥ 1")
    return shiftFrames(x, fold: x.shape[1] / foldDivisor, leftFirst: true)
  }

  /// Equals `Literal.temporalShiftBackward` (bit for bit): the opposite shift, organised as
  /// `temporalShift`.
  ///
  /// - Complexity: O(N·C·T·H·W), memory-bound.
  public static func temporalShiftBackward(_ dy: Tensor<Float>, foldDivisor: Int) -> Tensor<Float> {
    precondition(dy.rank == 5, "temporalShiftBackward: dy \(Shape.describe(dy.shape)) must be N×C×T×H×W")
    precondition(foldDivisor >= 1, "temporalShiftBackward: foldDivisor \(foldDivisor) must be ≥ 1")
    return shiftFrames(dy, fold: dy.shape[1] / foldDivisor, leftFirst: false)
  }

  /// Channels [0, fold) shifted left (out[t] = x[t+1]) if `leftFirst`, else right
  /// (out[t] = x[t−1]); channels [fold, 2·fold) the other way; the rest copied.
  private static func shiftFrames(_ x: Tensor<Float>, fold: Int, leftFirst: Bool) -> Tensor<Float> {
    let (n, c, t) = (x.shape[0], x.shape[1], x.shape[2])
    let frame = x.shape[3] * x.shape[4]
    let plane = t * frame
    if x.count == 0 { return x }
    var out = [Float](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { src in
      out.withUnsafeMutableBufferPointer { dst in
        let s = UncheckedSendable(src.baseAddress!)
        let d = UncheckedSendable(dst.baseAddress!)
        forEachPlaneRange(planes: n * c, workPerPlane: plane) { planes in
          for p in planes {
            let channel = p % c
            let from = s.value + p * plane
            let to = d.value + p * plane
            let left: Bool
            if channel < fold {
              left = leftFirst
            } else if channel < 2 * fold {
              left = !leftFirst
            } else {
              to.update(from: from, count: plane)
              continue
            }
            // The vacated frame stays 0 from the initialisation.
            if t > 1 {
              if left {
                to.update(from: from + frame, count: plane - frame)
              } else {
                (to + frame).update(from: from, count: plane - frame)
              }
            }
          }
        }
      }
    }
    return Tensor(shape: x.shape, scalars: out)
  }
}
