import Evaluation
import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

/// Li et al.'s reliability of a metric and Krippendorff's α, as specifications.
@Suite("Reliability of a metric (Li-TCSVT) and Krippendorff's α")
struct ReliabilityTests {
  /// A seeded N × M score matrix with method 0 the weakest on average; `ties` rounds to 2 digits.
  static func scores(_ n: Int, _ m: Int, seed: UInt64, ties: Bool = false) -> [[Double]] {
    var rng = SeededRNG(seed: seed)
    return (0..<n).map { _ in
      (0..<m).map { k in
        let v = (k == 0 ? 0.2 : 0.5 + 0.05 * Double(k)) + 0.15 * rng.normal()
        return ties ? (v * 100).rounded() / 100 : v
      }
    }
  }

  static let names6 = ["random", "a", "b", "c", "d", "e"]

  @Test("P-REL-1: a perfectly consistent metric has reliability 1 and Krippendorff's α 1, on both paths")
  func consistentMetric() throws {
    // Every video ranks the methods alike (scores differ, order does not), the random map worst.
    var rng = SeededRNG(seed: 3)
    let rows = (0..<12).map { _ in
      let shift = rng.uniform(0, 0.3), scale = rng.uniform(0.5, 2)
      return [0.1, 0.4, 0.2, 0.9, 0.5, 0.7].map { shift + scale * $0 }
    }
    for path in ComputePath.allCases {
      for level in KrippendorffLevel.allCases {
        let r = try MetricReliability.measure(
          scores: rows, methods: Self.names6, orientation: .higherIsBetter, level: level, path: path)
        #expect(abs(r.alpha - 1) < 1e-12, "\(path) \(level): α = \(r.alpha)")
        #expect(abs(r.krippendorff - 1) < 1e-12, "\(path) \(level): Krippendorff \(r.krippendorff)")
        #expect(r.meanWeight == 1 && r.meanRanks == [0, 2, 1, 5, 3, 4])
      }
    }
  }

