import TensorCore

extension Fast {
  /// Equals `Literal.flipWidth` bit for bit (a permutation): each row of W values reversed,
  /// rows split across threads when large. Its own vector-Jacobian product.
  ///
  /// - Complexity: O(|x|), memory-bound.
  public static func flipWidth(_ x: Tensor<Float>) -> Tensor<Float> {
    precondition(x.rank >= 1, "flipWidth: x \(Shape.describe(x.shape)) has no axis to flip")
    let w = x.shape[x.rank - 1]
    if w == 0 || x.count == 0 { return x }
    let rows = x.count / w
    let out = uninitializedFloats(x.count) { op in
      let o = UncheckedSendable(op)
      x.withUnsafeBufferPointer { xb in
        let p = UncheckedSendable(xb.baseAddress!)
        forEachPlaneRange(planes: rows, workPerPlane: w) { range in
          for r in range {
            let (source, target) = (p.value + r * w, o.value + r * w)
            for i in 0..<w { target[i] = source[w - 1 - i] }
          }
        }
      }
    }
    return Tensor(shape: x.shape, scalars: out)
  }
}
