import TensorCore

extension Fast {
  /// Equals `Literal.subtract` exactly (one rounding per element either way).
  public static func subtract(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Tensor<Float> {
    precondition(
      a.shape == b.shape, "subtract: shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) differ")
    return zipLanes(a, b) { $0 - $1 }
  }

  /// Equals `Literal.positivePart` exactly.
  public static func positivePart(_ x: Tensor<Float>) -> Tensor<Float> {
    mapLanes(x) { v in v.replacing(with: SIMD16<Float>(repeating: 0), where: v .< 0) }
  }

  /// Equals `Literal.negativePart` exactly.
  public static func negativePart(_ x: Tensor<Float>) -> Tensor<Float> {
    mapLanes(x) { v in v.replacing(with: SIMD16<Float>(repeating: 0), where: v .> 0) }
  }

  /// Equals `Literal.divideOrZero` exactly.
  public static func divideOrZero(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Tensor<Float> {
    precondition(
      a.shape == b.shape, "divideOrZero: shapes \(Shape.describe(a.shape)) and \(Shape.describe(b.shape)) differ")
    return zipLanes(a, b) { x, y in (x / y).replacing(with: SIMD16<Float>(repeating: 0), where: y .== 0) }
  }

  /// Equals `Literal.stabilized` exactly.
  public static func stabilized(_ z: Tensor<Float>, epsilon: Float) -> Tensor<Float> {
    let e = SIMD16<Float>(repeating: epsilon)
    return mapLanes(z) { v in v + e.replacing(with: -e, where: v .< 0) }
  }

  /// Σ of all elements: sixteen running sums per block of 4096 elements, blocks added in
  /// order — a fixed order whatever the thread count. Equals `Literal.sum` within
  /// γ_n·Σ|x| (both are orderings of the same sum).
  public static func sum(_ x: Tensor<Float>) -> Float {
    x.withUnsafeBufferPointer { p in
      let n = p.count
      let block = 4096
      let blocks = (n + block - 1) / block
      var partial = [Float](repeating: 0, count: blocks)
      partial.withUnsafeMutableBufferPointer { out in
        let shared = UncheckedSendable((p, out))
        parallelFor(blocks) { b in
          let (p, out) = shared.value
          let lo = b * block, hi = min(n, lo + block)
          var acc = SIMD16<Float>(repeating: 0)
          var i = lo
          while i + 16 <= hi {
            acc += SIMD16<Float>(p[i..<(i + 16)])
            i += 16
          }
          var s = acc.sum()
          while i < hi {
            s += p[i]
            i += 1
          }
          out[b] = s
        }
      }
      var total: Float = 0
      for s in partial { total += s }
      return total
    }
  }

  // MARK: Elementwise drivers

  /// Applies `f` to 16 lanes at a time (a scalar tail padded into one vector), in parallel
  /// chunks for large tensors.
  @inline(__always)
  static func mapLanes(_ x: Tensor<Float>, _ f: (SIMD16<Float>) -> SIMD16<Float>) -> Tensor<Float> {
    var out = x
    let n = x.count
    out.withUnsafeMutableBufferPointer { o in
      x.withUnsafeBufferPointer { p in
        lanewiseChunks(n) { lo, hi in
          var i = lo
          while i + 16 <= hi {
            let v = f(SIMD16<Float>(p[i..<(i + 16)]))
            for k in 0..<16 { o[i + k] = v[k] }
            i += 16
          }
          if i < hi {
            var v = SIMD16<Float>(repeating: 0)
            for k in 0..<(hi - i) { v[k] = p[i + k] }
            let r = f(v)
            for k in 0..<(hi - i) { o[i + k] = r[k] }
          }
        }
      }
    }
    return out
  }

  @inline(__always)
  static func zipLanes(
    _ a: Tensor<Float>, _ b: Tensor<Float>, _ f: (SIMD16<Float>, SIMD16<Float>) -> SIMD16<Float>
  ) -> Tensor<Float> {
    var out = a
    let n = a.count
    out.withUnsafeMutableBufferPointer { o in
      a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
          lanewiseChunks(n) { lo, hi in
            var i = lo
            while i + 16 <= hi {
              let v = f(SIMD16<Float>(pa[i..<(i + 16)]), SIMD16<Float>(pb[i..<(i + 16)]))
              for k in 0..<16 { o[i + k] = v[k] }
              i += 16
            }
            if i < hi {
              var va = SIMD16<Float>(repeating: 1), vb = SIMD16<Float>(repeating: 1)
              for k in 0..<(hi - i) {
                va[k] = pa[i + k]
                vb[k] = pb[i + k]
              }
              let r = f(va, vb)
              for k in 0..<(hi - i) { o[i + k] = r[k] }
            }
          }
        }
      }
    }
    return out
  }

  /// Runs `body(lo, hi)` over 0..<n in chunks of 64 Ki elements (multiples of 16), in
  /// parallel when there is more than one chunk.
  @inline(__always)
  static func lanewiseChunks(_ n: Int, _ body: (Int, Int) -> Void) {
    let chunk = 1 << 16
    let chunks = (n + chunk - 1) / chunk
    if chunks <= 1 {
      body(0, n)
      return
    }
    withoutActuallyEscaping(body) { body in
      let shared = UncheckedSendable(body)
      parallelFor(chunks) { c in shared.value(c * chunk, min(n, (c + 1) * chunk)) }
    }
  }
}