  @Test(
    "P-REL-2: −1 ≤ α ≤ 1 for every score matrix; α = −1 when the random map beats every method on all videos but one")
  func bounds() throws {
    pinnedPropertyCheck(
      count: 60, seed: (41, 42, 43, 44), input: zip(Gen.int(in: 2...12), Gen.int(in: 3...7), Gen.int(in: 0...10_000))
    ) { n, m, seed in
      let s = Self.scores(n, m, seed: UInt64(seed), ties: seed % 2 == 0)
      guard s.allSatisfy({ row in row.contains { $0 != row[0] } }) else { return }
      for higher in [true, false] {
        let a = Literal.metricReliability(s, higherIsBetter: higher)
        #expect(a >= -1 - 1e-12 && a <= 1 + 1e-12, "α = \(a)")
      }
    }
    // The random map (column 0) best on every video but the last: every product w_i w_j is 0.
    var s = Self.scores(8, 5, seed: 9)
    for i in 0..<7 { s[i][0] = 2 }
    for path in ComputePath.allCases {
      #expect(
        try MetricReliability.measure(
          scores: s, methods: ["r", "a", "b", "c", "d"], orientation: .higherIsBetter, path: path
        ).alpha == -1)
    }
  }

  @Test(
    "P-REL-3: Li et al.'s conventions: strictly-worse counts as ranks, orientation, invariance to each video's monotone rescaling"
  )
  func conventions() throws {
    // sorted(row).index(item): ties share the lowest position; 0 = worst.
    #expect(Literal.scoreRanks([0.3, 0.1, 0.3, 0.9], higherIsBetter: true) == [1, 0, 1, 3])
    #expect(Literal.scoreRanks([0.3, 0.1, 0.3, 0.9], higherIsBetter: false) == [1, 3, 1, 0])
    let s = Self.scores(15, 6, seed: 5, ties: true)
    let insertion = Literal.metricReliability(s, higherIsBetter: true)
    // Deletion of 1 − s ranks every video exactly as insertion of s.
    #expect(abs(Literal.metricReliability(s.map { $0.map { 1 - $0 } }, higherIsBetter: false) - insertion) < 1e-12)
    // A strictly increasing map per video (exp, then a video-dependent affine map) changes nothing.
    let moved = s.enumerated().map { i, row in row.map { 3 + Double(i + 1) * .exp($0) } }
    #expect(abs(Literal.metricReliability(moved, higherIsBetter: true) - insertion) < 1e-12)
    // The weights matter: with the random map worst everywhere (w ≡ 1), α is the plain mean of ρ_ij.
    var worst = s
    for i in worst.indices { worst[i][0] = -1 }
    var mean = 0.0, pairs = 0.0
    for i in worst.indices {
      for j in (i + 1)..<worst.count {
        mean += Literal.spearmanCorrelation(worst[i], worst[j])
        pairs += 1
      }
    }
    #expect(abs(Literal.metricReliability(worst, higherIsBetter: true) - mean / pairs) < 1e-12)
  }

  /// |fast − literal|: the fast form cancels (‖Σ w_i u_i‖² − Σw²) / ((Σw)² − Σw²); every term
  /// is a sum of ≤ N·M products of magnitude ≤ (Σw)² (unit vectors, weights ≤ 1), so both the
  /// numerator and the denominator err by ≤ c·γ_(NM)·(Σw)² (c = 4 for the two sums and the
  /// subtraction, u = 2⁻⁵³), and the literal path's pairwise sum by N²/2 terms of size ≤ 2:
  /// |Δα| ≤ (8γ_(NM+M)·(Σw)² + 2γ_(N²)·N²) / ((Σw)² − Σw²) (with 1 + |α| ≤ 2).
  static func reliabilityBound(_ s: [[Double]], higherIsBetter: Bool) -> Double {
    let m = s[0].count, n = s.count
    let w = s.map { Double(m - 1 - Literal.scoreRanks($0, higherIsBetter: higherIsBetter)[0]) / Double(m - 1) }
    let (sum, squares) = (w.reduce(0, +), w.reduce(0) { $0 + $1 * $1 })
    func g(_ k: Int) -> Double { Double(k) * 0x1p-53 / (1 - Double(k) * 0x1p-53) }
    return (8 * g(n * m + m) * sum * sum + 2 * g(n * n) * Double(n * n)) / (sum * sum - squares)
  }

  @Test("P-REL-4: the O(NM log M) form equals the pairwise definition within its derived bound")
  func literalFast() {
    for (n, m, seed) in [(2, 3, 1), (3, 4, 2), (17, 6, 3), (40, 9, 4), (25, 3, 5)] as [(Int, Int, UInt64)] {
      for ties in [false, true] {
        let s = Self.scores(n, m, seed: seed, ties: ties)
        guard s.allSatisfy({ row in row.contains { $0 != row[0] } }) else { continue }
        for higher in [true, false] {
          let literal = Literal.metricReliability(s, higherIsBetter: higher)
          let fast = Fast.metricReliability(s, higherIsBetter: higher)
          if literal.isNaN || fast.isNaN {
            #expect(literal == -1 || literal.isNaN)
            continue
          }
          #expect(
            abs(fast - literal) <= Self.reliabilityBound(s, higherIsBetter: higher), "\(n)×\(m): \(fast) vs \(literal)")
        }
      }
    }
  }

  @Test(
    "P-REL-5: Krippendorff's α: the coincidence-matrix form equals the pairwise definition; Krippendorff's 2011 example"
  )
  func krippendorff() {
    // Krippendorff (2011), "Computing Krippendorff's alpha-reliability", §C: 4 observers, 12 units,
    // missing values; α = 0.743 (nominal), 0.815 (ordinal), 0.849 (interval), 0.797 (ratio).
    let example: [[Double?]] = [
      [1, 2, 3, 3, 2, 1, 4, 1, 2, nil, nil, nil],
      [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nil, 3],
      [nil, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nil],
      [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nil],
    ]
    let published: [KrippendorffLevel: Double] = [.nominal: 0.743, .ordinal: 0.815, .interval: 0.849, .ratio: 0.797]
    for (level, value) in published {
      let literal = Literal.krippendorffAlpha(example, level: level)
      #expect(abs(literal - value) < 5e-4, "\(level): \(literal)")
      #expect(abs(Fast.krippendorffAlpha(example, level: level) - literal) < 1e-12, "\(level)")
    }
    for seed in 0..<6 as Range<UInt64> {
      let data = Self.scores(9, 5, seed: seed, ties: true).map { row in
        Literal.scoreRanks(row, higherIsBetter: true).map { Optional(Double($0)) }
      }
      for level in KrippendorffLevel.allCases {
        #expect(abs(Fast.krippendorffAlpha(data, level: level) - Literal.krippendorffAlpha(data, level: level)) < 1e-12)
      }
    }
  }

  @Test("Bad score matrices are refused with the reason")
  func errors() {
    let ok = Self.scores(4, 4, seed: 1)
    let names = ["r", "a", "b", "c"]
    #expect(throws: ReliabilityError.tooFew(what: "videos", count: 1, minimum: 2)) {
      try MetricReliability.measure(scores: [ok[0]], methods: names, orientation: .higherIsBetter)
    }
    #expect(throws: ReliabilityError.raggedScores(video: 2, methods: 3, expected: 4)) {
      try MetricReliability.measure(scores: [ok[0], ok[1], [1, 2, 3]], methods: names, orientation: .higherIsBetter)
    }
    #expect(throws: ReliabilityError.nonFiniteScore(video: 1, method: 2)) {
      var s = ok
      s[1][2] = .nan
      return try MetricReliability.measure(scores: s, methods: names, orientation: .higherIsBetter)
    }
    #expect(throws: ReliabilityError.constantScores(videos: [3])) {
      var s = ok
      s[3] = [0.5, 0.5, 0.5, 0.5]
      return try MetricReliability.measure(scores: s, methods: names, orientation: .higherIsBetter)
    }
    #expect(throws: ReliabilityError.methodNames(count: 3, methods: 4)) {
      try MetricReliability.measure(scores: ok, methods: ["a", "b", "c"], orientation: .higherIsBetter)
    }
    #expect(throws: ReliabilityError.randomMethodOutOfRange(4, methods: 4)) {
      try MetricReliability.measure(scores: ok, methods: names, random: 4, orientation: .higherIsBetter)
    }
  }
}
