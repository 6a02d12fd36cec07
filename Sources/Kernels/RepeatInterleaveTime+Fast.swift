import TensorCore

extension Fast {
  /// Equals `Literal.repeatInterleaveTime` (bit for bit: it only copies elements).
  ///
  /// Each H×W frame is block-copied `factor` times; N·C planes are split across threads when
  /// large.
  ///
  /// - Complexity: O(N·C·T·factor·H·W), memory-bound.
  public static func repeatInterleaveTime(_ x: Tensor<Float>, factor: Int) -> Tensor<Float> {
    precondition(x.rank == 5, "repeatInterleaveTime: x \(Shape.describe(x.shape)) must be N×C×T×H×W")
    precondition(factor >= 1, "repeatInterleaveTime: factor \(factor) must be ≥ 1")
    let (n, c, t, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
    let frame = h * w
    var out = [Float](repeating: 0, count: x.count * factor)
    if out.isEmpty { return Tensor(shape: [n, c, t * factor, h, w], scalars: out) }
    x.withUnsafeBufferPointer { xb in
      out.withUnsafeMutableBufferPointer { ob in
        let (xp, op) = (UncheckedSendable(xb.baseAddress!), UncheckedSendable(ob.baseAddress!))
        forEachPlaneRange(planes: n * c * t, workPerPlane: frame * factor) { frames in
          for f in frames {
            for k in 0..<factor {
              (op.value + (f * factor + k) * frame).update(from: xp.value + f * frame, count: frame)
            }
          }
        }
      }
    }
    return Tensor(shape: [n, c, t * factor, h, w], scalars: out)
  }
}
