import Kernels

extension Fast {
  /// Equals `Literal.metricReliability` (scores in Double), in O(N·M log M) instead of
  /// O(N²·M²): with u_i the centred average ranks of row i scaled to unit length, ρ_ij = ⟨u_i, u_j⟩,
  /// so Σ_{i<j} w_i w_j ρ_ij = ½(‖Σ_i w_i u_i‖² − Σ_i w_i²) and Σ_{i<j} w_i w_j = ½((Σw)² − Σw²):
  ///
  ///   α = (‖Σ_i w_i u_i‖² − Σ_i w_i²) / ((Σ_i w_i)² − Σ_i w_i²).
  ///
  /// Rows are ranked once each (`Fast.averageRanks` on the scores rounded to Float would
  /// merge near-ties, so the ranks here are computed in Double by a sort).
  /// - Complexity: O(N·M log M).
  public static func metricReliability(_ scores: [[Double]], higherIsBetter: Bool, random: Int = 0) -> Double {
    let n = scores.count
    precondition(
      n >= 2 && scores.allSatisfy { $0.count == scores[0].count && $0.count >= 2 },
      "reliability of a ragged or tiny matrix")
    let m = scores[0].count
    var sum = [Double](repeating: 0, count: m)
    var (weightSum, weightSquares) = (0.0, 0.0)
    for row in scores {
      let r = row[random]
      let worse = row.reduce(0) { $0 + ((higherIsBetter ? $1 < r : $1 > r) ? 1 : 0) }
      let w = Double(m - 1 - worse) / Double(m - 1)
      weightSum += w
      weightSquares += w * w
      var ranks = averageRanks(row)
      let mean = Double(m + 1) / 2
      var norm = 0.0
      for k in 0..<m {
        ranks[k] -= mean
        norm += ranks[k] * ranks[k]
      }
      if norm == 0 { return .nan }  // a constant row: ρ undefined, as on the literal path
      norm = norm.squareRoot()
      for k in 0..<m { sum[k] += w * ranks[k] / norm }
    }
    let denominator = weightSum * weightSum - weightSquares
    if denominator == 0 { return -1 }
    let combined = sum.reduce(0) { $0 + $1 * $1 }
    return (combined - weightSquares) / denominator
  }

  /// Average ranks (1-based, ties share their mean) of Double values, by a sort.
  /// - Complexity: O(M log M).
  static func averageRanks(_ v: [Double]) -> [Double] {
    let order = v.indices.sorted { v[$0] < v[$1] }
    var ranks = [Double](repeating: 0, count: v.count)
    var start = 0
    while start < order.count {
      var end = start + 1
      while end < order.count && v[order[end]] == v[order[start]] { end += 1 }
      for k in start..<end { ranks[order[k]] = Double(start + end + 1) / 2 }
      start = end
    }
    return ranks
  }
}
