import Attribution
import Foundation
import Testing

/// The quadrature rules of integrated gradients and Blur IG (Proofs/attribution-integrals.md,
/// P-QUAD-1). ε = 2⁻⁵² throughout.
@Suite("Quadrature rules on [0, 1]")
struct QuadratureTests {
  static let ε = Double.ulpOfOne
  static let riemann: [Quadrature.Rule] = [.riemannLeft, .riemannRight, .riemannMiddle, .riemannTrapezoid]

  /// Error of Σ wₖ·αₖᵈ in Double for weights and nodes that carry representation errors of
  /// `nodeError` (absolute) and `weightError` (absolute, each): first-order perturbation
  /// Σ |δwₖ|·αₖᵈ + wₖ·d·αₖᵈ⁻¹·|δαₖ| ≤ n·weightError + d·nodeError, plus the evaluation's own
  /// rounding (d multiplications and one addition per term, Σ wₖαₖᵈ ≤ 1): (d + n + 2)·ε.
  static func monomialBound(n: Int, degree d: Int, nodeError: Double, weightError: Double) -> Double {
    Double(n) * weightError + Double(d) * nodeError + Double(d + n + 2) * ε
  }

  static func monomial(_ q: Quadrature, _ d: Int) -> Double { q.integrate { pow($0, Double(d)) } }

  @Test("P-QUAD-1: every rule's weights sum to 1 for every n from its minimum to 64")
  func weightsSumToOne() throws {
    for rule in Quadrature.Rule.allCases {
      for n in rule.minimumPoints...64 {
        let q = try Quadrature(rule, points: n)
        #expect(q.count == n && q.weights.count == n)
        let sum = q.weights.reduce(0, +)
        // Riemann: n roundings of 1/n or 1/(n−1) and n − 1 additions: ≤ 2n·ε. Gauss–Legendre:
        // the squared first row of dstev's eigenvector matrix, orthonormal to O(n·ε) (LAPACK
        // Users' Guide §4.7); allow 8n·ε.
        let bound = Double(rule == .gaussLegendre ? 8 * n : 2 * n) * Self.ε
        #expect(abs(sum - 1) <= bound, "\(rule) n = \(n): Σw − 1 = \(sum - 1)")
        #expect(q.nodes.allSatisfy { (0...1).contains($0) }, "\(rule) n = \(n): a node outside [0, 1]")
        #expect(zip(q.nodes, q.nodes.dropFirst()).allSatisfy { $0 < $1 }, "\(rule) n = \(n): nodes not ascending")
      }
    }
  }

  @Test("P-QUAD-1: Captum's trapezoid weights (1/n halved at both ends) sum to 1 − 1/n, ours to 1")
  func captumTrapezoidDifference() throws {
    for n in 2...64 {
      var captum = Array(repeating: 1 / Double(n), count: n)
      captum[0] /= 2
      captum[n - 1] /= 2
      let ours = try Quadrature(.riemannTrapezoid, points: n)
      let captumSum = captum.reduce(0, +), oursSum = ours.weights.reduce(0, +)
      #expect(abs(captumSum - (1 - 1 / Double(n))) <= Double(2 * n) * Self.ε, "n = \(n)")
      #expect(abs(oursSum - 1) <= Double(2 * n) * Self.ε, "n = \(n)")
      // Same nodes; every weight of Captum's is (n − 1)/n of ours.
      for k in 0..<n {
        #expect(abs(captum[k] - ours.weights[k] * Double(n - 1) / Double(n)) <= 4 * Self.ε * ours.weights[k])
      }
    }
  }

  @Test("P-QUAD-1: the Riemann rules integrate constants exactly; middle and trapezoid also degree 1")
  func riemannExactness() throws {
    for rule in Self.riemann {
      for n in rule.minimumPoints...40 {
        let q = try Quadrature(rule, points: n)
        let bound = Self.monomialBound(n: n, degree: 1, nodeError: Self.ε, weightError: Self.ε)
        #expect(abs(Self.monomial(q, 0) - 1) <= bound, "\(rule) n = \(n), degree 0")
        // Degree 1 and 2: the rules' errors are exactly the Euler–Maclaurin terms (which stop
        // after f′ for polynomials of degree ≤ 2): ∫α − Q = +1/(2n) (left), −1/(2n) (right),
        // 0 (middle, trapezoid); ∫α² − Q = 1/(2n) − 1/(6n²) (left), −1/(2n) − 1/(6n²) (right),
        // +1/(12n²) (middle), −1/(6(n−1)²) (trapezoid).
        let nd = Double(n), h = 1 / Double(n - 1 == 0 ? 1 : n - 1)
        let expected1: Double, expected2: Double
        switch rule {
        case .riemannLeft: (expected1, expected2) = (1 / (2 * nd), 1 / (2 * nd) - 1 / (6 * nd * nd))
        case .riemannRight: (expected1, expected2) = (-1 / (2 * nd), -1 / (2 * nd) - 1 / (6 * nd * nd))
        case .riemannMiddle: (expected1, expected2) = (0, 1 / (12 * nd * nd))
        default: (expected1, expected2) = (0, -h * h / 6)
        }
        let b2 = Self.monomialBound(n: n, degree: 2, nodeError: Self.ε, weightError: Self.ε)
        #expect(abs((0.5 - Self.monomial(q, 1)) - expected1) <= bound, "\(rule) n = \(n), degree 1")
        #expect(abs((1.0 / 3 - Self.monomial(q, 2)) - expected2) <= b2, "\(rule) n = \(n), degree 2")
      }
    }
  }

