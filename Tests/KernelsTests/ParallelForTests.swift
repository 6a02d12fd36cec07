import CMicroKernels
import Foundation
import Kernels
import Testing

/// `parallelFor` and the worker pool under it (CMicroKernels/thread_pool.c): every index runs
/// exactly once, whatever the thread count, when loops nest, and when several threads start
/// loops at the same time (the pool runs one loop at a time; the others fall back to
/// libdispatch).
@Suite("parallelFor: every index exactly once, nested and concurrent loops, the pool's busy signal")
struct ParallelForTests {
  /// Runs a loop of n indices that counts how often each index ran.
  static func counts(_ n: Int) -> [Int] {
    var counts = [Int](repeating: 0, count: n)
    counts.withUnsafeMutableBufferPointer { c in
      let out = UncheckedSendable(c)
      parallelFor(n) { i in out.value[i] += 1 }
    }
    return counts
  }

  @Test(
    "each index runs once for any loop length and thread count",
    arguments: [1, 2, 3, 8], [0, 1, 2, 3, 17, 1000])
  func once(threads: Int, n: Int) {
    let c = FastThreads.withCount(threads) { Self.counts(n) }
    #expect(c == [Int](repeating: 1, count: n))
  }

  @Test("loops nested in a loop's body complete, each inner index once")
  func nested() {
    let (outer, inner) = (6, 50)
    var counts = [Int](repeating: 0, count: outer * inner)
    FastThreads.withCount(2) {
      counts.withUnsafeMutableBufferPointer { c in
        let out = UncheckedSendable(c)
        parallelFor(outer) { o in
          parallelFor(inner) { i in out.value[o * inner + i] += 1 }
        }
      }
    }
    #expect(counts == [Int](repeating: 1, count: outer * inner))
  }

  @Test("loops started by several tasks at once all complete correctly")
  func concurrent() async {
    let results = await withTaskGroup(of: Bool.self) { group in
      for task in 0..<8 {
        group.addTask {
          (0..<20).allSatisfy { round in
            let n = 100 + 37 * task + round
            return FastThreads.withCount(2) { Self.counts(n) } == [Int](repeating: 1, count: n)
          }
        }
      }
      var all: [Bool] = []
      for await ok in group { all.append(ok) }
      return all
    }
    #expect(results == [Bool](repeating: true, count: 8))
  }

  /// What a nested `vidattr_pool_run` returned, as the outer loop's task records it.
  struct Probe {
    var nestedReturned: Int32 = -1
  }

  @Test("a pool loop started inside a pool loop reports the pool busy (0) and runs nothing")
  func busySignal() {
    var probe = Probe()
    // Tests running in parallel may hold the pool: try until the outer loop gets it (for up
    // to about 20 s).
    var done: Int32 = 0
    for attempt in 0..<20_000 {
      if done == 1 { break }
      if attempt > 0 { usleep(1000) }
      done = withUnsafeMutablePointer(to: &probe) { pointer in
        // Index 0, on whichever thread runs it, asks for the pool while the loop holds it.
        vidattr_pool_run(
          2, 2,
          { context, i in
            let probe = context!.assumingMemoryBound(to: Probe.self)
            if i == 0 {
              probe.pointee.nestedReturned = vidattr_pool_run(4, 2, { _, _ in fatalError("ran while busy") }, nil)
            }
          }, pointer)
      }
    }
    #expect(done == 1)
    #expect(probe.nestedReturned == 0)
  }
}
