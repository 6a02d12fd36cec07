/// Building blocks shared by the memory-bound `Fast` kernels (normalisation, activation,
/// pooling, dense layers, softmax, elementwise): unaligned SIMD loads and stores, a row sum in
/// a fixed order, and "parallel only when it pays".
///
/// Thread independence: every kernel built on these splits its work into slices whose
/// boundaries do not depend on the thread count (one channel, one N·C plane, one row), and
/// each slice's arithmetic is done by one thread in a fixed order. So `VIDATTR_THREADS=1` and
/// the default give bit-identical results.
enum FastSlices {
  /// Work below this many elements runs on the calling thread: starting threads costs more
  /// than these kernels (a few ns per element) save.
  static let parallelThreshold = 1 << 16

  /// Runs `body(i)` for i in 0..<count, on several threads when `elements` (the total work)
  /// exceeds `parallelThreshold`. `body` must write disjoint memory for distinct i.
  @inline(__always)
  static func forEach(_ count: Int, elements: Int, _ body: (Int) -> Void) {
    if elements > parallelThreshold && count > 1 {
      parallelFor(count, body)
    } else {
      for i in 0..<count { body(i) }
    }
  }

  /// Splits 0..<count into pieces of `grain` elements (the last shorter) — a partition fixed by
  /// `grain`, not by the thread count — and runs `body(range)` for each, in parallel when
  /// `count` exceeds `parallelThreshold`. For elementwise kernels.
  @inline(__always)
  static func forEachRange(_ count: Int, grain: Int = 1 << 14, _ body: (Range<Int>) -> Void) {
    let pieces = (count + grain - 1) / grain
    forEach(pieces, elements: count) { p in
      body((p * grain)..<min(count, (p + 1) * grain))
    }
  }

  @inline(__always)
  static func load16(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD16<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD16<Float>.self)
  }

  @inline(__always)
  static func load8(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD8<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD16<Float>.self)
  }

  @inline(__always)
  static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ i: Int) {
    UnsafeMutableRawPointer(p + i).storeBytes(of: v, as: SIMD8<Float>.self)
  }

  /// The eight values p[0], p[s], …, p[7s], reading no element outside p[0...7s]: one load for
  /// s = 1, two overlapping loads and an even/odd split for s = 2, a gather otherwise.
  @inline(__always)
  static func strided8(_ p: UnsafePointer<Float>, _ s: Int) -> SIMD8<Float> {
    switch s {
    case 1:
      return load8(p, 0)
    case 2:
      // p[0..<8] holds p[0], p[2], p[4], p[6] at even lanes; p[7..<15] holds p[8] … p[14] at odd lanes.
      return SIMD8(lowHalf: load8(p, 0).evenHalf, highHalf: load8(p, 7).oddHalf)
    default:
      return SIMD8(p[0], p[s], p[2 * s], p[3 * s], p[4 * s], p[5 * s], p[6 * s], p[7 * s])
    }
  }

  @inline(__always)
  static func load4(_ p: UnsafePointer<Float>, _ i: Int) -> SIMD4<Float> {
    UnsafeRawPointer(p + i).loadUnaligned(as: SIMD4<Float>.self)
  }

  /// The four values p[0], p[s], p[2s], p[3s], reading no element outside p[0...3s]: as
  /// `strided8` on four lanes (for s = 2: p[0..<4] holds p[0], p[2] at even lanes, p[3..<7]
  /// holds p[4], p[6] at odd lanes).
  @inline(__always)
  static func strided4(_ p: UnsafePointer<Float>, _ s: Int) -> SIMD4<Float> {
    switch s {
    case 1: return load4(p, 0)
    case 2: return SIMD4(lowHalf: load4(p, 0).evenHalf, highHalf: load4(p, 3).oddHalf)
    default: return SIMD4(p[0], p[s], p[2 * s], p[3 * s])
    }
  }

  /// Σ p[i] for i in 0..<n in a fixed order: 16 lane partial sums over whole blocks of 16, the
  /// lanes added by `SIMD16.sum()`, then the tail in index order.
  @inline(__always)
  static func sum(_ p: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>.zero
    var i = 0
    while i + 16 <= n {
      acc += load16(p, i)
      i += 16
    }
    var s = acc.sum()
    while i < n {
      s += p[i]
      i += 1
    }
    return s
  }

  /// Σ p[i]·q[i] for i in 0..<n in the fixed order of `sum`.
  @inline(__always)
  static func dot(_ p: UnsafePointer<Float>, _ q: UnsafePointer<Float>, _ n: Int) -> Float {
    var acc = SIMD16<Float>.zero
    var i = 0
    while i + 16 <= n {
      acc += load16(p, i) * load16(q, i)
      i += 16
    }
    var s = acc.sum()
    while i < n {
      s += p[i] * q[i]
      i += 1
    }
    return s
  }

  /// Allocates `count` Floats and lets `body` initialise every one of them.
  @inline(__always)
  static func makeArray(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
    [Float](unsafeUninitializedCapacity: count) { buffer, initialised in
      if count > 0 { body(buffer.baseAddress!) }
      initialised = count
    }
  }
}
