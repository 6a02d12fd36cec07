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
