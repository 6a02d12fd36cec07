import TensorCore

extension Fast {
  /// Equals `Literal.add` exactly in Float (one rounding per element, as the literal run in
  /// Float): SIMD16 with a scalar tail, pieces of 16 K elements in parallel above 64 K.
  /// - Complexity: O(|a|).
  public static func add(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Tensor<Float> {
    checkElementwiseShapes("add", a.shape, b.shape)
    return Tensor(shape: a.shape, scalars: FastSlices.binaryElementwise(a, b, { $0 + $1 }, { $0 + $1 }))
  }

  /// Equals `Literal.multiply` exactly in Float, organised as `add`.
  /// - Complexity: O(|a|).
  public static func multiply(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Tensor<Float> {
    checkElementwiseShapes("multiply", a.shape, b.shape)
    return Tensor(shape: a.shape, scalars: FastSlices.binaryElementwise(a, b, { $0 * $1 }, { $0 * $1 }))
  }

  /// Equals `Literal.scale` exactly in Float, organised as `add`.
  /// - Complexity: O(|x|).
  public static func scale(_ x: Tensor<Float>, by s: Float) -> Tensor<Float> {
    let sv = SIMD16<Float>(repeating: s)
    return Tensor(shape: x.shape, scalars: FastSlices.binaryElementwise(x, x, { v, _ in sv * v }, { v, _ in s * v }))
  }

  /// Equals `Literal.addScaled` exactly in Float (the product rounded, then the sum; Swift does
  /// not contract a + s·b into a fused multiply-add), organised as `add`.
  /// - Complexity: O(|a|).
  public static func addScaled(_ a: Tensor<Float>, _ b: Tensor<Float>, scale s: Float) -> Tensor<Float> {
    checkElementwiseShapes("addScaled", a.shape, b.shape)
    let sv = SIMD16<Float>(repeating: s)
    return Tensor(shape: a.shape, scalars: FastSlices.binaryElementwise(a, b, { $0 + sv * $1 }, { $0 + s * $1 }))
  }
}

extension FastSlices {
  /// c_i = f(a_i, b_i): `vector` on SIMD16 blocks, `scalar` on the tail of each piece; pieces of
  /// 16 K elements in parallel above 64 K elements.
  @inline(__always)
  static func binaryElementwise(
    _ a: Tensor<Float>, _ b: Tensor<Float>, _ vector: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>,
    _ scalar: (Float, Float) -> Float
  ) -> [Float] {
    let n = a.count
    return FastSlices.makeArray(n) { out in
      a.withUnsafeBufferPointer { ab in
        b.withUnsafeBufferPointer { bb in
          let ap = ab.baseAddress!, bp = bb.baseAddress!
          FastSlices.forEachRange(n) { r in
            var i = r.lowerBound
            while i + 16 <= r.upperBound {
              FastSlices.store16(vector(FastSlices.load16(ap, i), FastSlices.load16(bp, i)), out, i)
              i += 16
            }
            while i < r.upperBound {
              out[i] = scalar(ap[i], bp[i])
              i += 1
            }
          }
        }
      }
    }
  }
}
