import TensorCore

/// The pointing game along time: does the frame the map weights most carry evidence?
///
/// Per clip, the frame mass A_t = Σ_{h,w} a[t, h, w] of the prepared map; the pointed frame is
/// t* = argmax_t A_t (the first on ties), a **hit** when t* is a key frame (`keyframes`, 1 on
/// frames that carry evidence). Only clips whose key frames are a proper, non-empty subset of
/// the frames take part: a clip whose every frame is a key frame cannot miss (the built-in
/// benchmark's motion classes), one without key frames cannot hit. The score is the
/// class-mean accuracy over the clips that take part (`ClassMeanAccuracy`, one trial per clip).
///
/// The papers have no frame-level ground truth and play only the spatial game; this is the
/// question the built-in benchmark lets one ask (flash and order classes carry their evidence in
/// a few frames). No arithmetic beyond sums in Double and comparisons: one implementation
/// serves both paths.
public enum TemporalPointingGame {
  /// One clip's outcome.
  public struct Clip: Sendable, Codable, Equatable {
    public var label: Int
    /// A_t, t = 0 … T − 1.
    public var frameMass: [Double]
    /// t*, the pointed frame.
    public var frame: Int
    /// Whether the clip takes part (0 < key frames < T).
    public var counted: Bool
    public var hit: Bool
    /// Whether another frame has the same mass as t*.
    public var tied: Bool
    /// 1 or 0 for a clip that takes part, else nil.
    public var score: Double? { counted ? (hit ? 1 : 0) : nil }
  }

  /// The game on N clips.
  /// - Parameters:
  ///   - maps: N×1×T×H×W prepared maps.
  ///   - keyframes: N×T, 1 on key frames (any value > 0.5 counts as 1).
  ///   - labels: ground-truth classes (N).
  /// - Throws: `MetricError.mapShape`, `.groundTruthShape`, `.countMismatch`.
  /// - Complexity: O(N·T·H·W).
  public static func evaluate(maps: Tensor<Double>, keyframes: Tensor<Float>, labels: [Int]) throws -> (
    clips: [Clip], accuracy: ClassMeanAccuracy
  ) {
    guard maps.rank == 5, maps.shape[1] == 1 else {
      throw MetricError.mapShape(expected: "N×1×T×H×W", actual: maps.shape)
    }
    let (n, t) = (maps.shape[0], maps.shape[2])
    guard keyframes.shape == [n, t] else {
      throw MetricError.groundTruthShape(name: "keyframes", expected: Shape.describe([n, t]), actual: keyframes.shape)
    }
    guard labels.count == n else { throw MetricError.countMismatch(name: "labels", count: labels.count, clips: n) }
    var clips: [Clip] = []
    for i in 0..<n {
      let mass = frameMasses(maps, clip: i)
      let (best, tied) = PointingGame.firstMaximum(mass[...])
      let key = (0..<t).map { keyframes.scalars[i * t + $0] > 0.5 }
      let keys = key.filter { $0 }.count
      clips.append(
        Clip(label: labels[i], frameMass: mass, frame: best, counted: keys > 0 && keys < t, hit: key[best], tied: tied))
    }
    let accuracy = ClassMeanAccuracy(clips.filter(\.counted).map { ($0.label, $0.hit ? 1 : 0, 1) })
    return (clips, accuracy)
  }

  /// A_t = Σ_{h,w} a[i, 0, t, h, w] for every frame of clip i, summed in row-major order.
  public static func frameMasses(_ maps: Tensor<Double>, clip i: Int) -> [Double] {
    let (t, plane) = (maps.shape[2], maps.shape[3] * maps.shape[4])
    return (0..<t).map { f in
      var sum = 0.0
      let start = (i * t + f) * plane
      for v in start..<(start + plane) { sum += maps.scalars[v] }
      return sum
    }
  }
}
