import Kernels

/// The order in which insertion and deletion take units: most relevant first (MoRF) or least
/// relevant first (LeRF), Samek et al. 2017's names.
public enum RankingOrder: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
  case morf, lerf
  public var description: String { rawValue }
}

/// Units ranked by importance, and the step at which each voxel changes.
///
/// **Ties.** MoRF sorts importance descending and breaks ties by the unit's number ascending
/// (`UnitPartition` numbers units in (t, h, w) order), a stable sort of the negated
/// importances (`Literal.argsort`, with −0 = +0). LeRF is **exactly the reverse** of MoRF —
/// importance ascending, ties by the unit's number *descending* — not a stable ascending sort.
/// That makes insertion-MoRF and deletion-LeRF mirror images whenever the steps tile the units
/// (P-EVAL-2); a stable ascending sort would break the mirror on every plateau of the map, which
/// post-processed maps have (percentile clipping sets the top 0.1 % to exactly 1). PyTorch's
/// `argsort` (Li et al.) and NumPy's default quicksort (Quantus) leave the order of ties
/// unspecified, so their curves on such maps are not reproducible.
public enum UnitRanking {
  /// The units in the order they are taken: `order[0]` first.
  /// - Precondition: no importance is NaN (`MetricMaps.prepare` refuses non-finite maps).
  /// - Complexity: O(U log U).
  public static func order(_ importance: [Double], _ order: RankingOrder) -> [Int] {
    precondition(!importance.contains { $0.isNaN }, "ranking: NaN importance")
    let morf = Literal.argsort(importance.map { -$0 })
    return order == .morf ? morf : Array(morf.reversed())
  }

  /// For every voxel, the first step at which it is inserted (or deleted): ⌊rank/s⌋ + 1, where
  /// rank is its unit's position in `ranked` and s the units per step — step k takes the units
  /// of ranks 0..<min(k·s, U).
  /// - Complexity: O(T·H·W + U).
  public static func firstSteps(partition: UnitPartition, ranked: [Int], unitsPerStep s: Int) -> [Int32] {
    precondition(ranked.count == partition.count && s >= 1, "firstSteps: \(ranked.count) ranks, \(s) per step")
    let rank = Literal.rank(of: ranked)
    return partition.unitOfVoxel.map { Int32(rank[Int($0)] / s + 1) }
  }
}

/// How many units each step takes and how many steps a curve has.
///
/// With U units and n requested steps: s = ⌈U/n⌉ units per step and m = ⌈U/s⌉ steps, the
/// curve holding m + 1 points p₀ … p_m (p₀ before any unit is taken, p_m after all are).
/// m = n whenever n divides U — the papers' 16×112² voxels and 16×16×16 blocks at n = 128 —
/// and m ≤ n always, so the last point is always the whole clip (insertion) or the whole base
/// (deletion), as in RISE's `CausalMetric` (n_steps = ⌈HW/step⌉). Li et al.'s code instead takes
/// ⌊k·U/n⌋ units after step k (`np.linspace`); both agree when n divides U.
public struct StepSchedule: Sendable, Equatable {
  public let units: Int
  public let unitsPerStep: Int
  public let steps: Int

  /// - Precondition: units ≥ 1, requested ≥ 1.
  public init(units: Int, requested: Int) {
    precondition(units >= 1 && requested >= 1, "schedule: \(units) units, \(requested) steps")
    self.units = units
    unitsPerStep = (units + requested - 1) / requested
    steps = (units + unitsPerStep - 1) / unitsPerStep
  }

  /// Units taken after step k: min(k·s, U).
  public func taken(after k: Int) -> Int { min(k * unitsPerStep, units) }
}
