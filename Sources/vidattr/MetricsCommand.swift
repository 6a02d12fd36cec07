import ArgumentParser
import Foundation
import VideoAttribution

extension PerturbationBase: ExpressibleByArgument {}
extension PointingGame.Acceptance: ExpressibleByArgument {}
extension PostProcessing.ChannelReduction: ExpressibleByArgument {}

/// `vidattr metrics`: insertion/deletion, pointing games, evidence mass and temporal
/// faithfulness of attribution maps, one JSON line per clip and metric.
struct MetricsCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "metrics",
    abstract: "Measure attribution maps: insertion/deletion AUC, pointing games, evidence mass, temporal faithfulness.",
    discussion: """
      Metrics (--metrics, comma-separated): \(MetricKind.allCases.map(\.rawValue).joined(separator: ", ")).
      insertion/deletion run the network (N·(m+1) passes per unit and order: m = ⌈U/s⌉ steps of s = ⌈U/steps⌉ \
      units); temporal_faithfulness runs it N·(T+1) times; the pointing games need `boxes`/`keyframes` and \
      `label`, evidence_mass needs `evidence` in the clip file (`vidattr dataset export` writes them).

      Maps: the attribution file's maps N×C×T′×H′×W′ are prepared as the papers do before anything is ranked \
      or located: a map with C > 1 is reduced over channels and normalised per clip with its method's \
      post-processing (from the file's `method`: e.g. gradient mean |·| and (g − min)/(P99.9 − min) clipped \
      to [0, 1]; override with --channels and --normalization); a map with C = 1 (CAM-type maps, extremal \
      masks) is used as it is; a map coarser than the clip is then resized trilinearly to T×H×W.

      Ranking ties: MoRF takes units by importance descending, equal importances by unit number ascending \
      ((t, h, w) order); LeRF is exactly the reverse.

      Output: one JSON line per clip and metric — {"index", "metric", "unit", "order", "value", "curve", …} \
      (value = AUC for insertion/deletion, hit rate for the pointing game, 1/0 for the temporal pointing \
      game, the share for evidence_mass, Pearson's ρ for temporal_faithfulness; null where undefined) — \
      then a summary line per metric ("index": null, "summary": "mean" or "class_mean"). Every input is \
      checked before any work: bad input writes nothing.
      """)

  @OptionGroup var modelOptions: ModelOptions

  @Option(help: "Clip file (input, and label/boxes/evidence/keyframes for the ground-truth metrics).")
  var input: String

  @Option(help: "Attribution file (`vidattr attribute --output`).")
  var attribution: String

  @Option(help: "Metrics, comma-separated (see above).")
  var metrics: String

  @Option(
    help:
      "Units of insertion/deletion, comma-separated: voxel, block (k×k per frame, --block), segments (per frame, --segments), segments3d."
  )
  var unit: String = "block"

  @Option(help: "Block size k of the block unit (7 at 112², Li et al.'s).")
  var block: Int = 7

  @Option(help: "Label maps for the segments unit: safetensors with `segments` (integer N×T×H×W), e.g. supervoxels.")
  var segments: String?

  @Option(help: "Orders, comma-separated: morf (most relevant first, the papers'), lerf.")
  var order: String = "morf"

  @Option(help: "Base of removed voxels: fade (0 in normalised space, the papers') or blur (RISE's 11×11 blur).")
  var base: PerturbationBase = .fade

  @Option(help: "Requested steps n of insertion/deletion (m = ⌈U/⌈U/n⌉⌉ ≤ n; m = n when n divides U).")
  var steps: Int = 128

  @Option(help: "Perturbed clips per network pass (bounds memory).")
  var batch: Int = 8

  @Option(help: "Score on the curves: probability (softmax, the papers') or logit.")
  var score: ExplainedScore = .probability

  @Option(help: "Target class for every clip (default: the attribution file's targets, what the maps explain).")
  var target: Int?

  @Option(help: "Pointing-game tolerance in pixels (default 7·min(H, W)/112: 7 px at 112², 2 px at 32²).")
  var tolerance: Double?

  @Option(
    help:
      "Pointing-game hit test: box (the box grown by the tolerance, Li et al.) or disc (distance < tolerance, TorchRay)."
  )
  var pointing: PointingGame.Acceptance = .box

  @Option(help: "Channel reduction of maps with C > 1 (default: the method's).")
  var channels: PostProcessing.ChannelReduction?

  @Option(help: "Per-clip normalisation of maps with C > 1: p<q> (e.g. p99.9), minmax or none (default: the method's).")
  var normalization: String?

  @Option(help: "Output file (.jsonl), written atomically at the end (default: standard output).")
  var output: String?

  @Option(help: "Directory for SVG plots of the insertion/deletion curves (one per clip and unit).")
  var plot: String?

  func validate() throws {
    do {
      _ = try MetricKind.parse(list: metrics)
      _ = try units()
      _ = try orders()
    } catch let e as MetricError {
      throw ValidationError(e.message(naming: { "--" + $0 }))
    }
    if let normalization { _ = try parseNormalization(normalization) }
  }

  func units() throws -> [PerturbationUnit] {
    try list(unit).map { word in
      switch word {
      case "voxel": return .voxel
      case "block": return .block(block)
      case "segments": return .segments(perFrame: true)
      case "segments3d": return .segments(perFrame: false)
      default:
        throw MetricError.invalidSetting(name: "unit", value: word, expected: "voxel, block, segments or segments3d")
      }
    }
  }

  func orders() throws -> [RankingOrder] {
    try list(order).map { word in
      guard let o = RankingOrder(rawValue: word) else {
        throw MetricError.invalidSetting(name: "order", value: word, expected: "morf or lerf")
      }
      return o
    }
  }

  func list(_ s: String) -> [String] {
    s.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
  }

  func parseNormalization(_ s: String) throws -> PostProcessing.Normalization {
    switch s {
    case "minmax": return .minMax
    case "none": return .none
    default:
      if s.hasPrefix("p"), let q = Double(s.dropFirst()), (0...100).contains(q) { return .percentile(q) }
      throw ValidationError("--normalization \(s) is not valid: expected p<q> with 0 ≤ q ≤ 100, minmax or none")
    }
  }

  func run() throws {
    do {
      try measure()
    } catch let e as MetricError {
      throw MetricsInputError(description: e.message(naming: { "--" + $0 }))
    }
  }

  func measure() throws {
    let metricList = try MetricKind.parse(list: metrics)
    let clips = try ClipFile.read(contentsOf: input)
    let file = try AttributionFile.read(contentsOf: attribution)
    let method = file.metadata["method"] ?? "unknown"
    var post: PostProcessing
    if let p = try? MetricMaps.postProcessing(method: method) {
      post = p
    } else if file.attribution.shape.count == 5, file.attribution.shape[1] > 1, channels == nil || normalization == nil
    {
      throw MetricsInputError(
        description:
          "the attribution file's method \"\(method)\" is not a known method: give --channels and --normalization")
    } else {
      post = PostProcessing(channels: .absMean, normalization: .none)
    }
    if let channels { post.channels = channels }
    if let normalization { post.normalization = try parseNormalization(normalization) }
    let targets = target.map { Array(repeating: $0, count: clips.count) } ?? file.targets
    let labelMaps = try segments.map { try Self.readSegments($0, clips: clips) }
    let inputs = try MetricInputs(
      clips: clips, rawMaps: file.attribution, postProcessing: post, targets: targets, segments: labelMaps)
    let request = MetricRun(
      metrics: metricList, units: try units(), orders: try orders(), base: base, steps: steps, batch: batch,
      score: score, pointing: PointingGame(tolerance: tolerance, acceptance: pointing), path: modelOptions.path)
    let weights = try WeightsFile.read(contentsOf: modelOptions.weights)
    // Everything that can be checked without the network is checked here, before any pass.
    try request.validate(inputs, classes: try weights.configuration(for: modelOptions.model).classes)
    let passes = request.passes(inputs)
    note(
      "\(method) maps \(Shape.describe(file.attribution.shape)) prepared with \(C1Note(file, post)); \(passes) network passes"
    )
    let bar = passes > 0 ? ProgressBar(total: passes, label: "metrics") : nil
    let records = try request.run(
      weights: weights, architecture: modelOptions.model, inputs: inputs, progress: { bar?.update($0) })

    let text = records.map(\.jsonLine).joined(separator: "\n") + "\n"
    if let plot { try writePlots(records, directory: plot) }
    if let output {
      try AtomicFile.write(bytes: Array(text.utf8), to: output)
      note("wrote \(records.count) lines to \(output)")
    } else {
      FileHandle.standardOutput.write(Data(text.utf8))
    }
    for r in records where r.index == nil {
      let v = r.value.map { String(format: "%.4f", $0) } ?? "undefined"
      note(
        "\(r.metric)\(r.unit.map { " [\($0)" + (r.order.map { ", \($0)" } ?? "") + "]" } ?? ""): \(r.summary ?? "") \(v) over \(r.clips ?? 0) clips"
      )
    }
  }

  /// How the maps were prepared, for the log.
  func C1Note(_ file: AttributionFile, _ post: PostProcessing) -> String {
    file.attribution.shape.count == 5 && file.attribution.shape[1] == 1 ? "C = 1, used as it is" : "\(post)"
  }

  /// One SVG per clip and unit with its insertion/deletion curves.
  func writePlots(_ records: [MetricRecord], directory: String) throws {
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let curves = records.filter { $0.index != nil && $0.curve != nil }
    var groups: [String: [MetricRecord]] = [:]
    var keys: [String] = []
    for r in curves {
      let key = "clip\(r.index!)_\(r.unit ?? "unit")"
      if groups[key] == nil { keys.append(key) }
      groups[key, default: []].append(r)
    }
    for key in keys {
      let rs = groups[key]!
      let series = rs.map { CurvePlot.Series(label: "\($0.metric) \($0.order ?? "")", points: $0.curve!) }
      let svg = CurvePlot.svg(
        title: "clip \(rs[0].index!), \(rs[0].unit ?? ""), target \(rs[0].target ?? -1), \(base) base", series: series,
        yLabel: score.rawValue)
      try AtomicFile.write(bytes: Array(svg.utf8), to: directory + "/" + key + ".svg")
    }
    note("wrote \(keys.count) plots to \(directory)")
  }

  /// The `segments` tensor (integer N×T×H×W) of a safetensors file, one label list per clip.
  static func readSegments(_ path: String, clips: ClipFile) throws -> [[Int64]] {
    let f = try SafeTensors.read(contentsOf: path)
    let s = clips.input.shape
    let expected = [s[0], s[2], s[3], s[4]]
    let labels = try f.int64(named: "segments")
    guard labels.shape == expected else {
      throw MetricError.groundTruthShape(name: "segments", expected: Shape.describe(expected), actual: labels.shape)
    }
    let per = s[2] * s[3] * s[4]
    return (0..<s[0]).map { Array(labels.scalars[($0 * per)..<(($0 + 1) * per)]) }
  }
}

/// Inputs `vidattr metrics` cannot measure (the message spells settings as flags).
struct MetricsInputError: Error, CustomStringConvertible {
  var description: String
}
