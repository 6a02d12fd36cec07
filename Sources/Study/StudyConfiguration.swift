import Attribution
import Networks

/// What a study computes: which zoo models, which methods with which settings, which metrics,
/// on how many clips of the built-in benchmark's test split, with which seeds.
///
/// Two runs with equal configurations compute the same numbers (every random draw is seeded
/// from `seed`, the clip and the method), so a results folder states its configuration
/// (`study.json`) and refuses to be continued or merged under another one.
public struct StudyConfiguration: Codable, Sendable, Equatable {
  /// The package version that computed the results.
  public var version: String
  /// Zoo architectures; weights come from `Reference/models/<model>.safetensors`.
  public var models: [String]
  /// Methods with their options (as `vidattr attribute` spells them).
  public var methods: [StudyMethod]
  /// Metric names (`StudyMetricKind`).
  public var metrics: [String]
  /// The first `videos` clips of the test split (clip i has class i mod 11).
  public var videos: Int
  /// Root of every seed.
  public var seed: UInt64
  /// Clips of the built-in benchmark: frames and frame size.
  public var frames: Int
  public var size: Int
  /// Steps of the insertion and deletion curves.
  public var curveSteps: Int
  /// Block side of the block unit, in pixels.
  public var block: Int
  /// Clips whose maps are kept for the report's pictures.
  public var examples: Int
  /// How the sanity check randomises the model: "stages" (one step per stage, from the output
  /// down) or "network" (one step with every layer random, the last cascading step alone).
  public var sanityGranularity: String
  /// Clips the sanity check runs on (the first ones).
  public var sanityClips: Int

  public init(
    version: String, models: [String], methods: [StudyMethod], metrics: [String], videos: Int, seed: UInt64 = 0,
    frames: Int = 16, size: Int = 32, curveSteps: Int = 128, block: Int = 2, examples: Int = 2,
    sanityGranularity: String = "stages", sanityClips: Int = 4
  ) {
    self.version = version
    self.models = models
    self.methods = methods
    self.metrics = metrics
    self.videos = videos
    self.seed = seed
    self.frames = frames
    self.size = size
    self.curveSteps = curveSteps
    self.block = block
    self.examples = examples
    self.sanityGranularity = sanityGranularity
    self.sanityClips = sanityClips
  }

  /// The fields in which `other` differs from this configuration, by name (empty when equal).
  public func differences(from other: StudyConfiguration) -> [String] {
    var d: [String] = []
    if version != other.version { d.append("version (\(other.version) against \(version))") }
    if models != other.models { d.append("models") }
    if methods != other.methods { d.append("methods") }
    if metrics != other.metrics { d.append("metrics") }
    if videos != other.videos { d.append("videos (\(other.videos) against \(videos))") }
    if seed != other.seed { d.append("seed") }
    if frames != other.frames || size != other.size { d.append("clip size") }
    if curveSteps != other.curveSteps || block != other.block { d.append("curve settings") }
    if examples != other.examples { d.append("examples") }
    if sanityGranularity != other.sanityGranularity || sanityClips != other.sanityClips { d.append("sanity settings") }
    return d
  }
}

/// One method of a study and its options (option name → text), as the registry reads them.
public struct StudyMethod: Codable, Sendable, Equatable, Hashable {
  public var name: String
  public var options: [String: String]
  /// What the method explains (Li et al.: the probability, except where a method cannot).
  public var score: String

  public init(_ name: String, options: [String: String] = [:], score: ExplainedScore = .probability) {
    self.name = name
    self.options = options
    self.score = score.rawValue
  }

  /// The method built by the registry, seeded with `seed`.
  public func make(seed: UInt64, batch: Int = 8) throws -> any AttributionMethod {
    var o = MethodOptions()
    let entry = try MethodRegistry.entry(name)
    for (key, text) in options.sorted(by: { $0.key < $1.key }) {
      guard let option = entry.options.first(where: { $0.name == key }) else {
        throw AttributionError.optionsNotTaken(method: name, options: [key], takes: entry.options.map(\.name))
      }
      try o.set(option, text: text)
    }
    o.seed = seed
    o.batch = batch
    return try MethodRegistry.make(name, options: o)
  }

  /// A short label for tables: the name, and the options that differ from the method's defaults.
  public var label: String {
    options.isEmpty
      ? name
      : name + " (" + options.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"
  }
}

extension StudyConfiguration {
  /// The methods with the papers' settings (Li-TCSVT; Reference/SOURCES.md): the random map
  /// first (method 0 of the reliability measurement), gradients and their integrals, the CAM
  /// family with Li et al.'s resampling, excitation backprop, and the three extremal
  /// perturbations with `epIterations` iterations (1200 in the papers).
  public static func papersMethods(epIterations: Int, samples: Int = 25) -> [StudyMethod] {
    var methods = [
      StudyMethod("random"), StudyMethod("gradient"), StudyMethod("gradient_x_input"),
      StudyMethod("integrated_gradients", options: ["steps": "\(samples)"]),
      StudyMethod("blur_ig", options: ["steps": "\(samples)"]),
      StudyMethod("smoothgrad", options: ["samples": "\(samples)"]),
      StudyMethod("smoothgrad_sq", options: ["samples": "\(samples)"]),
      StudyMethod("guided_backprop"),
      StudyMethod("grad_cam", options: ["upsampling": "repeat-bilinear"]),
      StudyMethod("score_cam", options: ["upsampling": "repeat-bilinear"]),
      StudyMethod("excitation_backprop", options: ["upsampling": "repeat-bilinear"]),
    ]
    for ep in ["ep2d", "ep3d", "step"] {
      methods.append(StudyMethod(ep, options: epIterations == 1200 ? [:] : ["iterations": "\(epIterations)"]))
    }
    return methods
  }

  /// The zoo's four families (3D CNN, (2+1)D CNN, TSM, CNN-LSTM).
  public static let zooFamilies = ["r3d_mini", "r2plus1d_mini", "tsm_mini", "cnn_lstm_mini"]

  /// Every metric a study computes.
  public static let allMetrics = StudyMetricKind.allCases.map(\.rawValue)

  /// The default study (`vidattr study`): the zoo's four families, one test clip per class, every
  /// method and metric, with shortened settings so that it finishes within minutes on 2 cores:
  /// 8 integration steps and noise samples instead of 25, 60 extremal-perturbation iterations
  /// instead of 1200 (their masks are then far from converged: the EP rows are a smoke test),
  /// curves of 32 steps instead of 128, the sanity check as one step (every layer random) on two
  /// clips.
  public static func standard(version: String) -> StudyConfiguration {
    StudyConfiguration(
      version: version, models: zooFamilies, methods: papersMethods(epIterations: 60, samples: 8), metrics: allMetrics,
      videos: 11, curveSteps: 32, sanityGranularity: "network", sanityClips: 2)
  }

  /// The papers' settings (`vidattr study --full`): 25 steps and samples, 1200 EP iterations,
  /// 128-step curves, five test clips per class.
  public static func full(version: String) -> StudyConfiguration {
    StudyConfiguration(
      version: version, models: zooFamilies, methods: papersMethods(epIterations: 1200), metrics: allMetrics,
      videos: 55,
      curveSteps: 128)
  }
}
