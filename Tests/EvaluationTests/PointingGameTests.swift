import Evaluation
import TensorCore
import Testing
import _TestSupport

/// The spatial and temporal pointing games and the evidence mass on hand-made maps.
@Suite("Pointing games and evidence mass")
struct PointingGameTests {
  /// An N×1×T×H×W map that is 0 except a peak of `value` at (u, v) in frame t of clip n.
  static func peaks(_ shape: [Int], _ points: [(n: Int, t: Int, u: Int, v: Int)], value: Double = 1) -> Tensor<Double> {
    var m = Tensor<Double>(shape: shape, repeating: 0)
    let (t, h, w) = (shape[2], shape[3], shape[4])
    for p in points { m.scalars[((p.n * t + p.t) * h + p.v) * w + p.u] = value }
    return m
  }

  /// N×T×4 boxes, the same box in every frame, NaN in frames listed in `absent`.
  static func boxes(n: Int, t: Int, _ box: [Float], absent: Set<Int> = []) -> Tensor<Float> {
    Tensor(shape: [n, t, 4]) { i in absent.contains((i / 4) % t) ? .nan : box[i % 4] }
  }

  @Test("τ defaults to 7 px at 112² and scales with the shorter side")
  func toleranceScaling() {
    let g = PointingGame()
    #expect(g.tolerance(height: 112, width: 112) == 7)
    #expect(g.tolerance(height: 32, width: 32) == 2)
    #expect(g.tolerance(height: 224, width: 300) == 14)
    #expect(PointingGame(tolerance: 3.5).tolerance(height: 32, width: 32) == 3.5)
  }

  @Test("frames without a box are not played; a clip without any annotated frame has no score")
  func unannotatedFrames() throws {
    let maps = Self.peaks([2, 1, 3, 8, 8], [(0, 0, 2, 2), (0, 1, 7, 7), (0, 2, 2, 2), (1, 0, 1, 1)])
    var boxes = Self.boxes(n: 2, t: 3, [1, 1, 4, 4], absent: [1])
    for f in 0..<3 { for j in 0..<4 { boxes.scalars[(3 + f) * 4 + j] = .nan } }  // clip 1: no box at all
    let (clips, accuracy) = try PointingGame(tolerance: 0).evaluate(maps: maps, boxes: boxes, labels: [4, 6])
    #expect(clips[0].frames.map(\.frame) == [0, 2] && clips[0].score == 1)
    #expect(clips[1].frames.isEmpty && clips[1].score == nil)
    #expect(accuracy.classes.map(\.label) == [4] && accuracy.accuracy == 1)
  }

  @Test("ties: the first maximum in row-major order points, and the frame is reported as tied")
  func ties() throws {
    // Two equal maxima: (u 6, v 0) comes first in row-major order, (u 1, v 5) second.
    let maps = Self.peaks([1, 1, 1, 8, 8], [(0, 0, 6, 0), (0, 0, 1, 5)])
    let box = Self.boxes(n: 1, t: 1, [0, 4, 3, 8])  // contains (1, 5), not (6, 0)
    let r = try PointingGame(tolerance: 0).evaluate(maps: maps, boxes: box, labels: [0])
    #expect(r.clips[0].frames[0].point == [6, 0] && r.clips[0].frames[0].tied && !r.clips[0].frames[0].hit)
  }

  @Test("boxes are inclusive–exclusive, clipped to the frame, and fractional edges round up")
  func boxPixels() {
    let p = PointingGame.pixels(ofBox: [2, 3, 5, 4], height: 10, width: 10)!
    #expect(p.columns == 2...4 && p.rows == 3...3)
    let q = PointingGame.pixels(ofBox: [-3, 7.5, 12, 30], height: 10, width: 10)!
    #expect(q.columns == 0...9 && q.rows == 8...9)
    #expect(PointingGame.pixels(ofBox: [4, 4, 4, 9], height: 10, width: 10) == nil)  // empty
    #expect(PointingGame.pixels(ofBox: [.nan, 0, 1, 1], height: 10, width: 10) == nil)
    #expect(PointingGame.pixels(ofBox: [10, 0, 12, 1], height: 10, width: 10) == nil)  // outside
  }

