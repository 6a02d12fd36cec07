import TensorCore

extension Fast {
  /// Equals `Literal.resizeNearest` (bit for bit: it only copies elements).
  ///
  /// The source indices of the three axes are tabulated once (PyTorch's Float32 `nearest_idx`,
  /// `Literal.pyTorchNearestSourceIndex`); each output row is a gather from one input row,
  /// a block copy when W′ = W, or a copy of the previous output row when two consecutive
  /// output rows read the same input row. N·C planes are split across threads when large.
  ///
  /// - Complexity: O(N·C·T′·H′·W′), memory-bound.
  public static func resizeNearest(_ x: Tensor<Float>, size: Size3) -> Tensor<Float> {
    precondition(
      x.rank == 5 && x.shape[2...].allSatisfy({ $0 >= 1 }),
      "resizeNearest: x \(Shape.describe(x.shape)) must be N×C×T×H×W with T, H, W ≥ 1")
    precondition(size.t >= 1 && size.h >= 1 && size.w >= 1, "resizeNearest: size \(size) must be ≥ 1 on every axis")
    let (n, c, ti, hi, wi) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
    let (to, ho, wo) = (size.t, size.h, size.w)
    let st = (0..<to).map { Literal.pyTorchNearestSourceIndex($0, input: ti, output: to) }
    let sh = (0..<ho).map { Literal.pyTorchNearestSourceIndex($0, input: hi, output: ho) }
    let sw = (0..<wo).map { Literal.pyTorchNearestSourceIndex($0, input: wi, output: wo) }
    let (planeIn, planeOut) = (ti * hi * wi, to * ho * wo)
    var out = [Float](repeating: 0, count: n * c * planeOut)
    if out.isEmpty { return Tensor(shape: [n, c, to, ho, wo], scalars: out) }
    x.withUnsafeBufferPointer { xb in
      out.withUnsafeMutableBufferPointer { ob in
        let (xp, op) = (UncheckedSendable(xb.baseAddress!), UncheckedSendable(ob.baseAddress!))
        forEachPlaneRange(planes: n * c, workPerPlane: planeOut) { planes in
          for p in planes {
            for t in 0..<to {
              for h in 0..<ho {
                let dst = op.value + p * planeOut + (t * ho + h) * wo
                if h > 0 && sh[h] == sh[h - 1] {
                  dst.update(from: dst - wo, count: wo)
                  continue
                }
                let src = xp.value + p * planeIn + (st[t] * hi + sh[h]) * wi
                if wo == wi {
                  dst.update(from: src, count: wi)
                } else {
                  for w in 0..<wo { dst[w] = src[sw[w]] }
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: [n, c, to, ho, wo], scalars: out)
  }
}
