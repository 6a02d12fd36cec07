import Attribution
import Kernels
import Networks
import TensorCore

/// What the metrics are computed on: the clips with their ground truth, the prepared maps, the
/// targets the maps explain, and (for the segments unit) one label map per clip.
public struct MetricInputs: Sendable {
  public var clips: ClipFile
  /// N×1×T×H×W (`MetricMaps.prepare`).
  public var maps: Tensor<Double>
  public var targets: [Int]
  /// N label maps of T·H·W labels each, for `PerturbationUnit.segments`.
  public var segments: [[Int64]]?

  /// Prepares raw maps for the clips (`MetricMaps.prepare`) and checks the per-clip lists.
  /// - Throws: `MetricError` (`.mapShape`, `.nonFiniteMap`, `.countMismatch`, `.groundTruthShape`).
  public init(
    clips: ClipFile, rawMaps: Tensor<Float>, postProcessing: PostProcessing, targets: [Int],
    segments: [[Int64]]? = nil
  ) throws {
    let n = clips.count
    self.maps = try MetricMaps.prepare(rawMaps, clipShape: clips.input.shape, postProcessing: postProcessing)
    guard targets.count == n else { throw MetricError.countMismatch(name: "targets", count: targets.count, clips: n) }
    if let segments {
      guard segments.count == n else {
        throw MetricError.countMismatch(name: "segment label maps", count: segments.count, clips: n)
      }
      let voxels = clips.input.shape[2...].reduce(1, *)
      if let bad = segments.firstIndex(where: { $0.count != voxels }) {
        throw MetricError.groundTruthShape(
          name: "segments[\(bad)]", expected: Shape.describe(Array(clips.input.shape[2...])),
          actual: [segments[bad].count])
      }
    }
    self.clips = clips
    self.targets = targets
    self.segments = segments
  }
}

/// A set of metrics run on clips and maps on one computation path — what `vidattr metrics`
/// does between reading its files and writing its lines, in the library so that the study
/// (and the tests) share it.
///
/// `validate` checks everything that can be checked without the network (settings, ground
/// truth, segments, targets against the class count) so that a run that would fail does so
/// before any work; `run` then computes every metric, network metrics on the chosen path.
public struct MetricRun: Sendable {
  public var metrics: [MetricKind]
  /// Units of insertion and deletion (one curve per unit and order).
  public var units: [PerturbationUnit]
  public var orders: [RankingOrder]
  public var base: PerturbationBase
  public var steps: Int
  public var batch: Int
  public var score: ExplainedScore
  public var pointing: PointingGame
  public var path: ComputePath

  public init(
    metrics: [MetricKind], units: [PerturbationUnit] = [.block(7)], orders: [RankingOrder] = [.morf],
    base: PerturbationBase = .fade, steps: Int = 128, batch: Int = 8, score: ExplainedScore = .probability,
    pointing: PointingGame = PointingGame(), path: ComputePath = .fast
  ) {
    self.metrics = metrics
    self.units = units
    self.orders = orders
    self.base = base
    self.steps = steps
    self.batch = batch
    self.score = score
    self.pointing = pointing
    self.path = path
  }

  /// The insertion/deletion settings of every curve the run computes, in output order.
  public var curveSettings: [InsertionDeletion] {
    metrics.compactMap { m -> PerturbedClips.Mode? in
      m == .insertion ? .insertion : m == .deletion ? .deletion : nil
    }.flatMap { mode in
      units.flatMap { unit in
        orders.map {
          InsertionDeletion(mode, order: $0, unit: unit, base: base, steps: steps, batch: batch, score: score)
        }
      }
    }
  }

