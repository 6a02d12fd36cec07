import CMicroKernels
import Dispatch

extension Fast {
  /// The machine's floating-point multiply-add peak in GFLOP/s, measured.
  ///
  /// Each of `threads` threads runs independent multiply-add chains at `isa`'s vector width
  /// (16 zmm chains at AVX-512, 12 ymm at AVX2, 32 scalar lanes of separate multiply and add
  /// in the portable C variant; enough chains to cover latency × FMA ports) for about
  /// `seconds`; the result is total operations (a multiply-add counts 2) over wall time,
  /// best of three runs. Benchmarks divide achieved GFLOP/s by it.
  ///
  /// - Complexity: about 4·`seconds` of wall time (a calibration run and three timed runs).
  public static func measureFMAPeak(isa: FastISA, threads: Int, seconds: Double = 0.2) -> Double {
    precondition(threads >= 1, "measureFMAPeak: threads \(threads) must be ≥ 1")
    let perIteration = vidattr_fma_peak_flops_per_iteration(isa.rawValue)
    return bestRate(seconds: seconds, start: 1 << 16, flopsPerIteration: perIteration * Double(threads)) { iterations in
      DispatchQueue.concurrentPerform(iterations: threads) { _ in
        blackHole(vidattr_fma_peak_run(isa.rawValue, iterations))
      }
    }
  }

  /// GFLOP/s of `run(iterations)` (which performs `flopsPerIteration` operations per
  /// iteration): the iteration count is calibrated to about `seconds` of wall time, starting
  /// from `start` and doubling, then the best of three timed runs is taken.
  static func bestRate(seconds: Double, start: Int, flopsPerIteration: Double, _ run: (Int) -> Void) -> Double {
    func timed(_ iterations: Int) -> Double {
      let begin = DispatchTime.now().uptimeNanoseconds
      run(iterations)
      return Double(DispatchTime.now().uptimeNanoseconds - begin) * 1e-9
    }
    var iterations = start
    while timed(iterations) < seconds / 8 && iterations < 1 << 40 { iterations *= 2 }
    iterations = max(1, Int(Double(iterations) * seconds / max(timed(iterations), 1e-9)))
    let best = (0..<3).map { _ in timed(iterations) }.min()!
    return flopsPerIteration * Double(iterations) / best * 1e-9
  }
}

/// Keeps a value alive so that the computation producing it is not removed.
@inline(never)
func blackHole(_ x: Float) {
  if x == .infinity { print("", terminator: "") }
}

extension Fast {
  /// The GEMM micro-kernels' own rate in GFLOP/s with every operand in L1: each of `threads`
  /// threads multiplies a 16×256 k-major A by a packed 256×32 B into a 16×32 C (16 + 32 + 2
  /// KiB; two register tiles of K_c = 256, the convolutions' block depth) with `vidattr_gemm`
  /// again and again for about `seconds`; total operations over wall time, best of three runs.
  ///
  /// No convolution can run faster than this: it is the register tile's rate without packing,
  /// cache misses or synchronisation. Next to `measureFMAPeak` it shows how much of the FMA
  /// peak the loads and stores of the micro-kernel itself cost — and on a shared machine, how
  /// much co-tenants take from a load-heavy loop, which an FMA-only loop does not show (the
  /// project's VM: 105 against 160 GFLOP/s per thread from one minute to the next, while the
  /// FMA loop stayed at 165–170).
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
