import Kernels
import RealModule

extension Literal {
  /// Average (fractional) ranks, 1-based, as `scipy.stats.rankdata(v, method="average")`:
  /// r_i = 1 + #{j : v_j < v_i} + (#{j : v_j = v_i} − 1)/2, so tied values share the mean of
  /// the ranks they occupy.
  ///
  /// The definition counted pair by pair. NaN is not ordered: the caller rejects maps with NaN.
  /// - Complexity: O(n²).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func averageRanks<T: Real & BinaryFloatingPoint & Sendable>(_ v: [T]) -> [T] {
    var ranks = [T](repeating: 0, count: v.count)
    for i in 0..<v.count {
      var below = 0
      var equal = 0
      for j in 0..<v.count {
        if v[j] < v[i] { below += 1 }
        if v[j] == v[i] { equal += 1 }
      }
      ranks[i] = T(1 + below) + T(equal - 1) / 2
    }
    return ranks
  }

  /// Pearson's correlation r = Σ(a−ā)(b−b̄) / √(Σ(a−ā)² · Σ(b−b̄)²), two passes (means first).
  ///
  /// NaN when either vector is constant (its deviations are all zero: the correlation is
  /// undefined), as `scipy.stats.pearsonr` and `spearmanr` report it.
  /// - Precondition: a.count == b.count ≥ 2.
  /// - Complexity: O(n).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func pearsonCorrelation<T: Real & BinaryFloatingPoint & Sendable>(_ a: [T], _ b: [T]) -> T {
    precondition(a.count == b.count && a.count >= 2, "correlation of \(a.count) and \(b.count) values")
    if isConstant(a) || isConstant(b) { return .nan }
    var meanA: T = 0
    var meanB: T = 0
    for i in 0..<a.count {
      meanA += a[i]
      meanB += b[i]
    }
    meanA /= T(a.count)
    meanB /= T(b.count)
    var cross: T = 0
    var squaresA: T = 0
    var squaresB: T = 0
    for i in 0..<a.count {
      cross += (a[i] - meanA) * (b[i] - meanB)
      squaresA += (a[i] - meanA) * (a[i] - meanA)
      squaresB += (b[i] - meanB) * (b[i] - meanB)
    }
    return cross / (squaresA * squaresB).squareRoot()
  }

  /// Spearman's rank correlation ρ: Pearson's correlation of the average ranks
  /// (Spearman 1904; `scipy.stats.spearmanr`). Ties share their mean rank; NaN when either
  /// vector is constant.
  /// - Complexity: O(n²) (the ranks by their definition).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func spearmanCorrelation<T: Real & BinaryFloatingPoint & Sendable>(_ a: [T], _ b: [T]) -> T {
    pearsonCorrelation(averageRanks(a), averageRanks(b))
  }

  /// Whether every element equals the first.
  static func isConstant<T: Equatable>(_ v: [T]) -> Bool {
    guard let first = v.first else { return true }
    return v.allSatisfy { $0 == first }
  }
}
