import Attribution
import Evaluation
import Foundation
import Kernels
import Networks
import SyntheticVideo
import TensorCore

/// The records of one unit of a study's plan.
///
/// A clip unit explains the clip's true class with the method (fast path, the method's explained
/// score), keeps the map for the report when the clip is one of the examples, and runs every
/// per-clip metric of the configuration on it (`Evaluation.MetricRun`: insertion and deletion
/// with block and voxel units, MoRF and LeRF, fade base; pointing games; evidence mass; temporal
/// faithfulness). A model unit runs the sanity check of the method on the model.
struct StudyUnitEvaluation {
  let configuration: StudyConfiguration
  let batch: Synthetic.Batch
  let network: Network<FastBackend>
  let weights: WeightsFile

  func records(for unit: StudyPlan.Unit, examples: String) throws -> [StudyRecord] {
    switch unit {
    case .clip(let model, let video, let method):
      return try clip(model: model, video: video, method: method, examples: examples)
    case .model(let model, let method): return try sanity(model: model, method: method)
    }
  }

  /// One clip of the batch as a clip file with its ground truth.
  func clipFile(_ video: Int) -> ClipFile {
    let t = batch.input.shape[2], h = batch.input.shape[3], w = batch.input.shape[4]
    var c = ClipFile(input: batch.input.clips(video..<(video + 1)), metadata: [:])
    c.labels = [batch.labels[video]]
    c.boxes = Tensor(shape: [1, t, 4], scalars: Array(batch.boxes.scalars[(video * t * 4)..<((video + 1) * t * 4)]))
    c.evidence = Tensor(
      shape: [1, t, h, w],
      scalars: batch.evidence.scalars[(video * t * h * w)..<((video + 1) * t * h * w)].map(Float.init))
    c.keyframes = Tensor(
      shape: [1, t], scalars: batch.keyFrames.scalars[(video * t)..<((video + 1) * t)].map(Float.init))
    return c
  }

  private func clip(model: String, video: Int, method: StudyMethod, examples: String) throws -> [StudyRecord] {
    let label = batch.labels[video]
    let m = try method.make(seed: StudyRunner.seed(configuration, model: model, video: video, method: method))
    let clip = clipFile(video)
    let score = ExplainedScore(rawValue: method.score) ?? .probability
    let result = try m.attribute(clip.input, targets: [label], network: network, score: score)
    if video < configuration.examples {
      let file = AttributionFile(
        attribution: result.map, targets: [label], scores: result.scores, delta: result.delta,
        metadata: ["method": m.name, "parameters": AttributionFile.parametersJSON(m.parameters), "model": model])
      let dir = "\(examples)/\(model)"
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
      try file.write(to: "\(dir)/\(StudyReport.slug(method.label))-\(video).safetensors")
    }
    let kinds = try StudyMetricKind.parse(configuration.metrics).compactMap(\.perClip)
    guard !kinds.isEmpty else { return [] }
    let inputs = try MetricInputs(
      clips: clip, rawMaps: result.map, postProcessing: m.defaultPostProcessing, targets: [label])
    let run = MetricRun(
      metrics: kinds, units: [.block(configuration.block), .voxel], orders: [.morf, .lerf], base: .fade,
      steps: configuration.curveSteps, batch: 16, score: .probability)
    return try run.run(weights: weights, architecture: network.architecture, inputs: inputs).compactMap { r in
      guard r.index != nil, let value = r.value else { return nil }
      return StudyRecord(
        model: model, video: video, label: label, method: method.label, metric: r.metric, unit: r.unit,
        order: r.order, value: value, curve: r.curve)
    }
  }

  /// Cascading randomisation of the model's layers from the output down (Adebayo et al.; the
  /// configuration's granularity),
  /// Spearman of |map|, SSIM and HOG of each step's maps against the trained model's, averaged
  /// over the first clips. One record per step and measure; the network is restored afterwards.
  private func sanity(model: String, method: StudyMethod) throws -> [StudyRecord] {
    let n = min(configuration.sanityClips, batch.count)
    let seed = StudyRunner.seed(configuration, model: model, video: nil, method: method)
    let m = try method.make(seed: seed)
    let check = SanityCheck(
      method: m, score: ExplainedScore(rawValue: method.score) ?? .probability, seed: seed,
      granularity: SanityCheck.LayerGranularity(rawValue: configuration.sanityGranularity) ?? .stages)
    let report = try check.randomization(
      .cascading, network: network, clips: batch.input.clips(0..<n), targets: Array(batch.labels[0..<n]))
    return report.steps.flatMap { step in
      SimilarityMeasure.allCases.compactMap { measure -> StudyRecord? in
        guard let v = step.mean[measure], v.isFinite else { return nil }
        return StudyRecord(
          model: model, video: nil, label: nil, method: method.label, metric: StudyMetricKind.sanity.rawValue,
          unit: "\(step.index):\(step.label)", order: measure.rawValue, value: v)
      }
    }
  }
}
