import Kernels
import TensorCore

/// A measure of how alike two attribution maps are (Adebayo et al. 2018, "Sanity checks for
/// saliency maps", §3).
public enum SimilarityMeasure: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
  /// Spearman's rank correlation of the absolute maps (`Literal.spearmanCorrelation`).
  case spearman
  /// The mean structural similarity of the frames (`Literal.structuralSimilarity`).
  case ssim
  /// Pearson's correlation of the frames' HOG descriptors (`Literal.orientedGradientSimilarity`).
  case hog

  public var description: String { rawValue }
}

/// The similarity of two maps of one clip under each measure asked for (nil: not asked). A
/// value is NaN where the measure is undefined: a correlation with a constant map (an
/// all-zero map after randomisation, say); JSON writes it as null.
public struct MapSimilarity: Sendable, Equatable, Codable {
  public var spearman: Double?
  public var ssim: Double?
  public var hog: Double?

  public init(spearman: Double? = nil, ssim: Double? = nil, hog: Double? = nil) {
    self.spearman = spearman
    self.ssim = ssim
    self.hog = hog
  }

  public subscript(measure: SimilarityMeasure) -> Double? {
    switch measure {
    case .spearman: return spearman
    case .ssim: return ssim
    case .hog: return hog
    }
  }
}

/// How two maps are compared: both reduced to R = Σ_c |m_c| (T×H×W per clip; a map with
/// C = 1 gives |m|), each divided by its own maximum over the clip (so R ∈ [0, 1]; an all-zero
/// map stays zero), then compared clip by clip — Spearman on all T·H·W values, SSIM (data
/// range 1) and HOG frame by frame (Adebayo et al. compare absolute maps, normalised to [0, 1],
/// as the images they are shown as; the video versions are their frame-wise forms). Spearman's
/// ρ does not change under the division; SSIM and HOG need a common scale, which it gives.
public struct MapComparison: Sendable, Hashable {
  public var measures: [SimilarityMeasure]
  public var ssim: StructuralSimilaritySettings
  public var hog: OrientedGradientSettings

  public init(
    measures: [SimilarityMeasure] = SimilarityMeasure.allCases, ssim: StructuralSimilaritySettings = .init(),
    hog: OrientedGradientSettings = .init()
  ) {
    self.measures = measures
    self.ssim = ssim
    self.hog = hog
  }

  /// The reduced, normalised map of every clip: N arrays of T·H·W values in [0, 1].
  /// - Throws: `SanityCheckError.nonFiniteMap`.
  /// - Complexity: O(N·C·T·H·W).
  public static func reduced<S: BinaryFloatingPoint>(_ map: Tensor<S>, what: String) throws -> [[Double]] {
    let (n, c) = (map.shape[0], map.shape[1])
    let plane = map.count / max(n * c, 1)
    return try (0..<n).map { i in
      var r = [Double](repeating: 0, count: plane)
      for k in 0..<c {
        for p in 0..<plane {
          let v = Double(map.scalars[(i * c + k) * plane + p])
          guard v.isFinite else { throw SanityCheckError.nonFiniteMap(what: what, clip: i) }
          r[p] += abs(v)
        }
      }
      let top = r.max() ?? 0
      return top > 0 ? r.map { $0 / top } : r
    }
  }

  /// The similarity of maps `a` and `b` (N×C×T×H×W, the same shape) clip by clip, on the
  /// literal path (Double, `Literal.*`) or the fast one (the reduced maps rounded to Float,
  /// `Fast.*`).
  /// - Throws: `SanityCheckError` for maps of different shapes or not N×C×T×H×W, NaN in a map,
  ///   or frames too small for SSIM's window or one HOG block.
  /// - Complexity: per clip O(THW log THW) (fast Spearman) or O((THW)²) (literal Spearman),
  ///   plus O(THW·s²) SSIM and O(THW·B) HOG.
  public func compare<S: BinaryFloatingPoint>(_ a: Tensor<S>, _ b: Tensor<S>, path: ComputePath) throws
    -> [MapSimilarity]
  {
    guard a.rank == 5 else {
      throw SanityCheckError.invalidRequest("maps must be N×C×T×H×W, got \(Shape.describe(a.shape))")
    }
    guard a.shape == b.shape else {
      throw SanityCheckError.shapeMismatch(what: "second map", expected: a.shape, actual: b.shape)
    }
    let (frames, height, width) = (a.shape[2], a.shape[3], a.shape[4])
    if measures.contains(.ssim), height < ssim.window || width < ssim.window {
      throw SanityCheckError.frameTooSmall(measure: "SSIM", minimum: ssim.window, height: height, width: width)
    }
    if measures.contains(.hog), height < hog.minimumSide || width < hog.minimumSide {
      throw SanityCheckError.frameTooSmall(measure: "HOG", minimum: hog.minimumSide, height: height, width: width)
    }
    if measures.contains(.spearman), frames * height * width < 2 {
      throw SanityCheckError.invalidRequest("Spearman's correlation needs at least two values per clip")
    }
    let ra = try Self.reduced(a, what: "first map"), rb = try Self.reduced(b, what: "second map")
    return zip(ra, rb).map { x, y in
      var s = MapSimilarity()
      switch path {
      case .literal:
        if measures.contains(.spearman) { s.spearman = Literal.spearmanCorrelation(x, y) }
        if measures.contains(.ssim) {
          s.ssim = Literal.structuralSimilarity(x, y, frames: frames, height: height, width: width, settings: ssim)
        }
        if measures.contains(.hog) {
          s.hog = Literal.orientedGradientSimilarity(x, y, frames: frames, height: height, width: width, settings: hog)
        }
      case .fast:
        let (fx, fy) = (x.map(Float.init), y.map(Float.init))
        if measures.contains(.spearman) { s.spearman = Fast.spearmanCorrelation(fx, fy) }
        if measures.contains(.ssim) {
          s.ssim = Fast.structuralSimilarity(fx, fy, frames: frames, height: height, width: width, settings: ssim)
        }
        if measures.contains(.hog) {
          s.hog = Fast.orientedGradientSimilarity(fx, fy, frames: frames, height: height, width: width, settings: hog)
        }
      }
      return s
    }
  }
}
