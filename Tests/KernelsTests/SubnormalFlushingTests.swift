import Kernels
import Testing

@Suite("Subnormal flushing: scoped, on every worker thread, restored afterwards")
struct SubnormalFlushingTests {
  /// x·1 for a subnormal x: x itself in IEEE arithmetic, 0 with DAZ/FTZ.
  @inline(never)
  static func product(_ x: Float, _ y: Float) -> Float { x * y }

  @Test("inside flushing(_:) subnormals become zero, on the caller and in parallelFor; outside they stay")
  func scoped() {
    let tiny: Float = 0x1p-130
    #expect(Self.product(tiny, 1) == tiny)
    #if arch(x86_64)
      SubnormalFlushing.flushing {
        #expect(Self.product(tiny, 1) == 0)
        var results = [Float](repeating: -1, count: 64)
        results.withUnsafeMutableBufferPointer { r in
          let out = UncheckedSendable(r)
          parallelFor(64) { i in out.value[i] = Self.product(tiny, 1) }
        }
        #expect(results.allSatisfy { $0 == 0 })
        // Normal numbers are untouched.
        #expect(Self.product(0x1p-126, 1) == 0x1p-126)
      }
    #endif
    #expect(Self.product(tiny, 1) == tiny)
    var after = [Float](repeating: -1, count: 64)
    after.withUnsafeMutableBufferPointer { r in
      let out = UncheckedSendable(r)
      parallelFor(64) { i in out.value[i] = Self.product(tiny, 1) }
    }
    #expect(after.allSatisfy { $0 == tiny }, "worker threads kept the flushing state")
  }
}
