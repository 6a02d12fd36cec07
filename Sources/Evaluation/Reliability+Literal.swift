import Kernels
import RealModule

extension Literal {
  /// The rank of each method's score among the row's scores, 0 = worst, as Li et al.'s
  /// `test_code/metric_reliability*.py` computes it (`sorted(row).index(item)`): the number of
  /// scores strictly worse, so tied scores share the lowest rank they cover. Worse means
  /// smaller when `higherIsBetter` (insertion) and larger otherwise (deletion).
  /// - Complexity: O(M²).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func scoreRanks<T: Real & BinaryFloatingPoint & Sendable>(_ row: [T], higherIsBetter: Bool) -> [Int] {
    row.map { s in row.filter { higherIsBetter ? $0 < s : $0 > s }.count }
  }

  /// Li et al.'s reliability of a metric (Li-TCSVT, "Spatio-Temporal Perturbations for Video
  /// Attribution", §V; `test_code/metric_reliability.py`): for the N × M matrix of the scores
  /// of M methods on N videos, method `random` being a random map,
  ///
  ///   w_i = (M − 1 − rank_i(random)) / (M − 1)          (`scoreRanks`, 0 = worst),
  ///   ρ_ij = Spearman's correlation of rows i and j     (the methods' scores on two videos),
  ///   α = Σ_{i<j} w_i w_j (ρ_ij + 1) / Σ_{i<j} w_i w_j − 1.
  ///
  /// α ∈ [−1, 1]: 1 when every video ranks the methods alike; videos on which the random
  /// map does well weigh little. When the random map is best on all videos but one, every
  /// weight product is 0 and α is −1, the limit of the authors' Σ…/(Σ w_i w_j + 10⁻¹⁰) − 1
  /// (which otherwise differs from this by at most 10⁻¹⁰/Σ w_i w_j relative).
  ///
  /// Pair by pair, as the equation reads. A constant row makes ρ and so α NaN.
  /// - Precondition: N ≥ 2, M ≥ 2, every row M scores.
  /// - Complexity: O(N²·M²) (each ρ from the rank definition).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func metricReliability<T: Real & BinaryFloatingPoint & Sendable>(
    _ scores: [[T]], higherIsBetter: Bool, random: Int = 0
  ) -> T {
    let n = scores.count
    precondition(
      n >= 2 && scores.allSatisfy { $0.count == scores[0].count && $0.count >= 2 },
      "reliability of a ragged or tiny matrix")
    let m = scores[0].count
    let weights = scores.map { row in T(m - 1 - scoreRanks(row, higherIsBetter: higherIsBetter)[random]) / T(m - 1) }
    var numerator: T = 0
    var denominator: T = 0
    for i in 0..<n {
      for j in (i + 1)..<n {
        let rho = spearmanCorrelation(scores[i], scores[j])
        numerator += weights[i] * weights[j] * (rho + 1)
        denominator += weights[i] * weights[j]
      }
    }
    if denominator == 0 { return limitWithoutWeights(numerator) }
    return numerator / denominator - 1
  }

  /// α when every weight product is zero: −1 (the numerator is then zero too, or NaN).
  static func limitWithoutWeights<T: BinaryFloatingPoint>(_ numerator: T) -> T { numerator.isNaN ? .nan : -1 }
}
