import CMicroKernels
import Dispatch
import Kernels

extension Throughput {
  /// The machine's floating-point multiply-add peak in GFLOP/s, measured.
  ///
  /// Each of `threads` threads runs `vidattr_fma_peak_run` (Sources/CMicroKernels/fma_peak.c):
  /// independent multiply-add chains at `isa`'s vector width (16 zmm chains at AVX-512, 12 ymm
  /// at AVX2, 32 scalar lanes of separate multiply and add in the portable C variant; enough
  /// chains to cover latency × FMA ports) for about `seconds`; the result is total operations
  /// (a multiply-add counts 2) over wall time, best of three runs (`bestRate`). Benchmarks
  /// divide achieved GFLOP/s by it.
  ///
  /// - Complexity: about 4·`seconds` of wall time (calibration runs and three timed runs).
  public static func measureFMAPeak(isa: FastISA, threads: Int, seconds: Double = 0.2) -> Double {
    precondition(threads >= 1, "measureFMAPeak: threads \(threads) must be ≥ 1")
    let perIteration = vidattr_fma_peak_flops_per_iteration(isa.rawValue)
    return bestRate(seconds: seconds, start: 1 << 16, flopsPerIteration: perIteration * Double(threads)) { iterations in
      DispatchQueue.concurrentPerform(iterations: threads) { _ in
        blackHole(vidattr_fma_peak_run(isa.rawValue, iterations))
      }
    }
  }
}
