import Kernels
import TensorCore

/// The pointing game (Zhang et al. 2016, "Top-down neural attention by excitation backprop"),
/// per annotated frame, as Li et al. play it on video.
///
/// In every frame t whose ground-truth box is present, the map's maximum over the frame — the
/// first in row-major order when several pixels share it (`np.argmax`, Li et al.'s choice) —
/// is a **hit** when it lies within a tolerance τ of the box. A clip's score is its hits over
/// its annotated frames; the dataset's score is the class-mean accuracy (`ClassMeanAccuracy`:
/// hits / frames per ground-truth class, averaged over the classes that have annotated frames).
///
/// **Tolerance.** Boxes are (x0, y0, x1, y1) in pixels, inclusive–exclusive (the box's pixels
/// (u, v) satisfy x0 ≤ u < x1, y0 ≤ v < y1; Reference/FORMATS.md), clipped to the frame; NaN or
/// an empty box marks a frame without ground truth. With (du, dv) the offset from the point to
/// the nearest box pixel:
/// - `box` (Li et al.'s `PointingGame.evaluate`): hit when max(du, dv) ≤ τ — the box grown by τ
///   pixels on every side, edges included;
/// - `disc` (TorchRay's `PointingGame.evaluate`): hit when du² + dv² < τ² — some box pixel lies
///   strictly closer than τ. It misses the grown box's corners and its outermost ring, and with
///   τ = 0 it misses **every** point, even one inside the box.
/// τ defaults to 7 pixels at 112² scaled with the frame, 7·min(H, W)/112 (Li et al.: 7 px for
/// their 112² models, TorchRay's 15 px for 224² ones). Quantus' `PointingGame` has no
/// tolerance and counts a hit when **any** maximal pixel lies in the mask: `box` with τ = 0
/// agrees with it whenever the maximum is unique.
///
/// Li et al.'s `main_pointing_game.py` passes `np.unravel_index(argmax)`, a (row, column) pair,
/// to an `evaluate` that unpacks it as (u, v) = (column, row), so their hit test compares the
/// row with the box's x-extent; this implementation compares columns with x and rows with y.
///
/// The maps are `MetricMaps`-prepared N×1×T×H×W maps. No arithmetic beyond comparisons, so one
/// implementation serves the literal and the fast path.
public struct PointingGame: Sendable, Hashable {
  public enum Acceptance: String, Sendable, CaseIterable, Codable {
    case box, disc
  }

  /// τ in pixels, or nil for 7·min(H, W)/112.
  public var tolerance: Double?
  public var acceptance: Acceptance

  public init(tolerance: Double? = nil, acceptance: Acceptance = .box) {
    self.tolerance = tolerance
    self.acceptance = acceptance
  }

  /// Li et al.'s tolerance at 112×112.
  public static let toleranceAt112 = 7.0

  /// τ for frames of H×W pixels.
  public func tolerance(height: Int, width: Int) -> Double {
    tolerance ?? Self.toleranceAt112 * Double(min(height, width)) / 112
  }

  /// Checks the tolerance.
  /// - Throws: `MetricError.invalidSetting` for a negative or non-finite tolerance.
  public func validate() throws {
    if let t = tolerance, !(t.isFinite && t >= 0) {
      throw MetricError.invalidSetting(name: "tolerance", value: "\(t)", expected: "a number of pixels ≥ 0")
    }
  }

  /// One frame's outcome.
  public struct Frame: Sendable, Codable, Equatable {
    public var frame: Int
    /// The map's maximum, (column u, row v).
    public var point: [Int]
    public var hit: Bool
    /// Whether several pixels share the maximum (the first in row-major order was taken).
    public var tied: Bool
  }

  /// One clip's outcome.
  public struct Clip: Sendable, Codable, Equatable {
    public var label: Int
    public var frames: [Frame]
    public var hits: Int { frames.filter(\.hit).count }
    /// Hits over annotated frames; nil when no frame is annotated.
    public var score: Double? { frames.isEmpty ? nil : Double(hits) / Double(frames.count) }
  }

