/// Temporary Float buffers for the fast kernels' packed panels, aligned to a cache line
/// (64 bytes, also the AVX-512 vector size) and freed when `body` returns.
@inline(__always)
func withScratch<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
  let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * MemoryLayout<Float>.stride, alignment: 64)
  defer { raw.deallocate() }
  return try body(raw.bindMemory(to: Float.self, capacity: max(count, 1)))
}

/// ⌈a / b⌉ for a ≥ 0, b > 0.
@inline(__always)
func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }

/// ⌊a / b⌋ for b > 0 (rounding toward −∞, unlike `/`).
@inline(__always)
func floorDiv(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }

/// An array of `count` Floats whose every element `body` writes.
@inline(__always)
func uninitializedFloats(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
  [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
    if count > 0 { body(buffer.baseAddress!) }
    initialized = count
  }
}
