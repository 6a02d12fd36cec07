import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

@Suite("argsort: stable ascending permutation, −0 = +0, NaNs last in index order")
struct ArgsortTests {
  static let nan = Float.nan, inf = Float.infinity
  static let tiny = Float.leastNonzeroMagnitude, smallestNormal = Float.leastNormalMagnitude

  /// Hand cases with their permutations, checked on Literal (Double and Float) and Fast.
  static let handCases: [(values: [Float], order: [Int])] = [
    ([], []), ([5], [0]), ([2, 1], [1, 0]), ([1, 1], [0, 1]), ([3, 1, 2], [1, 2, 0]),
    ([1, 0, 1, 0], [1, 3, 0, 2]),  // ties keep index order
    ([0, -0.0, 0, -0.0], [0, 1, 2, 3]),  // −0 and +0 are equal
    ([-0.0, -tiny, 0], [1, 0, 2]),
    ([nan, 1, nan, -inf, inf], [3, 1, 4, 0, 2]),  // NaN after +∞, NaNs in index order
    ([tiny, 0, -tiny, smallestNormal, -smallestNormal], [4, 2, 1, 0, 3]),  // subnormals
    ([2, 1, 4, 8, 0.5], [4, 1, 0, 2, 3]),  // low mantissa bits all zero: radix passes skipped
    ([7, 7, 7, 7], [0, 1, 2, 3]),  // one key: every pass skipped
    ([-1, -2, -0.5, 1, 2, 0.5], [1, 0, 2, 5, 3, 4]),
    ([Float.greatestFiniteMagnitude, inf, -Float.greatestFiniteMagnitude, -inf], [3, 2, 0, 1]),
    ([-nan, nan, 0], [2, 0, 1]),  // the sign of a NaN does not matter
  ]

  @Test("hand cases: ties, ±0, NaN, ±∞, subnormals, n = 0, 1, 2 (Literal in Double and Float, Fast)")
  func handCasesAgree() {
    for (values, order) in Self.handCases {
      #expect(Literal.argsort(values.map { Double($0) }) == order, "\(values)")
      #expect(Literal.argsort(values) == order, "\(values)")
      #expect(Fast.argsort(values) == order, "\(values)")
    }
  }

  /// Values with many ties and every special class: drawn from a small pool of specials, a
  /// few repeated numbers, and uniforms.
  static func mixed(_ n: Int, seed: UInt64) -> [Float] {
    var rng = SeededRNG(seed: seed)
    let specials: [Float] = [
      0, -0.0, .nan, -.nan, .infinity, -.infinity, tiny, -tiny, smallestNormal, 1, -1, 0.5, 0.25,
      Float.greatestFiniteMagnitude,
    ]
    return (0..<n).map { _ in
      switch rng.int(below: 4) {
      case 0: return specials[rng.int(below: specials.count)]
      case 1: return Float(rng.int(below: 5)) / 4
      default: return Float(rng.uniform(-3, 3))
      }
    }
  }

  @Test(
    "Fast equals Literal exactly on mixed inputs of boundary and large sizes",
    arguments: [3, 7, 8, 9, 15, 16, 17, 31, 1000, 2048, 2049, 100_000, 300_000])
  func fastEqualsLiteral(n: Int) {
    let v = Self.mixed(n, seed: UInt64(n))
    #expect(Fast.argsort(v) == Literal.argsort(v.map { Double($0) }), "n \(n)")
    // A [0, 1] mask with distinct values, the extremal-perturbation case.
    let mask = uniformFloats([n], 0, 1, seed: UInt64(n) + 7).scalars
    #expect(Fast.argsort(mask) == Literal.argsort(mask.map { Double($0) }), "mask n \(n)")
  }

  @Test("argsort is a permutation that sorts, stably, and rank(of:) inverts it (property)")
  func sortsStably() {
    let input = zip(Gen.int(in: 0...300), Gen.uint64())
    pinnedPropertyCheck(count: 60, seed: (0xC1, 0xC2, 0xC3, 0xC4), input: input) { n, seed in
      let v = Self.mixed(n, seed: seed)
      let p = Fast.argsort(v)
      #expect(p.sorted() == Array(0..<n), "n \(n) seed \(seed): not a permutation")
      func key(_ x: Float) -> (Int, Float) { x.isNaN ? (1, 0) : (0, x) }  // NaN above every number
      for k in 0..<max(0, n - 1) {
        let (a, b) = (key(v[p[k]]), key(v[p[k + 1]]))
        let ordered = a.0 < b.0 || (a.0 == b.0 && a.1 <= b.1)
        let tie = a.0 == b.0 && a.1 == b.1
        #expect(ordered && (!tie || p[k] < p[k + 1]), "n \(n) seed \(seed): positions \(k), \(k + 1)")
      }
      let rank = Literal.rank(of: p)
      #expect((0..<n).allSatisfy { rank[p[$0]] == $0 }, "n \(n) seed \(seed)")
    }
  }
}
