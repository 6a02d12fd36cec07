import Kernels
import TensorCore

/// Splits work on N clips into passes of at most `batch` clips (to bound memory) and joins
/// the per-pass results along the first axis, in order.
public enum Batching {
  /// Runs `body` on consecutive groups of at most `batch` clips and concatenates the maps,
  /// scores and deltas.
  public static func run<S>(
    _ x: Tensor<S>, targets: [Int], batch: Int,
    _ body: (Tensor<S>, [Int]) throws -> AttributionResult<S>
  ) rethrows -> AttributionResult<S> {
    precondition(batch >= 1, "batch must be ≥ 1")
    let n = x.shape[0]
    var maps: [Tensor<S>] = [], scores: [Double] = [], deltas: [Double] = []
    var hasDelta = true
    var start = 0
    while start < n {
      let r = start..<min(n, start + batch)
      let part = try body(x.clips(r), Array(targets[r]))
      maps.append(part.map)
      scores += part.scores
      if let d = part.delta { deltas += d } else { hasDelta = false }
      start = r.upperBound
    }
    return AttributionResult(map: Tensor.concatenate(maps), scores: scores, delta: hasDelta ? deltas : nil)
  }
}
