import RealModule
import TensorCore

extension Fast {
  /// Equals `Literal.softmax`, within the bound derived in the tests (exp rounding amplified by
  /// |x − m|, plus the row sum and the division).
  ///
  /// Per row: the maximum in SIMD16 lanes; eᵏ = exp(x_k − m) by the C library's `expf` (scalar;
  /// glibc's is accurate to < 1 ulp); Σ e by `FastSlices.sum` (SIMD16 lane partial sums, a fixed
  /// order); y = e / Σ in SIMD16. Rows in parallel above 64 K elements; each row is one task, so
  /// the result does not depend on the thread count.
  /// - Complexity: O(|x|).
  public static func softmax(_ x: Tensor<Float>) -> Tensor<Float> {
    let K = softmaxRowLength("softmax", x.shape)
    if x.count == 0 { return x }
    let y = FastSlices.makeArray(x.count) { yp in
      x.withUnsafeBufferPointer { xb in
        let xp = xb.baseAddress!
        FastSlices.forEach(x.count / K, elements: x.count) { row in
          let xr = xp + row * K, yr = yp + row * K
          let (_, total) = FastSlices.shiftedExponentials(xr, into: yr, K)
          let sv = SIMD16<Float>(repeating: total)
          var k = 0
          while k + 16 <= K {
            FastSlices.store16(FastSlices.load16(yr, k) / sv, yr, k)
            k += 16
          }
          while k < K {
            yr[k] = yr[k] / sv[0]
            k += 1
          }
        }
      }
    }
    return Tensor(shape: x.shape, scalars: y)
  }

  /// Equals `Literal.softmaxBackward`: per row, Σ dy·y by `FastSlices.dot` (fixed order), then
  /// dx = y·(dy − Σ) in SIMD16; rows in parallel above 64 K elements.
  /// - Complexity: O(|y|).
  public static func softmaxBackward(_ dy: Tensor<Float>, output: Tensor<Float>) -> Tensor<Float> {
    let K = softmaxRowLength("softmaxBackward", output.shape)
    checkSoftmaxShapes("softmaxBackward", dy.shape, output.shape)
    if dy.count == 0 { return dy }
    let dx = FastSlices.makeArray(dy.count) { out in
      dy.withUnsafeBufferPointer { gb in
        output.withUnsafeBufferPointer { yb in
          let gp = gb.baseAddress!, yp = yb.baseAddress!
          FastSlices.forEach(dy.count / K, elements: dy.count) { row in
            let g = gp + row * K, y = yp + row * K, o = out + row * K
            let d = FastSlices.dot(g, y, K)
            let dv = SIMD16<Float>(repeating: d)
            var k = 0
            while k + 16 <= K {
              FastSlices.store16(FastSlices.load16(y, k) * (FastSlices.load16(g, k) - dv), o, k)
              k += 16
            }
            while k < K {
              o[k] = y[k] * (g[k] - d)
              k += 1
            }
          }
        }
      }
    }
    return Tensor(shape: dy.shape, scalars: dx)
  }

  /// Equals `Literal.logSoftmax`: per row, the maximum in SIMD16 lanes, Σ exp(x − m) (`expf`
  /// into the output row, then `FastSlices.sum`), y = (x − m) − log Σ in SIMD16; rows in
  /// parallel above 64 K elements.
  /// - Complexity: O(|x|).
  public static func logSoftmax(_ x: Tensor<Float>) -> Tensor<Float> {
    let K = softmaxRowLength("logSoftmax", x.shape)
    if x.count == 0 { return x }
    let y = FastSlices.makeArray(x.count) { yp in
      x.withUnsafeBufferPointer { xb in
        let xp = xb.baseAddress!
        FastSlices.forEach(x.count / K, elements: x.count) { row in
          let xr = xp + row * K, yr = yp + row * K
          let (m, total) = FastSlices.shiftedExponentials(xr, into: yr, K)
          let logSum = Float.log(total)
          let mv = SIMD16<Float>(repeating: m), lv = SIMD16<Float>(repeating: logSum)
          var k = 0
          while k + 16 <= K {
            FastSlices.store16((FastSlices.load16(xr, k) - mv) - lv, yr, k)
            k += 16
          }
          while k < K {
            yr[k] = (xr[k] - m) - logSum
            k += 1
          }
        }
      }
    }
    return Tensor(shape: x.shape, scalars: y)
  }

  /// Equals `Literal.logSoftmaxBackward`: per row, Σ dy by `FastSlices.sum` (fixed order), then
  /// dx = dy − exp(y)·Σ (`expf`, scalar); rows in parallel above 64 K elements.
  /// - Complexity: O(|y|).
  public static func logSoftmaxBackward(_ dy: Tensor<Float>, output: Tensor<Float>) -> Tensor<Float> {
    let K = softmaxRowLength("logSoftmaxBackward", output.shape)
    checkSoftmaxShapes("logSoftmaxBackward", dy.shape, output.shape)
    if dy.count == 0 { return dy }
    let dx = FastSlices.makeArray(dy.count) { out in
      dy.withUnsafeBufferPointer { gb in
        output.withUnsafeBufferPointer { yb in
          let gp = gb.baseAddress!, yp = yb.baseAddress!
          FastSlices.forEach(dy.count / K, elements: dy.count) { row in
            let g = gp + row * K, y = yp + row * K, o = out + row * K
            let s = FastSlices.sum(g, K)
            for k in 0..<K { o[k] = g[k] - Float.exp(y[k]) * s }
          }
        }
      }
    }
    return Tensor(shape: dy.shape, scalars: dx)
  }
}

extension FastSlices {
  /// The first pass of softmax and log-softmax over one row of n: m = max_k x[k], e[k] =
  /// exp(x[k] − m) into `e` (`expf`, scalar), and Σ_k e[k] by `sum` (fixed order).
  @inline(__always)
  static func shiftedExponentials(
    _ x: UnsafePointer<Float>, into e: UnsafeMutablePointer<Float>, _ n: Int
  ) -> (max: Float, sum: Float) {
    let m = rowMax(x, n)
    for k in 0..<n { e[k] = Float.exp(x[k] - m) }
    return (m, sum(UnsafePointer(e), n))
  }

  /// max_k p[k] (SIMD16 lanes, then the tail); NaN anywhere makes every later step NaN, as in
  /// the literal, whichever value this returns.
  @inline(__always)
  static func rowMax(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = -Float.infinity
    var k = 0
    if n >= 16 {
      var mv = SIMD16<Float>(repeating: -.infinity)
      while k + 16 <= n {
        mv = pointwiseMax(mv, FastSlices.load16(p, k))
        k += 16
      }
      m = mv.max()
    }
    while k < n {
      m = Swift.max(m, p[k])
      k += 1
    }
    return m
  }
}
