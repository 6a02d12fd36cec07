import Kernels

extension Fast {
  /// Equals `Literal.krippendorffAlpha` (values in Double), through the coincidence matrix
  /// (Krippendorff 2011): with V the distinct pairable values,
  ///
  ///   o_ck = Σ_u (number of ordered pairs (c, k) of distinct positions in u)/(m_u − 1),
  ///   n_c = Σ_k o_ck,  α = 1 − (n − 1)·Σ_ck o_ck δ²_ck / Σ_ck n_c n_k δ²_ck,
  ///
  /// the ordinal δ² from prefix sums of n_c (as the `krippendorff` package computes it).
  /// - Complexity: O(raters·units + units·V² + V²), against the literal's O(n²) pairs.
  public static func krippendorffAlpha(_ data: [[Double?]], level: KrippendorffLevel) -> Double {
    let units = data.first?.count ?? 0
    precondition(data.allSatisfy { $0.count == units }, "a ragged reliability matrix")
    let domain = Array(Set(data.flatMap { $0.compactMap { $0 } })).sorted()
    let index = Dictionary(uniqueKeysWithValues: domain.enumerated().map { ($1, $0) })
    let v = domain.count
    var o = [Double](repeating: 0, count: v * v)
    for u in 0..<units {
      var counts = [Int: Int]()
      var m = 0
      for row in data { if let x = row[u] { counts[index[x]!, default: 0] += 1; m += 1 } }
      guard m >= 2 else { continue }
      for (c, nc) in counts {
        for (k, nk) in counts {
          let pairs = c == k ? nc * (nc - 1) : nc * nk
          o[c * v + k] += Double(pairs) / Double(m - 1)
        }
      }
    }
    var nv = [Double](repeating: 0, count: v)
    for c in 0..<v { for k in 0..<v { nv[c] += o[c * v + k] } }
    let n = nv.reduce(0, +)
    // Prefix sums of n_v for the ordinal distances.
    var prefix = [Double](repeating: 0, count: v + 1)
    for c in 0..<v { prefix[c + 1] = prefix[c] + nv[c] }
    func delta2(_ c: Int, _ k: Int) -> Double {
      switch level {
      case .nominal: return c == k ? 0 : 1
      case .interval: return (domain[c] - domain[k]) * (domain[c] - domain[k])
      case .ratio:
        let s = domain[c] + domain[k]
        return s == 0 ? 0 : ((domain[c] - domain[k]) / s) * ((domain[c] - domain[k]) / s)
      case .ordinal:
        let (lo, hi) = (min(c, k), max(c, k))
        let d = (prefix[hi + 1] - prefix[lo]) - (nv[c] + nv[k]) / 2
        return d * d
      }
    }
    var observed = 0.0
    var expected = 0.0
    for c in 0..<v {
      for k in 0..<v {
        let d = delta2(c, k)
        observed += o[c * v + k] * d
        expected += nv[c] * nv[k] * d
      }
    }
    return 1 - (n - 1) * observed / expected
  }
}
