import Attribution
import Evaluation
import Foundation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// Map preparation and whole metric runs: what `vidattr metrics` does between its files.
@Suite("Metric runs and map preparation")
struct MetricRunTests {
  /// Two 4×16×16 clips with every kind of ground truth: a 6×5 box at (3 + t, 4) in each frame,
  /// the evidence equal to the box, key frames 1 and 2 of clip 0 and every frame of clip 1.
  static func clipFile() -> ClipFile {
    let x = EvalFixture.clips([2, 3, 4, 16, 16], seed: 91)
    let boxes = Tensor<Float>(shape: [2, 4, 4]) { i in
      let t = (i / 4) % 4
      return [Float(3 + t), 4, Float(9 + t), 9][i % 4]
    }
    let evidence = Tensor<Float>(shape: [2, 4, 16, 16]) { i in
      let (t, v, u) = ((i / 256) % 4, (i / 16) % 16, i % 16)
      return (3 + t..<9 + t).contains(u) && (4..<9).contains(v) ? 1 : 0
    }
    let keys = Tensor<Float>(shape: [2, 4], scalars: [0, 1, 1, 0, 1, 1, 1, 1])
    return ClipFile(input: x, labels: [2, 8], boxes: boxes, evidence: evidence, keyframes: keys)
  }

  static func weights() throws -> WeightsFile {
    try WeightsFile.read(contentsOf: RepositoryPaths.reference("models/r3d_mini.safetensors"))
  }

  @Test("maps: C > 1 reduced and normalised as the method's post-processing, C = 1 as it is, coarse maps upsampled")
  func preparation() throws {
    let clipShape = [2, 3, 4, 16, 16]
    let post = try MetricMaps.postProcessing(method: "gradient")
    #expect(post == PostProcessing(channels: .absMean, normalization: .percentile(99.9)))
    let raw: Tensor<Float> = Fill.uniform([2, 3, 4, 16, 16], -1, 1, seed: 1)
    #expect(try MetricMaps.prepare(raw, clipShape: clipShape, postProcessing: post).scalars == post.apply(raw).scalars)
    let single: Tensor<Float> = Fill.uniform([2, 1, 4, 16, 16], -1, 1, seed: 2)
    #expect(
      try MetricMaps.prepare(single, clipShape: clipShape, postProcessing: post).scalars == single.asDouble.scalars)
    let coarse: Tensor<Float> = Fill.uniform([2, 1, 2, 8, 8], 0, 1, seed: 3)
    let up = try MetricMaps.prepare(coarse, clipShape: clipShape, postProcessing: post)
    #expect(up.shape == [2, 1, 4, 16, 16])
    #expect(up.scalars == Literal.resizeTrilinear(coarse.asDouble, size: Size3(4, 16, 16)).scalars)

