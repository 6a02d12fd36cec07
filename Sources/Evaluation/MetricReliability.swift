import Kernels

/// Whether larger values of a metric mean a better explanation.
public enum MetricOrientation: String, Sendable, CaseIterable, Codable {
  /// Insertion AUC, pointing game, evidence mass.
  case higherIsBetter = "higher_is_better"
  /// Deletion AUC, infidelity, max-sensitivity.
  case lowerIsBetter = "lower_is_better"
}

/// How reliable a metric is as a judge of attribution methods (Li-TCSVT §V): do the videos
/// agree on how the metric ranks the methods, with a random map among them as a control?
///
/// `alpha` is Li et al.'s weighted rank correlation (`Literal.metricReliability`);
/// `krippendorff` is Krippendorff's α of the rank matrix (`Literal.krippendorffAlpha`, raters =
/// videos, units = methods, values = `Literal.scoreRanks`), which the paper reports beside it.
public struct MetricReliability: Sendable, Codable, Equatable {
  /// The methods, in the score matrix's column order.
  public var methods: [String]
  /// The random map's column.
  public var random: Int
  public var orientation: MetricOrientation
  public var videos: Int
  /// Li et al.'s α ∈ [−1, 1].
  public var alpha: Double
  /// Krippendorff's α of the rank matrix at `level`.
  public var krippendorff: Double
  public var level: KrippendorffLevel
  /// Each method's mean rank over the videos (0 = worst, M − 1 = best).
  public var meanRanks: [Double]
  /// The mean weight w̄ = mean_i (M − 1 − rank_i(random))/(M − 1): how often the methods beat the random map.
  public var meanWeight: Double

  /// Measures the reliability of a metric from its scores: `scores[i][m]` is the metric's value
  /// for method m on video i.
  ///
  /// - Parameters:
  ///   - random: the column of the random map (Li et al.: method 0).
  ///   - level: Krippendorff's level for the rank matrix (ordinal: ranks are ordered, their
  ///     spacing means nothing; Li et al.'s script calls the nominal one).
  ///   - path: literal (pair by pair, O(N²M²)) or fast (O(NM log M)).
  /// - Throws: `ReliabilityError` for fewer than 2 videos or 3 methods, a ragged matrix, a
  ///   non-finite score, a video on which every method scores the same, a random column or
  ///   method names that do not fit.
  /// - Complexity: see `path`.
  public static func measure(
    scores: [[Double]], methods: [String], random: Int = 0, orientation: MetricOrientation,
    level: KrippendorffLevel = .ordinal, path: ComputePath = .fast
  ) throws -> MetricReliability {
    guard scores.count >= 2 else { throw ReliabilityError.tooFew(what: "videos", count: scores.count, minimum: 2) }
    let m = scores[0].count
    guard m >= 3 else {
      throw ReliabilityError.tooFew(what: "methods (the random map and two others)", count: m, minimum: 3)
    }
    for (i, row) in scores.enumerated() {
      guard row.count == m else { throw ReliabilityError.raggedScores(video: i, methods: row.count, expected: m) }
      if let k = row.firstIndex(where: { !$0.isFinite }) { throw ReliabilityError.nonFiniteScore(video: i, method: k) }
    }
    guard methods.count == m else { throw ReliabilityError.methodNames(count: methods.count, methods: m) }
    guard (0..<m).contains(random) else { throw ReliabilityError.randomMethodOutOfRange(random, methods: m) }
    let constant = scores.indices.filter { i in scores[i].allSatisfy { $0 == scores[i][0] } }
    guard constant.isEmpty else { throw ReliabilityError.constantScores(videos: constant) }
    let higher = orientation == .higherIsBetter
    let ranks = scores.map { Literal.scoreRanks($0, higherIsBetter: higher) }
    let rankData = ranks.map { $0.map { Optional(Double($0)) } }
    let alpha: Double, krippendorff: Double
    switch path {
    case .literal:
      alpha = Literal.metricReliability(scores, higherIsBetter: higher, random: random)
      krippendorff = Literal.krippendorffAlpha(rankData, level: level)
    case .fast:
      alpha = Fast.metricReliability(scores, higherIsBetter: higher, random: random)
      krippendorff = Fast.krippendorffAlpha(rankData, level: level)
    }
    let meanRanks = (0..<m).map { k in Double(ranks.reduce(0) { $0 + $1[k] }) / Double(scores.count) }
    let meanWeight = ranks.reduce(0.0) { $0 + Double(m - 1 - $1[random]) / Double(m - 1) } / Double(scores.count)
    return MetricReliability(
      methods: methods, random: random, orientation: orientation, videos: scores.count, alpha: alpha,
      krippendorff: krippendorff, level: level, meanRanks: meanRanks, meanWeight: meanWeight)
  }
}
