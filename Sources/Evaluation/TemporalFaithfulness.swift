import Attribution
import Kernels
import Networks
import RealModule
import TensorCore

/// Temporal faithfulness (Li et al.'s `Faithfulness.calculate`): does the attribution a map puts
/// on each frame follow how much the network needs that frame?
///
/// For a clip x with target c: the drop d_t = p_c(x) − p_c(x with frame t replaced by the base),
/// one frame at a time (`PerturbationBase`, fade by default: the papers' setting), and the frame
/// attribution A_t = Σ_{h,w} a[t, h, w] of the prepared map; the score is their Pearson
/// correlation over t,
///
///     ρ = Σ_t (d_t − d̄)(A_t − Ā) / √(Σ_t (d_t − d̄)² · Σ_t (A_t − Ā)²)   ∈ [−1, 1]
///
/// undefined (nil) when either side does not vary (T = 1, a map with equal frame masses, a
/// network that ignores every frame alike). Li et al. pool the map with a mean over each frame
/// (a 112×112 average pool); Pearson's ρ does not change under scaling, so mean and sum agree.
/// Their `calulate_pearson` centres d and A with means over the **whole batch** of clips, not
/// per clip, which changes ρ whenever more than one clip is scored at once; here every clip is
/// centred on its own means.
///
/// The T faded clips (and x itself) go through the network `batch` at a time on the backend's
/// path, so the literal path (Double) checks the fast one (Float).
public struct TemporalFaithfulness: Sendable, Hashable {
  public var base: PerturbationBase
  public var batch: Int
  public var score: ExplainedScore

  public init(base: PerturbationBase = .fade, batch: Int = 8, score: ExplainedScore = .probability) {
    self.base = base
    self.batch = batch
    self.score = score
  }

  /// One clip's outcome.
  public struct Clip: Sendable, Codable, Equatable {
    public var target: Int
    /// p_c(x).
    public var score: Double
    /// d_t, t = 0 … T − 1.
    public var drops: [Double]
    /// A_t, t = 0 … T − 1.
    public var frameAttribution: [Double]
    /// ρ(d, A), or nil.
    public var correlation: Double?
  }

  /// The correlation for every clip.
  /// - Parameters:
  ///   - clips: N×C×T×H×W, normalised.
  ///   - targets: N classes.
  ///   - maps: N×1×T×H×W prepared maps.
  ///   - progress: called after every network pass with the clips scored so far (of N·(T + 1)).
  /// - Throws: `MetricError` for a batch below 1, targets or maps that do not fit (before any
  ///   network pass); `TensorError` when the clips do not fit the network.
  /// - Complexity: N·(T + 1) forward passes in ⌈(T + 1)/batch⌉ calls per clip.
  public func evaluate<B: KernelBackend>(
    network: Network<B>, clips: Tensor<B.Scalar>, targets: [Int], maps: Tensor<Double>,
    progress: ((Int) -> Void)? = nil
  ) throws -> [Clip] {
    guard batch >= 1 else {
      throw MetricError.invalidSetting(name: "batch", value: "\(batch)", expected: "an integer ≥ 1")
    }
    try network.validate(inputShape: clips.shape)
    let (n, t) = (clips.shape[0], clips.shape[2])
    try InsertionDeletion.checkTargets(targets, clips: n, classes: network.classes)
    guard maps.shape == [n, 1] + Array(clips.shape[2...]) else {
      throw MetricError.mapShape(expected: Shape.describe([n, 1] + Array(clips.shape[2...])), actual: maps.shape)
    }
    let bases = base.make(clips, backend: B.self)
    var done = 0
    var results: [Clip] = []
    for i in 0..<n {
      let (x, b) = (clips.clips(i..<(i + 1)), bases.clips(i..<(i + 1)))
      // Item 0 is x itself, item 1 + f the clip with frame f faded.
      var scores: [Double] = []
      var start = 0
      while start <= t {
        let items = Array(start...min(t, start + batch - 1))
        let z = Tensor.concatenate(items.map { $0 == 0 ? x : Self.fading(x, frame: $0 - 1, base: b) })
        scores += ScoreGradient.scores(
          network: network, input: z, targets: Array(repeating: targets[i], count: items.count), score: score)
        done += items.count
        progress?(done)
        start += items.count
      }
      let drops = scores.dropFirst().map { scores[0] - $0 }
      let attribution = TemporalPointingGame.frameMasses(maps, clip: i)
      results.append(
        Clip(
          target: targets[i], score: scores[0], drops: drops, frameAttribution: attribution,
          correlation: Self.pearson(drops, attribution)))
    }
    return results
  }

  /// x (1×C×T×H×W) with frame `frame` of every channel replaced by the base's.
  package static func fading<S>(_ x: Tensor<S>, frame: Int, base: Tensor<S>) -> Tensor<S> {
    let (c, t, plane) = (x.shape[1], x.shape[2], x.shape[3] * x.shape[4])
    var z = x
    for channel in 0..<c {
      let range = ((channel * t + frame) * plane)..<((channel * t + frame + 1) * plane)
      z.scalars.replaceSubrange(range, with: base.scalars[range])
    }
    return z
  }

  /// Pearson's correlation of two equally long series, each centred on its own mean; nil when
  /// either has zero variance (or fewer than two points).
  /// - Complexity: O(T).
  public static func pearson(_ a: [Double], _ b: [Double]) -> Double? {
    precondition(a.count == b.count, "pearson: \(a.count) and \(b.count) values")
    guard a.count >= 2 else { return nil }
    let count = Double(a.count)
    var meanA = 0.0, meanB = 0.0
    for (x, y) in zip(a, b) {
      meanA += x
      meanB += y
    }
    meanA /= count
    meanB /= count
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for (x, y) in zip(a, b) {
      sab += (x - meanA) * (y - meanB)
      saa += (x - meanA) * (x - meanA)
      sbb += (y - meanB) * (y - meanB)
    }
    guard saa > 0, sbb > 0 else { return nil }
    // Rounding can carry |ρ| a few ulps past 1; the definition cannot.
    return min(max(sab / (saa.squareRoot() * sbb.squareRoot()), -1), 1)
  }
}