    var bad = single
    bad.scalars[1 * 1024 + 17] = .nan
    #expect(throws: MetricError.nonFiniteMap(clip: 1)) {
      try MetricMaps.prepare(bad, clipShape: clipShape, postProcessing: post)
    }
    for shape in [[2, 1, 4, 16, 17], [1, 1, 4, 16, 16], [2, 4, 16, 16], [2, 0, 4, 16, 16], [2, 1, 8, 16, 16]] {
      #expect(throws: MetricError.self, "\(shape)") {
        try MetricMaps.prepare(Tensor<Float>(shape: shape, repeating: 0), clipShape: clipShape, postProcessing: post)
      }
    }
  }

  @Test("metric lists parse in order, once each, and unknown names are refused with the valid ones")
  func metricNames() throws {
    #expect(try MetricKind.parse(list: "deletion, insertion,deletion") == [.deletion, .insertion])
    #expect(throws: MetricError.unknownMetric("pointing", valid: MetricKind.allCases.map(\.rawValue))) {
      try MetricKind.parse(list: "insertion,pointing")
    }
    #expect(throws: MetricError.self) { try MetricKind.parse(list: " , ") }
  }

  @Test("a run refuses missing ground truth, missing or bad segments, bad settings and targets before any pass")
  func refusals() throws {
    var file = Self.clipFile()
    let raw = Tensor<Float>(converting: EvalFixture.map([2, 1, 4, 16, 16], seed: 4))
    let post = PostProcessing(channels: .sum, normalization: .none)
    let inputs = try MetricInputs(clips: file, rawMaps: raw, postProcessing: post, targets: [1, 2])
    for (metric, needs) in [
      (MetricKind.pointingGame, "boxes"), (.temporalPointingGame, "keyframes"), (.evidenceMass, "evidence"),
    ] {
      var stripped = file
      switch needs {
      case "boxes": stripped.boxes = nil
      case "keyframes": stripped.keyframes = nil
      default: stripped.evidence = nil
      }
      let i = try MetricInputs(clips: stripped, rawMaps: raw, postProcessing: post, targets: [1, 2])
      #expect(throws: MetricError.missingGroundTruth(metric: metric.rawValue, needs: needs)) {
        try MetricRun(metrics: [.insertion, metric]).validate(i, classes: 11)
      }
    }
    file.labels = nil
    let unlabelled = try MetricInputs(clips: file, rawMaps: raw, postProcessing: post, targets: [1, 2])
    #expect(throws: MetricError.missingGroundTruth(metric: "pointing_game", needs: "label")) {
      try MetricRun(metrics: [.pointingGame]).validate(unlabelled, classes: 11)
    }
    #expect(
      throws: MetricError.missingSetting(
        name: "segments", reason: "the segments unit of deletion needs one integer label map T×H×W per clip")
    ) {
      try MetricRun(metrics: [.deletion], units: [.segments(perFrame: true)]).validate(inputs, classes: 11)
    }
    #expect(throws: MetricError.groundTruthShape(name: "segments[1]", expected: "[4, 16, 16]", actual: [3])) {
      try MetricInputs(
        clips: Self.clipFile(), rawMaps: raw, postProcessing: post, targets: [1, 2],
        segments: [Array(repeating: 0, count: 1024), [1, 2, 3]])
    }
    #expect(throws: MetricError.invalidSetting(name: "steps", value: "0", expected: "an integer ≥ 1")) {
      try MetricRun(metrics: [.insertion], steps: 0).validate(inputs, classes: 11)
    }
    #expect(throws: MetricError.targetOutOfRange(target: 2, classes: 2)) {
      try MetricRun(metrics: [.evidenceMass]).validate(inputs, classes: 2)
    }
    #expect(throws: MetricError.countMismatch(name: "targets", count: 1, clips: 2)) {
      try MetricInputs(clips: Self.clipFile(), rawMaps: raw, postProcessing: post, targets: [1])
    }
  }

  @Test("a run gives one record per clip and metric, then a summary; its JSON lines decode to the same records")
  func records() throws {
    let file = Self.clipFile()
    let raw = Tensor<Float>(converting: EvalFixture.map([2, 1, 4, 16, 16], seed: 5))
    let inputs = try MetricInputs(
      clips: file, rawMaps: raw, postProcessing: PostProcessing(channels: .sum, normalization: .none), targets: [2, 8])
    let run = MetricRun(
      metrics: MetricKind.allCases, units: [.voxel, .block(4)], orders: [.morf, .lerf], steps: 4, batch: 3)
    var reported: [Int] = []
    let records = try run.run(weights: try Self.weights(), architecture: .r3d_mini, inputs: inputs) {
      reported.append($0)
    }
    // 4 curve settings per mode × 2 modes, then 4 other metrics; each 2 clips + a summary.
    #expect(records.count == (8 + 4) * 3)
    #expect(reported.last == run.passes(inputs) && reported == reported.sorted())
    #expect(run.passes(inputs) == 2 * 4 * 2 * 5 + 2 * 5)
    let insertion = records.filter { $0.metric == "insertion" && $0.unit == "block4" && $0.order == "lerf" }
    #expect(insertion.map(\.index) == [0, 1, nil])
    #expect(insertion[2].value == (insertion[0].value! + insertion[1].value!) / 2 && insertion[2].summary == "mean")
    #expect(insertion[0].curve?.count == 5 && insertion[0].units == 64 && insertion[0].unitsPerStep == 16)
    let pointing = records.filter { $0.metric == "pointing_game" }
    #expect(pointing[2].summary == "class_mean" && pointing[2].frames == 8)
    let temporal = records.filter { $0.metric == "temporal_pointing_game" }
    #expect(temporal[1].value == nil && temporal[2].clips == 1)  // clip 1: every frame is a key frame

    let decoder = JSONDecoder()
    for r in records {
      let line = r.jsonLine
      #expect(line.hasPrefix("{\"index\":" + (r.index.map(String.init) ?? "null") + ",\"metric\":\"\(r.metric)\""))
      #expect(try decoder.decode(MetricRecord.self, from: Data(line.utf8)) == r, "\(line)")
    }
  }
}