  /// The game on N clips.
  ///
  /// - Parameters:
  ///   - maps: N×1×T×H×W prepared maps.
  ///   - boxes: N×T×4 boxes (NaN where absent).
  ///   - labels: the ground-truth class of every clip (the classes the mean runs over).
  /// - Throws: `MetricError.groundTruthShape`, `.countMismatch`, `.mapShape`, `.invalidSetting`.
  /// - Complexity: O(N·T·H·W).
  public func evaluate<S: BinaryFloatingPoint>(maps: Tensor<S>, boxes: Tensor<Float>, labels: [Int]) throws -> (
    clips: [Clip], accuracy: ClassMeanAccuracy
  ) {
    try validate()
    guard maps.rank == 5, maps.shape[1] == 1 else {
      throw MetricError.mapShape(expected: "N×1×T×H×W", actual: maps.shape)
    }
    let (n, t, h, w) = (maps.shape[0], maps.shape[2], maps.shape[3], maps.shape[4])
    guard boxes.shape == [n, t, 4] else {
      throw MetricError.groundTruthShape(name: "boxes", expected: Shape.describe([n, t, 4]), actual: boxes.shape)
    }
    guard labels.count == n else { throw MetricError.countMismatch(name: "labels", count: labels.count, clips: n) }
    let tau = tolerance(height: h, width: w)
    var clips: [Clip] = []
    for i in 0..<n {
      var frames: [Frame] = []
      for f in 0..<t {
        let b = (0..<4).map { Double(boxes.scalars[(i * t + f) * 4 + $0]) }
        guard let region = Self.pixels(ofBox: b, height: h, width: w) else { continue }
        let start = ((i * t) + f) * h * w
        let (best, tied) = Self.firstMaximum(maps.scalars[start..<(start + h * w)])
        let (u, v) = (best % w, best / w)
        frames.append(
          Frame(frame: f, point: [u, v], hit: accepts(u: u, v: v, region: region, tolerance: tau), tied: tied))
      }
      clips.append(Clip(label: labels[i], frames: frames))
    }
    let accuracy = ClassMeanAccuracy(clips.map { ($0.label, $0.hits, $0.frames.count) })
    return (clips, accuracy)
  }

  /// Whether pixel (u, v) is within τ of the box pixels `region` (columns, rows).
  public func accepts(
    u: Int, v: Int, region: (columns: ClosedRange<Int>, rows: ClosedRange<Int>), tolerance tau: Double
  )
    -> Bool
  {
    let du = max(region.columns.lowerBound - u, 0, u - region.columns.upperBound)
    let dv = max(region.rows.lowerBound - v, 0, v - region.rows.upperBound)
    switch acceptance {
    case .box: return Double(max(du, dv)) <= tau
    case .disc: return Double(du * du + dv * dv) < tau * tau
    }
  }

  /// The box's pixels inside an H×W frame: columns ⌈x0⌉ … ⌈x1⌉ − 1 and rows ⌈y0⌉ … ⌈y1⌉ − 1,
  /// clipped to the frame; nil for a NaN or empty box.
  public static func pixels(ofBox b: [Double], height: Int, width: Int) -> (
    columns: ClosedRange<Int>, rows: ClosedRange<Int>
  )? {
    guard b.count == 4, b.allSatisfy({ !$0.isNaN }) else { return nil }
    func range(_ lo: Double, _ hi: Double, _ extent: Int) -> ClosedRange<Int>? {
      let first = max(lo.rounded(.up), 0), last = min(hi.rounded(.up) - 1, Double(extent - 1))
      return first <= last ? Int(first)...Int(last) : nil
    }
    guard let columns = range(b[0], b[2], width), let rows = range(b[1], b[3], height) else { return nil }
    return (columns, rows)
  }

  /// The index (within the slice) of the first maximal element, and whether another element
  /// equals it.
  static func firstMaximum<S: BinaryFloatingPoint>(_ values: ArraySlice<S>) -> (index: Int, tied: Bool) {
    var best = values.startIndex
    var tied = false
    for i in values.indices.dropFirst() {
      if values[i] > values[best] {
        best = i
        tied = false
      } else if values[i] == values[best] {
        tied = true
      }
    }
    return (best - values.startIndex, tied)
  }
}