  @Test("bad ground truth and settings are refused")
  func refusals() {
    let maps = Self.peaks([1, 1, 2, 8, 8], [])
    #expect(throws: MetricError.groundTruthShape(name: "boxes", expected: "[1, 2, 4]", actual: [1, 3, 4])) {
      try PointingGame().evaluate(maps: maps, boxes: Self.boxes(n: 1, t: 3, [0, 0, 1, 1]), labels: [0])
    }
    #expect(throws: MetricError.countMismatch(name: "labels", count: 2, clips: 1)) {
      try PointingGame().evaluate(maps: maps, boxes: Self.boxes(n: 1, t: 2, [0, 0, 1, 1]), labels: [0, 1])
    }
    #expect(throws: MetricError.invalidSetting(name: "tolerance", value: "-1.0", expected: "a number of pixels ≥ 0")) {
      try PointingGame(tolerance: -1).evaluate(maps: maps, boxes: Self.boxes(n: 1, t: 2, [0, 0, 1, 1]), labels: [0])
    }
    #expect(throws: MetricError.groundTruthShape(name: "keyframes", expected: "[1, 2]", actual: [2, 2])) {
      try TemporalPointingGame.evaluate(maps: maps, keyframes: Tensor(shape: [2, 2], repeating: 1), labels: [0])
    }
    #expect(throws: MetricError.groundTruthShape(name: "evidence", expected: "[1, 2, 8, 8]", actual: [1, 2, 8, 7])) {
      try EvidenceMass.evaluate(maps: maps, evidence: Tensor(shape: [1, 2, 8, 7], repeating: 1))
    }
  }

  @Test("temporal pointing game: the frame of largest mass, only clips with some but not all key frames")
  func temporal() throws {
    // Clip 0: mass largest in frame 2, a key frame → hit. Clip 1: largest in frame 0, not key → miss.
    // Clip 2: every frame key → not counted. Clip 3: no key frame → not counted.
    var maps = Tensor<Double>(shape: [4, 1, 3, 2, 2], repeating: 0.1)
    maps.scalars[(0 * 3 + 2) * 4] = 5
    maps.scalars[(1 * 3 + 0) * 4] = 5
    let keys = Tensor<Float>(shape: [4, 3], scalars: [0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0])
    let r = try TemporalPointingGame.evaluate(maps: maps, keyframes: keys, labels: [2, 2, 5, 9])
    #expect(r.clips.map(\.frame) == [2, 0, 0, 0])
    #expect(r.clips.map(\.score) == [1, 0, nil, nil])
    #expect(r.clips[2].tied && !r.clips[0].tied)
    #expect(r.accuracy.accuracy == 0.5 && r.accuracy.classes.count == 1)
  }

  @Test("evidence mass counts positive attribution only and is undefined without mass or evidence")
  func evidenceMass() throws {
    var maps = Tensor<Double>(shape: [3, 1, 1, 2, 2], scalars: [1, -3, 2, 1, 0, 0, 0, 0, 1, 1, 1, 1])
    let evidence = Tensor<Float>(shape: [3, 1, 2, 2], scalars: [1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    var r = try EvidenceMass.evaluate(maps: maps, evidence: evidence)
    #expect(r[0].share == 0.25 && r[0].chance == 0.5)  // (1 + max(−3, 0)) / (1 + 2 + 1)
    #expect(r[1].share == nil && r[2].share == nil)  // no positive mass; no evidence
    maps.scalars[1] = 3
    r = try EvidenceMass.evaluate(maps: maps, evidence: evidence)
    #expect(r[0].share == 4.0 / 7)
  }
}
