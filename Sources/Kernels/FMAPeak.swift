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
    func run(_ iterations: Int) -> Double {
      let start = DispatchTime.now().uptimeNanoseconds
      DispatchQueue.concurrentPerform(iterations: threads) { _ in
        blackHole(vidattr_fma_peak_run(isa.rawValue, iterations))
      }
      return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }
    // Calibrate the iteration count to the requested duration, then take the best of three.
    var iterations = 1 << 16
    while run(iterations) < seconds / 8 && iterations < 1 << 40 { iterations *= 2 }
    iterations = Int(Double(iterations) * seconds / max(run(iterations), 1e-9))
    let best = (0..<3).map { _ in run(iterations) }.min()!
    return perIteration * Double(iterations) * Double(threads) / best * 1e-9
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
    let panels = (n + nr - 1) / nr
    func run(_ calls: Int) -> Double {
      let start = DispatchTime.now().uptimeNanoseconds
      DispatchQueue.concurrentPerform(iterations: threads) { _ in
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * panels * nr)
        var c = [Float](repeating: 0, count: m * n)
        for i in a.indices { a[i] = Float(i % 7) * 0.01 }
        for i in b.indices { b[i] = Float(i % 5) * 0.01 }
        a.withUnsafeBufferPointer { ap in
          b.withUnsafeBufferPointer { bp in
            c.withUnsafeMutableBufferPointer { cp in
              for _ in 0..<calls {
                // A k-major (A[i, k] = a[i + k·m]): the layout of packed panels.
                vidattr_gemm(
                  isa.rawValue, m, n, k, ap.baseAddress, 1, m, bp.baseAddress, k * nr, cp.baseAddress, n, 1, 1, nil)
              }
            }
          }
        }
        blackHole(c[0])
      }
      return Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
    }
    var calls = 64
    while run(calls) < seconds / 8 && calls < 1 << 30 { calls *= 2 }
    calls = Int(Double(calls) * seconds / max(run(calls), 1e-9))
    let best = (0..<3).map { _ in run(calls) }.min()!
    return 2.0 * Double(m * n * k) * Double(calls) * Double(threads) / best * 1e-9
  }
}
