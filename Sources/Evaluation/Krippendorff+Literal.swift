import Kernels
import RealModule

extension Literal {
  /// Krippendorff's α of a reliability matrix: `data[r][u]` is rater r's value for unit u, nil
  /// when missing (Krippendorff 2011, "Computing Krippendorff's alpha-reliability", eq. for
  /// D_o and D_e written pair by pair):
  ///
  ///   pairable units: those with m_u ≥ 2 values; n = Σ_u m_u over them;
  ///   D_o = (1/n) Σ_u 1/(m_u − 1) Σ_{i ≠ j values of u} δ²(v_i, v_j),
  ///   D_e = 1/(n(n − 1)) Σ_{a ≠ b among all n pairable values} δ²(v_a, v_b),
  ///   α = 1 − D_o / D_e,
  ///
  /// δ² the level's difference (`KrippendorffLevel`; the ordinal one counts the pairable values
  /// between c and k). α = 1 for perfect agreement, 0 for agreement at chance; NaN when
  /// D_e = 0 (all pairable values equal: nothing to disagree about), as the `krippendorff`
  /// package divides 0 by 0.
  ///
  /// Li et al.'s rank matrix: raters are videos, units methods, values the ranks a metric gives.
  /// - Complexity: O(n²) pairs (ordinal: O(n³)).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func krippendorffAlpha<T: Real & BinaryFloatingPoint & Sendable>(
    _ data: [[T?]], level: KrippendorffLevel
  ) -> T {
    let units = data.first?.count ?? 0
    precondition(data.allSatisfy { $0.count == units }, "a ragged reliability matrix")
    var byUnit: [[T]] = []
    for u in 0..<units {
      let values = data.compactMap { $0[u] }
      if values.count >= 2 { byUnit.append(values) }
    }
    let all = byUnit.flatMap { $0 }
    let n = all.count
    func delta2(_ c: T, _ k: T) -> T {
      switch level {
      case .nominal: return c == k ? 0 : 1
      case .interval: return (c - k) * (c - k)
      case .ratio:
        if c + k == 0 { return 0 }
        return ((c - k) / (c + k)) * ((c - k) / (c + k))
      case .ordinal:
        let (lo, hi) = (min(c, k), max(c, k))
        let between = all.filter { $0 >= lo && $0 <= hi }.count
        let nc = all.filter { $0 == c }.count, nk = all.filter { $0 == k }.count
        let d = T(between) - T(nc + nk) / 2
        return d * d
      }
    }
    var observed: T = 0
    for values in byUnit {
      var sum: T = 0
      for i in values.indices {
        for j in values.indices where i != j { sum += delta2(values[i], values[j]) }
      }
      observed += sum / T(values.count - 1)
    }
    observed /= T(n)
    var expected: T = 0
    for a in 0..<n {
      for b in 0..<n where a != b { expected += delta2(all[a], all[b]) }
    }
    expected /= T(n) * T(n - 1)
    return 1 - observed / expected
  }
}