  /// Checks settings and inputs; `classes` is the network's class count.
  /// - Throws: `MetricError` naming the first problem.
  public func validate(_ inputs: MetricInputs, classes: Int) throws {
    guard !metrics.isEmpty else {
      throw MetricError.invalidSetting(name: "metrics", value: "none", expected: "at least one metric")
    }
    if metrics.contains(.insertion) || metrics.contains(.deletion) {
      guard !units.isEmpty, !orders.isEmpty else {
        throw MetricError.invalidSetting(name: "unit", value: "none", expected: "at least one unit and one order")
      }
    }
    for s in curveSettings { try s.validate() }
    guard batch >= 1 else {
      throw MetricError.invalidSetting(name: "batch", value: "\(batch)", expected: "an integer ≥ 1")
    }
    try pointing.validate()
    try InsertionDeletion.checkTargets(inputs.targets, clips: inputs.clips.count, classes: classes)
    let size = Size3(inputs.clips.input.shape[2], inputs.clips.input.shape[3], inputs.clips.input.shape[4])
    for s in curveSettings {
      if case .segments = s.unit {
        guard let segments = inputs.segments else {
          throw MetricError.missingSetting(
            name: "segments", reason: "the \(s.unit) unit of \(s.name) needs one integer label map T×H×W per clip")
        }
        for labels in segments { _ = try UnitPartition.make(s.unit, size: size, labels: labels) }
      }
    }
    for m in metrics {
      for needed in m.groundTruth {
        let present: Bool
        switch needed {
        case "boxes": present = inputs.clips.boxes != nil
        case "keyframes": present = inputs.clips.keyframes != nil
        case "evidence": present = inputs.clips.evidence != nil
        default: present = inputs.clips.labels != nil
        }
        guard present else { throw MetricError.missingGroundTruth(metric: m.rawValue, needs: needed) }
      }
    }
  }

  /// The number of network passes the run makes (for a progress bar).
  public func passes(_ inputs: MetricInputs) -> Int {
    let s = inputs.clips.input.shape
    let size = Size3(s[2], s[3], s[4])
    var total = 0
    for c in curveSettings {
      for i in 0..<inputs.clips.count {
        let units = (try? UnitPartition.make(c.unit, size: size, labels: inputs.segments?[i]).count) ?? 1
        total += c.schedule(units: units).steps + 1
      }
    }
    if metrics.contains(.temporalFaithfulness) { total += inputs.clips.count * (s[2] + 1) }
    return total
  }

  /// Runs every metric: per metric, one record per clip, then a summary record.
  ///
  /// - Parameter progress: called with the network passes done so far (of `passes(inputs)`).
  /// - Throws: what `validate` throws; `WeightLoadingError` when the weights do not fit the
  ///   architecture; `TensorError` when the clips do not fit the network.
  public func run(
    weights: WeightsFile, architecture: Architecture, inputs: MetricInputs, progress: ((Int) -> Void)? = nil
  ) throws -> [MetricRecord] {
    try path.run(Task(run: self, weights: weights, architecture: architecture, inputs: inputs, progress: progress))
  }

  private struct Task: BackendTask {
    let run: MetricRun
    let weights: WeightsFile
    let architecture: Architecture
    let inputs: MetricInputs
    let progress: ((Int) -> Void)?

    func run<B: KernelBackend>(on backend: B.Type) throws -> [MetricRecord] {
      let network: Network<B> = try weights.network(architecture)
      try network.validate(inputShape: inputs.clips.input.shape)
      try run.validate(inputs, classes: network.classes)
      let x = Tensor<B.Scalar>(converting: inputs.clips.input)
      var records: [MetricRecord] = []
      var done = 0
      let report: (Int) -> Void = { progress?(done + $0) }
      for metric in run.metrics {
        switch metric {
        case .insertion, .deletion:
          for settings in run.curveSettings where settings.name == metric.rawValue {
            let curves = try settings.curves(
              network: network, clips: x, targets: inputs.targets, maps: inputs.maps, segments: inputs.segments,
              progress: report)
            done += curves.map { $0.curve.count }.reduce(0, +)
            records += MetricRun.records(curves)
          }
        case .pointingGame:
          let r = try run.pointing.evaluate(maps: inputs.maps, boxes: inputs.clips.boxes!, labels: inputs.clips.labels!)
          records += MetricRun.records(r.clips, r.accuracy)
        case .temporalPointingGame:
          let r = try TemporalPointingGame.evaluate(
            maps: inputs.maps, keyframes: inputs.clips.keyframes!, labels: inputs.clips.labels!)
          records += MetricRun.records(r.clips, r.accuracy)
        case .evidenceMass:
          records += MetricRun.records(try EvidenceMass.evaluate(maps: inputs.maps, evidence: inputs.clips.evidence!))
        case .temporalFaithfulness:
          let r = try TemporalFaithfulness(base: run.base, batch: run.batch, score: run.score).evaluate(
            network: network, clips: x, targets: inputs.targets, maps: inputs.maps, progress: report)
          done += r.count * (inputs.clips.input.shape[2] + 1)
          records += MetricRun.records(r, base: run.base, score: run.score)
        }
      }
      return records
    }
  }
}
