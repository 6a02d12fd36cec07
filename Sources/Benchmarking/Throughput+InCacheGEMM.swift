import CMicroKernels
import Dispatch
import Kernels

extension Throughput {
  /// The GEMM micro-kernels' own rate in GFLOP/s with every operand in L1: each of `threads`
  /// threads multiplies a 16×256 k-major A by a packed 256×32 B into a 16×32 C (16 + 32 + 2
  /// KiB; two register tiles of K_c = 256, the convolutions' block depth) with `vidattr_gemm`
  /// again and again for about `seconds`; total operations over wall time, best of three runs
  /// (`bestRate`).
  ///
  /// No convolution can run faster than this: it is the register tile's rate without packing,
  /// cache misses or synchronisation. Next to `measureFMAPeak` it shows how much of the FMA
  /// peak the loads and stores of the micro-kernel itself cost — and on a shared machine, how
  /// much co-tenants take from a load-heavy loop, which an FMA-only loop does not show
  /// (Benchmarks/README.md, "How the machine's noise looks").
  ///
  /// - Complexity: about 4·`seconds` of wall time.
  public static func measureInCacheGEMM(isa: FastISA, threads: Int, seconds: Double = 0.2) -> Double {
    precondition(threads >= 1, "measureInCacheGEMM: threads \(threads) must be ≥ 1")
    let (m, n, k) = (16, 32, 256)
    let nr = Int(vidattr_gemm_blocking_for(isa.rawValue).nr)
    let (aCount, bCount, cCount) = (m * k, k * ((n + nr - 1) / nr) * nr, m * n)
    // Each thread's operands, made before any timing: A k-major (A[i, k] = a[i + k·m], the
    // layout of packed panels), B packed, C.
    let stride = aCount + bCount + cCount
    let buffers = UnsafeMutablePointer<Float>.allocate(capacity: threads * stride)
    defer { buffers.deallocate() }
    for t in 0..<threads {
      let base = buffers + t * stride
      for i in 0..<aCount { base[i] = Float(i % 7) * 0.01 }
      for i in 0..<bCount { base[aCount + i] = Float(i % 5) * 0.01 }
      (base + aCount + bCount).initialize(repeating: 0, count: cCount)
    }
    let shared = UncheckedSendable(buffers)
    let rate = bestRate(seconds: seconds, start: 64, flopsPerIteration: 2.0 * Double(m * n * k * threads)) { calls in
      DispatchQueue.concurrentPerform(iterations: threads) { t in
        let (a, c) = (shared.value + t * stride, shared.value + t * stride + aCount + bCount)
        for _ in 0..<calls {
          vidattr_gemm(isa.rawValue, m, n, k, a, 1, m, a + aCount, k * nr, c, n, 1, 1, nil)
        }
      }
    }
    blackHole(buffers[aCount + bCount])
    return rate
  }
}
