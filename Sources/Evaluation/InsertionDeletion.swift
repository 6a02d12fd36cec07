import Attribution
import Kernels
import Networks
import TensorCore

/// Insertion and deletion curves (Petsiuk et al. 2018, RISE; on video as Li et al. run them) and
/// their areas.
///
/// For one clip x with target c and a prepared map (`MetricMaps`): the clip's voxels are
/// partitioned into units (`UnitPartition`), the units ranked by importance (`UnitRanking`,
/// MoRF or LeRF, ties broken deterministically), and taken s at a time (`StepSchedule`: s =
/// ⌈U/n⌉, m = ⌈U/s⌉ steps). **Insertion** starts from the base (`PerturbationBase`) and reveals
/// the clip unit by unit; **deletion** starts from the clip and replaces units by the base. After
/// each step k = 0 … m the network scores the perturbed clip z_k (`PerturbedClips`), giving the
/// curve p_k = score_c(z_k) — the softmax probability by default, as the papers — and
///
///     AUC = (Σ_{k=0}^{m} p_k − (p_0 + p_m)/2) / m
///
/// the trapezoid rule on [0, 1] with m equal intervals (RISE's `auc`, Li et al.'s `auc`).
/// Insertion rewards maps whose top units alone restore the score (higher is better); deletion
/// rewards maps whose top units destroy it (lower is better).
///
/// The perturbed clips go through the network `batch` at a time, so memory holds at most
/// `batch` perturbed clips and their activations; the curve does not depend on `batch` (a
/// clip's logits do not depend on the batch it is in).
///
/// Settings of the papers: 128 steps; units voxel, 7×7 blocks (at 112², `block(7)`) and SLIC
/// supervoxels (`segments`); fade base; MoRF for both insertion and deletion; probability.
public struct InsertionDeletion: Sendable, Hashable {
  public var mode: PerturbedClips.Mode
  public var order: RankingOrder
  public var unit: PerturbationUnit
  public var base: PerturbationBase
  /// Requested steps n (the curve has m + 1 ≤ n + 1 points, `StepSchedule`).
  public var steps: Int
  /// Perturbed clips per network pass.
  public var batch: Int
  public var score: ExplainedScore

  public init(
    _ mode: PerturbedClips.Mode, order: RankingOrder = .morf, unit: PerturbationUnit = .block(7),
    base: PerturbationBase = .fade, steps: Int = 128, batch: Int = 8, score: ExplainedScore = .probability
  ) {
    self.mode = mode
    self.order = order
    self.unit = unit
    self.base = base
    self.steps = steps
    self.batch = batch
    self.score = score
  }

  /// The metric's name: "insertion" or "deletion".
  public var name: String { mode.rawValue }

  /// Checks the settings.
  /// - Throws: `MetricError.invalidSetting` for steps, batch or a block size below 1.
  public func validate() throws {
    guard steps >= 1 else {
      throw MetricError.invalidSetting(name: "steps", value: "\(steps)", expected: "an integer ≥ 1")
    }
    guard batch >= 1 else {
      throw MetricError.invalidSetting(name: "batch", value: "\(batch)", expected: "an integer ≥ 1")
    }
    if case .block(let k) = unit, k < 1 {
      throw MetricError.invalidSetting(name: "block", value: "\(k)", expected: "an integer ≥ 1")
    }
  }

