import Kernels

extension Fast {
  /// Equals `Literal.averageRanks` (the same ranks exactly: ties compare equal in Float on
  /// both paths), from one stable sort instead of n² comparisons: walk the sorted order, and
  /// give each run of equal values the mean of its positions.
  /// - Complexity: O(n) radix sort (`Fast.argsort`) plus O(n).
  public static func averageRanks(_ v: [Float]) -> [Double] {
    let order = Fast.argsort(v)
    var ranks = [Double](repeating: 0, count: v.count)
    var start = 0
    while start < order.count {
      var end = start + 1
      while end < order.count && v[order[end]] == v[order[start]] { end += 1 }
      // Positions start…end−1 (0-based) hold equal values: mean 1-based rank (start + end + 1)/2.
      let rank = Double(start + end + 1) / 2
      for k in start..<end { ranks[order[k]] = rank }
      start = end
    }
    return ranks
  }

  /// Equals `Literal.spearmanCorrelation` on the same values: ranks by `Fast.averageRanks`,
  /// then Pearson's correlation in Double.
  /// - Complexity: O(n) plus the sort.
  public static func spearmanCorrelation(_ a: [Float], _ b: [Float]) -> Double {
    precondition(a.count == b.count && a.count >= 2, "correlation of \(a.count) and \(b.count) values")
    return Literal.pearsonCorrelation(averageRanks(a), averageRanks(b))
  }
}
