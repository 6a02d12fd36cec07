import CLinearAlgebra

/// A quadrature rule on [0, 1]: ∫₀¹ h(α) dα ≈ Σₖ wₖ·h(αₖ), for the path integrals of integrated
/// gradients and Blur IG (Sundararajan et al. 2017; Captum's `approximation_methods.py`).
///
/// | rule | nodes αₖ, k = 0…n−1 | weights wₖ | exact for polynomials of degree |
/// |---|---|---|---|
/// | `riemann_left` | k/n | 1/n | 0 |
/// | `riemann_right` | (k+1)/n | 1/n | 0 |
/// | `riemann_middle` | (k+½)/n | 1/n | 1 |
/// | `riemann_trapezoid` | k/(n−1) | 1/(n−1), halved at k = 0 and k = n−1 | 1 |
/// | `gauss_legendre` | (1 + xₖ)/2 | ωₖ/2 | 2n − 1 |
///
/// with xₖ, ωₖ the n-point Gauss–Legendre nodes and weights on [−1, 1]. Every rule's weights
/// sum to 1 (Proofs/attribution-integrals.md, P-QUAD-1).
///
/// **Captum's trapezoid differs.** Captum (`riemann_builders`, captum/attr/_utils/
/// approximation_methods.py) uses the same nodes k/(n−1) but the weights 1/n halved at both
/// ends, which sum to 1 − 1/n: its trapezoid integrals are those of this rule times (n−1)/n, and
/// its completeness delta for a linear score is −(f(x) − f(b))/n instead of 0. The cross-check
/// (Reference/attribution/captum_gradients) asserts exactly this relation. Captum also rounds
/// every rule's weights to float32 (`torch.tensor(step_sizes).float()`), even in a float64 run:
/// its Gauss–Legendre weights, and 1/n unless n is a power of two, are off by up to 2⁻²⁵
/// relative.
///
/// **Gauss–Legendre by Golub–Welsch.** The nodes xₖ are the eigenvalues of the symmetric
/// tridiagonal Jacobi matrix of the Legendre polynomials (zero diagonal, off-diagonal
/// βⱼ = j/√(4j² − 1), j = 1…n−1), and ωₖ = μ₀·vₖ[0]² with vₖ the unit eigenvector and
/// μ₀ = ∫₋₁¹ 1 dx = 2 (Golub & Welsch, "Calculation of Gauss quadrature rules", Math. Comp. 23,
/// 1969). The eigenproblem is solved by LAPACK's `dstev` (implicit QL/QR). The mapped weight is
/// ωₖ/2 = vₖ[0]². Afterwards the rule is made exactly symmetric about ½ — node k and node
/// n−1−k are replaced by the mean of their distances from the centre, and their weights by
/// their mean — which the exact rule is and which removes the eigen-solver's asymmetric
/// rounding (for odd n the middle node becomes exactly ½).
public struct Quadrature: Sendable, Equatable, CustomStringConvertible {
  /// The rules, by command-line name.
  public enum Rule: String, Sendable, CaseIterable, CustomStringConvertible {
    case riemannLeft = "riemann_left"
    case riemannRight = "riemann_right"
    case riemannMiddle = "riemann_middle"
    case riemannTrapezoid = "riemann_trapezoid"
    case gaussLegendre = "gauss_legendre"

    public var description: String { rawValue }

    /// The fewest points the rule is defined for (the trapezoid needs both ends).
    public var minimumPoints: Int { self == .riemannTrapezoid ? 2 : 1 }
  }

  public let rule: Rule
  /// αₖ ∈ [0, 1], ascending.
  public let nodes: [Double]
  /// wₖ, summing to 1.
  public let weights: [Double]

  public var count: Int { nodes.count }
  public var description: String { "\(rule) with \(count) points" }