  /// The curve and area of every clip.
  ///
  /// - Parameters:
  ///   - clips: N×C×T×H×W, normalised.
  ///   - targets: the class explained in each clip (N).
  ///   - maps: N×1×T×H×W prepared maps (`MetricMaps.prepare`).
  ///   - segments: for `.segments` units, one label map of T·H·W labels per clip.
  ///   - progress: called after every network pass with the number of perturbed clips scored
  ///     so far (of N·(m + 1) in all).
  /// - Throws: `MetricError` for settings, targets, maps or segments that do not fit, before
  ///   any network pass; `TensorError` when the clips do not fit the network.
  /// - Complexity: N·(m + 1) network forward passes in ⌈(m + 1)/batch⌉ calls per clip, plus
  ///   O(N·(m + 1)·C·T·H·W) to build the perturbed clips and O(N·U log U) to rank.
  public func curves<B: KernelBackend>(
    network: Network<B>, clips: Tensor<B.Scalar>, targets: [Int], maps: Tensor<Double>,
    segments: [[Int64]]? = nil, progress: ((Int) -> Void)? = nil
  ) throws -> [InsertionDeletionCurve] {
    try validate()
    try network.validate(inputShape: clips.shape)
    let n = clips.shape[0]
    let size = Size3(clips.shape[2], clips.shape[3], clips.shape[4])
    try Self.checkTargets(targets, clips: n, classes: network.classes)
    guard maps.shape == [n, 1] + size.array else {
      throw MetricError.mapShape(expected: Shape.describe([n, 1] + size.array), actual: maps.shape)
    }
    var partitions: [UnitPartition] = []
    if case .segments = unit {
      guard let segments, segments.count == n else {
        throw MetricError.countMismatch(name: "segment label maps", count: segments?.count ?? 0, clips: n)
      }
      partitions = try segments.map { try UnitPartition.make(unit, size: size, labels: $0) }
    } else {
      partitions = [try UnitPartition.make(unit, size: size)]
    }
    let bases = base.make(clips, backend: B.self)
    var done = 0
    var results: [InsertionDeletionCurve] = []
    for i in 0..<n {
      let partition = partitions[partitions.count == 1 ? 0 : i]
      let voxels = size.product
      let importance = partition.importance(maps.scalars[(i * voxels)..<((i + 1) * voxels)])
      let schedule = StepSchedule(units: partition.count, requested: steps)
      let ranked = UnitRanking.order(importance, order)
      let first = UnitRanking.firstSteps(partition: partition, ranked: ranked, unitsPerStep: schedule.unitsPerStep)
      let (x, b) = (clips.clips(i..<(i + 1)), bases.clips(i..<(i + 1)))
      var curve: [Double] = []
      var k = 0
      while k <= schedule.steps {
        let chunk = Array(k...min(schedule.steps, k + batch - 1))
        let z = PerturbedClips.make(x: x, base: b, firstSteps: first, steps: chunk, mode: mode, backend: B.self)
        curve += ScoreGradient.scores(
          network: network, input: z, targets: Array(repeating: targets[i], count: chunk.count), score: score)
        done += chunk.count
        progress?(done)
        k += chunk.count
      }
      results.append(
        InsertionDeletionCurve(
          mode: mode, order: order, unit: partition.name, base: base, score: score.rawValue, target: targets[i],
          units: schedule.units, unitsPerStep: schedule.unitsPerStep, curve: curve, auc: Self.auc(curve)))
    }
    return results
  }

  /// The steps of a clip with `units` units: `curves` makes `steps + 1` network passes per clip.
  public func schedule(units: Int) -> StepSchedule { StepSchedule(units: units, requested: steps) }

  /// AUC = (Σ_{k=0}^{m} p_k − (p_0 + p_m)/2) / m for a curve p_0 … p_m, m ≥ 1, summed in
  /// order k = 0 … m.
  /// - Complexity: O(m).
  public static func auc(_ curve: [Double]) -> Double {
    precondition(curve.count >= 2, "auc: a curve needs at least two points, got \(curve.count)")
    let m = curve.count - 1
    var sum = 0.0
    for p in curve { sum += p }
    return (sum - (curve[0] + curve[m]) / 2) / Double(m)
  }

  /// - Throws: `MetricError.countMismatch` or `.targetOutOfRange`.
  static func checkTargets(_ targets: [Int], clips: Int, classes: Int) throws {
    guard targets.count == clips else {
      throw MetricError.countMismatch(name: "targets", count: targets.count, clips: clips)
    }
    if let bad = targets.first(where: { !(0..<classes).contains($0) }) {
      throw MetricError.targetOutOfRange(target: bad, classes: classes)
    }
  }
}

/// One insertion or deletion curve of one clip, with what made it.
public struct InsertionDeletionCurve: Sendable, Codable, Equatable {
  public var mode: PerturbedClips.Mode
  public var order: RankingOrder
  /// The unit's name ("voxel", "block7", "segments").
  public var unit: String
  public var base: PerturbationBase
  /// "probability" or "logit".
  public var score: String
  public var target: Int
  /// U, the number of units.
  public var units: Int
  /// s, the units taken per step.
  public var unitsPerStep: Int
  /// p_0 … p_m.
  public var curve: [Double]
  public var auc: Double

  public init(
    mode: PerturbedClips.Mode, order: RankingOrder, unit: String, base: PerturbationBase, score: String, target: Int,
    units: Int, unitsPerStep: Int, curve: [Double], auc: Double
  ) {
    self.mode = mode
    self.order = order
    self.unit = unit
    self.base = base
    self.score = score
    self.target = target
    self.units = units
    self.unitsPerStep = unitsPerStep
    self.curve = curve
    self.auc = auc
  }
}
