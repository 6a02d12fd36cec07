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

  @Test("pool workers started inside flushing(_:) do not keep flushing afterwards")
  func workersStartedWhileFlushing() {
    // 16 threads: more than any other test asks for, so that (unless a concurrent test holds the
    // pool) new workers are started here, by a thread that is flushing; a new thread inherits
    // its creator's SSE control register, which the pool resets.
    let tiny: Float = 0x1p-130
    let n = 4096
    SubnormalFlushing.flushing {
      FastThreads.withCount(16) { _ = Self.products(n, tiny) }
    }
    let after = FastThreads.withCount(16) { Self.products(n, tiny) }
    #expect(after.allSatisfy { $0 == tiny }, "a worker started while flushing kept the flushing state")
  }

  /// x·1 for each of n indices of a parallel loop, each index long enough (a few microseconds)
  /// that every worker takes part.
  static func products(_ n: Int, _ x: Float) -> [Float] {
    var results = [Float](repeating: -1, count: n)
    results.withUnsafeMutableBufferPointer { r in
      let out = UncheckedSendable(r)
      parallelFor(n) { i in
        var v = product(x, 1)
        for _ in 0..<200 { v = product(v, 1) }
        out.value[i] = v
      }
    }
    return results
  }
}