  /// The n-point rule.
  /// - Throws: `AttributionError` when n is below the rule's minimum (1; 2 for the trapezoid)
  ///   or LAPACK fails.
  /// - Complexity: O(n) for the Riemann rules, O(n²) for Gauss–Legendre (`dstev` with vectors).
  public init(_ rule: Rule, points n: Int) throws {
    guard n >= rule.minimumPoints else {
      throw AttributionError.conflictingOptions(
        ["rule", "steps"], reason: "\(rule) needs at least \(rule.minimumPoints) point(s), got \(n)")
    }
    self.rule = rule
    let nd = Double(n)
    switch rule {
    case .riemannLeft:
      nodes = (0..<n).map { Double($0) / nd }
      weights = Array(repeating: 1 / nd, count: n)
    case .riemannRight:
      nodes = (0..<n).map { Double($0 + 1) / nd }
      weights = Array(repeating: 1 / nd, count: n)
    case .riemannMiddle:
      nodes = (0..<n).map { Double(2 * $0 + 1) / (2 * nd) }
      weights = Array(repeating: 1 / nd, count: n)
    case .riemannTrapezoid:
      nodes = (0..<n).map { Double($0) / (nd - 1) }
      var w = Array(repeating: 1 / (nd - 1), count: n)
      w[0] /= 2
      w[n - 1] /= 2
      weights = w
    case .gaussLegendre:
      (nodes, weights) = try Self.gaussLegendre(n)
    }
  }

  /// A rule with given nodes and weights (tests: a peer's rounded weights).
  package init(rule: Rule, nodes: [Double], weights: [Double]) {
    precondition(nodes.count == weights.count && !nodes.isEmpty, "\(nodes.count) nodes, \(weights.count) weights")
    self.rule = rule
    self.nodes = nodes
    self.weights = weights
  }

  /// The nodes on [0, L], L·αₖ, computed for the Riemann rules as (numerator·L)/denominator
  /// (k·L/n for `riemann_left`) so that they are exactly the σₖ = k·σ_max/n of the PAIR library
  /// and Li et al.: Blur IG's blur changes its tap count where 4σ crosses an integer, so a node
  /// one rounding away from such a point would change the result by far more than a rounding.
  public func nodes(scaledTo length: Double) -> [Double] {
    let n = Double(count)
    switch rule {
    case .riemannLeft: return (0..<count).map { Double($0) * length / n }
    case .riemannRight: return (0..<count).map { Double($0 + 1) * length / n }
    case .riemannMiddle: return (0..<count).map { Double(2 * $0 + 1) * length / (2 * n) }
    case .riemannTrapezoid: return (0..<count).map { Double($0) * length / (n - 1) }
    case .gaussLegendre: return nodes.map { $0 * length }
    }
  }

  /// The weights on [0, L], L·wₖ (L/n for the Riemann rules, computed as such).
  public func weights(scaledTo length: Double) -> [Double] {
    let n = Double(count)
    switch rule {
    case .riemannLeft, .riemannRight, .riemannMiddle: return Array(repeating: length / n, count: count)
    case .riemannTrapezoid:
      var w = Array(repeating: length / (n - 1), count: count)
      w[0] /= 2
      w[count - 1] /= 2
      return w
    case .gaussLegendre: return weights.map { $0 * length }
    }
  }

  /// Σₖ wₖ·h(αₖ).
  public func integrate(_ h: (Double) -> Double) -> Double {
    var total = 0.0
    for k in 0..<count { total += weights[k] * h(nodes[k]) }
    return total
  }

  /// Gauss–Legendre on [0, 1] from the Jacobi matrix's eigen-decomposition (see the type's
  /// documentation).
  static func gaussLegendre(_ n: Int) throws -> (nodes: [Double], weights: [Double]) {
    var d = [Double](repeating: 0, count: n)
    var e = [Double](repeating: 0, count: max(n - 1, 1))
    for j in 1..<max(n, 1) {
      let jd = Double(j)
      e[j - 1] = jd / (4 * jd * jd - 1).squareRoot()
    }
    var z = [Double](repeating: 0, count: n * n)
    var work = [Double](repeating: 0, count: max(1, 2 * n - 2))
    var order = Int32(n), ldz = Int32(n), info: Int32 = 0
    var jobz = CChar(UInt8(ascii: "V"))
    dstev_(&jobz, &order, &d, &e, &z, &ldz, &work, &info, 1)
    guard info == 0 else {
      throw AttributionError.linearAlgebra(routine: "dstev", info: Int(info), context: "\(n)-point Gauss–Legendre")
    }
    // Eigenvalues ascending in d; eigenvector k is column k of z (column-major): its first
    // component is z[k·n].
    var x = d
    var w = (0..<n).map { z[$0 * n] * z[$0 * n] }
    for k in 0..<(n / 2) {
      let m = n - 1 - k
      let half = (x[m] - x[k]) / 2
      x[k] = -half
      x[m] = half
      let mean = (w[k] + w[m]) / 2
      w[k] = mean
      w[m] = mean
    }
    if n % 2 == 1 { x[n / 2] = 0 }
    return (x.map { (1 + $0) / 2 }, w)
  }
}
