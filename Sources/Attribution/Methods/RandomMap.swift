import Kernels
import Networks
import TensorCore

/// A map of independent uniform numbers in [0, 1), one per voxel: the baseline every method
/// must beat, and method 0 of Li-TCSVT's reliability measurement (a metric that ranks the random
/// map above real methods on many clips is unreliable).
///
/// Clip n draws from `SeededRNG(seed: seed).split(n)`, row-major over T×H×W, so its map does not
/// depend on the other clips or on the path (drawn in Double, rounded to the path's scalar). The
/// network is not run; the scores are the explained scores at x, as for every method.
///
/// - Complexity: O(N·T·H·W) draws and one forward pass per `batch` clips for the scores.
public struct RandomMap: AttributionMethod {
  public var seed: UInt64
  public var batch: Int

  public init(seed: UInt64 = 0, batch: Int = 8) {
    self.seed = seed
    self.batch = batch
  }

  public var name: String { "random" }
  public var parameters: [String: String] { ["seed": "\(seed)", "batch": "\(batch)"] }
  public var defaultPostProcessing: PostProcessing { PostProcessing(channels: .sum, normalization: .none) }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    guard x.rank == 5, x.shape[0] == targets.count else {
      throw AttributionError.inputShape(method: name, expected: "N×C×T×H×W with one target per clip", actual: x.shape)
    }
    let (n, t, h, w) = (x.shape[0], x.shape[2], x.shape[3], x.shape[4])
    let root = SeededRNG(seed: seed)
    var values: [Double] = []
    values.reserveCapacity(n * t * h * w)
    for clip in 0..<n {
      var rng = root.split(UInt64(clip))
      for _ in 0..<(t * h * w) { values.append(rng.uniform()) }
    }
    var scores: [Double] = []
    var start = 0
    while start < n {
      let r = start..<min(n, start + batch)
      scores += ScoreGradient.scores(network: network, input: x.clips(r), targets: Array(targets[r]), score: score)
      start = r.upperBound
    }
    return AttributionResult(map: ScalarBridge.tensor(values, shape: [n, 1, t, h, w]), scores: scores)
  }
}