  /// Node and weight errors of the Golub–Welsch rule measured against the closed forms below
  /// stay under 4n·ε; the monomial bound uses that.
  @Test("P-QUAD-1: n-point Gauss–Legendre integrates every monomial of degree ≤ 2n − 1 exactly (n = 1…6, 50)")
  func gaussLegendreExactness() throws {
    for n in [1, 2, 3, 4, 5, 6, 50] {
      let q = try Quadrature(.gaussLegendre, points: n)
      for d in 0...(2 * n - 1) {
        let bound = Self.monomialBound(
          n: n, degree: d, nodeError: Double(4 * n) * Self.ε, weightError: Double(4 * n) * Self.ε / Double(n))
        let error = Self.monomial(q, d) - 1 / Double(d + 1)
        #expect(abs(error) <= bound, "n = \(n), degree \(d): error \(error), bound \(bound)")
      }
      if n <= 6 {
        // Degree 2n is not exact: ∫₀¹ α²ⁿ − Q = (n!)⁴ / ((2n+1)·((2n)!)²), the Gauss–Legendre
        // remainder (n!)⁴/((2n+1)((2n)!)³)·f⁽²ⁿ⁾ on [0, 1] with f⁽²ⁿ⁾ = (2n)!.
        let f = { (k: Int) in (1...max(k, 1)).reduce(1.0) { $0 * Double($1) } }
        let remainder = pow(f(n), 4) / (Double(2 * n + 1) * f(2 * n) * f(2 * n))
        let error = 1 / Double(2 * n + 1) - Self.monomial(q, 2 * n)
        let bound = Self.monomialBound(
          n: n, degree: 2 * n, nodeError: Double(4 * n) * Self.ε, weightError: Double(4 * n) * Self.ε / Double(n))
        #expect(abs(error - remainder) <= bound, "n = \(n): remainder \(error), expected \(remainder)")
      }
    }
  }

  @Test("P-QUAD-1: Gauss–Legendre nodes and weights equal their closed forms for n = 2, 3, 4")
  func gaussLegendreClosedForms() throws {
    // On [−1, 1]: n = 2: ±1/√3, weights 1; n = 3: 0, ±√(3/5), weights 8/9, 5/9; n = 4:
    // ±√(3/7 ∓ (2/7)√(6/5)), weights (18 ± √30)/36. Mapped to [0, 1]: (1 + x)/2, w/2.
    let inner4 = (3.0 / 7 - 2.0 / 7 * (6.0 / 5).squareRoot()).squareRoot()
    let outer4 = (3.0 / 7 + 2.0 / 7 * (6.0 / 5).squareRoot()).squareRoot()
    let w4inner = (18 + 30.0.squareRoot()) / 36, w4outer = (18 - 30.0.squareRoot()) / 36
    let cases: [(Int, [Double], [Double])] = [
      (1, [0], [2]),
      (2, [-1 / 3.0.squareRoot(), 1 / 3.0.squareRoot()], [1, 1]),
      (3, [-(0.6).squareRoot(), 0, (0.6).squareRoot()], [5.0 / 9, 8.0 / 9, 5.0 / 9]),
      (4, [-outer4, -inner4, inner4, outer4], [w4outer, w4inner, w4inner, w4outer]),
    ]
    for (n, x, w) in cases {
      let q = try Quadrature(.gaussLegendre, points: n)
      for k in 0..<n {
        let alpha = (1 + x[k]) / 2, weight = w[k] / 2
        #expect(abs(q.nodes[k] - alpha) <= Double(4 * n) * Self.ε, "n = \(n) node \(k): \(q.nodes[k]) vs \(alpha)")
        #expect(
          abs(q.weights[k] - weight) <= Double(4 * n) * Self.ε, "n = \(n) weight \(k): \(q.weights[k]) vs \(weight)")
      }
    }
  }

  @Test("the Blur IG nodes on [0, σ_max] are exactly k·σ_max/n for the left rule (σₖ = 2k for 25 steps and σ_max 50)")
  func scaledNodes() throws {
    let q = try Quadrature(.riemannLeft, points: 25)
    #expect(q.nodes(scaledTo: 50) == (0..<25).map { Double(2 * $0) })
    #expect(q.weights(scaledTo: 50) == Array(repeating: 2, count: 25))
    for rule in Quadrature.Rule.allCases {
      let r = try Quadrature(rule, points: 7)
      for (a, b) in zip(r.nodes(scaledTo: 3), r.nodes) { #expect(abs(a - 3 * b) <= 8 * Self.ε, "\(rule)") }
      for (a, b) in zip(r.weights(scaledTo: 3), r.weights) { #expect(abs(a - 3 * b) <= 8 * Self.ε, "\(rule)") }
    }
  }

  @Test("a rule with too few points is refused, naming the minimum")
  func tooFewPoints() {
    #expect(throws: AttributionError.self) { try Quadrature(.riemannTrapezoid, points: 1) }
    #expect(throws: AttributionError.self) { try Quadrature(.gaussLegendre, points: 0) }
    #expect(throws: AttributionError.self) { try Quadrature(.riemannLeft, points: 0) }
  }
}
