import TensorCore

extension Fast {
  /// Equals `Literal.relu` exactly (a selection, no rounding): SIMD16 lanes with
  /// `replacing(with: 0, where: x .<= 0)` — NaN compares false and so passes through — and a
  /// scalar tail; pieces of 16 K elements in parallel above 64 K elements.
  /// - Complexity: O(|x|).
  public static func relu(_ x: Tensor<Float>) -> Tensor<Float> {
    let n = x.count
    let y = FastSlices.makeArray(n) { out in
      x.withUnsafeBufferPointer { xb in
        let xp = xb.baseAddress!
        FastSlices.forEachRange(n) { r in
          var i = r.lowerBound
          while i + 16 <= r.upperBound {
            let v = FastSlices.load16(xp, i)
            FastSlices.store16(v.replacing(with: 0, where: v .<= 0), out, i)
            i += 16
          }
          while i < r.upperBound {
            out[i] = xp[i] <= 0 ? 0 : xp[i]
            i += 1
          }
        }
      }
    }
    return Tensor(shape: x.shape, scalars: y)
  }

  /// Equals `Literal.reluBackward` exactly: dx = dy where x > 0 (or NaN), else 0; SIMD16 with a
  /// scalar tail, pieces of 16 K elements in parallel above 64 K elements.
  /// - Complexity: O(|x|).
  public static func reluBackward(_ dy: Tensor<Float>, input: Tensor<Float>) -> Tensor<Float> {
    precondition(
      dy.shape == input.shape,
      "reluBackward: dy \(Shape.describe(dy.shape)) differs from input \(Shape.describe(input.shape))")
    let n = dy.count
    let dx = FastSlices.makeArray(n) { out in
      dy.withUnsafeBufferPointer { gb in
        input.withUnsafeBufferPointer { xb in
          let gp = gb.baseAddress!, xp = xb.baseAddress!
          FastSlices.forEachRange(n) { r in
            var i = r.lowerBound
            while i + 16 <= r.upperBound {
              let g = FastSlices.load16(gp, i)
              FastSlices.store16(g.replacing(with: 0, where: FastSlices.load16(xp, i) .<= 0), out, i)
              i += 16
            }
            while i < r.upperBound {
              out[i] = xp[i] <= 0 ? 0 : gp[i]
              i += 1
            }
          }
        }
      }
    }
    return Tensor(shape: dy.shape, scalars: dx)
  }
}
