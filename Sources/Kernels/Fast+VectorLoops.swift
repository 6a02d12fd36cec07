/// Contiguous-vector loops shared by the fast kernels of this family, written with
/// `SIMD16<Float>` (four SSE registers on baseline x86-64) and a scalar tail.
enum FastVectorLoops {
  /// Σ a[k]·b[k] for k < count, with 16 lanes of partial sums added at the end.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var acc = SIMD16<Float>(repeating: 0)
    var k = 0
    while k + 16 <= count {
      let va = UnsafeRawPointer(a + k).loadUnaligned(as: SIMD16<Float>.self)
      let vb = UnsafeRawPointer(b + k).loadUnaligned(as: SIMD16<Float>.self)
      acc += va * vb
      k += 16
    }
    var sum = acc.sum()
    while k < count {
      sum += a[k] * b[k]
      k += 1
    }
    return sum
  }

  /// y[k] += alpha·x[k] for k < count.
  @inline(__always)
  static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    let va = SIMD16<Float>(repeating: alpha)
    var k = 0
    while k + 16 <= count {
      let vx = UnsafeRawPointer(x + k).loadUnaligned(as: SIMD16<Float>.self)
      let vy = UnsafeRawPointer(y + k).loadUnaligned(as: SIMD16<Float>.self)
      UnsafeMutableRawPointer(y + k).storeBytes(of: vy + va * vx, as: SIMD16<Float>.self)
      k += 16
    }
    while k < count {
      y[k] += alpha * x[k]
      k += 1
    }
  }
}
