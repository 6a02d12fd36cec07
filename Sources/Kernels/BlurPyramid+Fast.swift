import TensorCore

extension Fast {
  /// Equals `Literal.blurPyramid`: each level by `Fast.gaussianBlurSpatial` (taps computed in
  /// Double and rounded once; SIMD and threads inside), copied into the N×L×C×T×H×W layout;
  /// the last level is x, copied bit for bit.
  ///
  /// - Complexity: O(L·|x|·(min(2K+1, H) + min(2K+1, W + 15))), K = ⌈4·maxSigma⌉.
  public static func blurPyramid(_ x: Tensor<Float>, levels: Int = 8, maxSigma: Double = 20) -> Tensor<Float> {
    let sigmas = Literal.blurPyramidSigmas(levels: levels, maxSigma: maxSigma)
    precondition(x.rank == 5, "blurPyramid: x \(Shape.describe(x.shape)) must be N×C×T×H×W")
    let (n, clip) = (x.shape[0], x.count / max(x.shape[0], 1))
    var out = [Float](repeating: 0, count: x.count * levels)
    for l in 0..<levels {
      let level = l == levels - 1 ? x : gaussianBlurSpatial(x, sigma: sigmas[l])
      level.withUnsafeBufferPointer { lb in
        out.withUnsafeMutableBufferPointer { ob in
          for i in 0..<n {
            (ob.baseAddress! + (i * levels + l) * clip).update(from: lb.baseAddress! + i * clip, count: clip)
          }
        }
      }
    }
    return Tensor(shape: [n, levels] + Array(x.shape[1...]), scalars: out)
  }
}
