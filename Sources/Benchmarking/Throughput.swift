import Dispatch

/// Measurements of what the machine can do, the denominators and ceilings of the benchmarks'
/// figures (`vidattr bench kernels`: `peak_fraction`, `in_cache_gemm_fraction`).
///
/// Timing lives here, outside the numerics: `Kernels` computes, `Benchmarking` times. Each
/// measurement runs its loop on `threads` threads at once for a calibrated number of
/// iterations (`bestRate`) and reports GFLOP/s, a multiply-add counting 2.
public enum Throughput {
  /// GFLOP/s of `run(iterations)`, which performs `flopsPerIteration` floating-point
  /// operations per iteration: the iteration count is calibrated to about `seconds` of wall
  /// time (from `start`, doubling until a run takes an eighth of `seconds`, then scaled),
  /// and the best (shortest) of three timed runs is taken.
  ///
  /// - Complexity: about 4·`seconds` of wall time (calibration runs and three timed runs).
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
