import ArgumentParser
import Foundation
import VideoAttribution

extension SanityCheck.Test: ExpressibleByArgument {}
extension SanityCheck.LayerGranularity: ExpressibleByArgument {}

/// `vidattr sanity`: Adebayo et al.'s sanity checks of attribution methods on a network.
struct SanityCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "sanity",
    abstract: "Sanity checks of attribution methods: model randomisation, random logit, data randomisation.",
    discussion: """
      For every method, compares the maps of the clips on the trained network with the maps after a \
      change (Adebayo et al. 2018): cascading or independent re-initialisation of the layers from the \
      output down (each layer with PyTorch's initialiser, from a stream of its own seeded by --seed), \
      the map of a random other class (random_logit), or the maps of the same architecture trained on \
      permuted labels (data_randomization, --permuted-weights). Maps are reduced to Σ_c |m_c|, scaled \
      by their maximum, and compared clip by clip: Spearman's ρ over all voxels, SSIM (7×7 windows, \
      frame by frame, averaged), and Pearson's correlation of the frames' HOG descriptors (frames of \
      at least 24×24 pixels).

      Writes one JSON line per method, step and measure: {"method", "test", "step", "layer", \
      "randomized" (number of random layers), "measure", "mean", "clips": [per-clip values]} (null \
      where a measure is undefined, e.g. the correlation with an all-zero map). Progress on stderr.

      Method options (`vidattr methods NAME`) may follow; each method gets those it takes. With \
      `--methods all`, a method that cannot run on the network (a backward rule or a layer it \
      lacks) is skipped with its reason on stderr.
      """)

  @OptionGroup var modelOptions: ModelOptions

  @Option(help: "Clip file (safetensors with an `input` tensor).")
  var input: String

  @Option(help: "Methods, comma-separated, or `all` (every registered method).")
  var methods: String = "gradient"

  @Option(help: "cascading, independent, random_logit or data_randomization.")
  var test: SanityCheck.Test = .cascading

  @Option(help: "Layers randomised per step: layers (every layer with parameters) or stages.")
  var granularity: SanityCheck.LayerGranularity = .layers

  @Option(help: "Similarity measures, comma-separated: spearman, ssim, hog.")
  var measures: String = "spearman,ssim,hog"

  @Option(help: "Weights of the same architecture trained on permuted labels (data_randomization).")
  var permutedWeights: String?

  @Option(help: "Target class: one for every clip (default: each clip's predicted class).")
  var target: Int?

  @Option(help: "What is explained: logit (default) or probability.")
  var score: ExplainedScore = .logit

  @Option(help: "Seed of the re-initialisation and of the random classes.") var seed: UInt64 = 0
  @Option(help: "Clips per internal forward/backward pass (bounds memory).") var batch: Int = 8

  @Option(help: "Output JSON lines file (default: stdout); written atomically.")
  var output: String?

  @Argument(parsing: .allUnrecognized, help: "Method options (--steps 3, --samples 5, …).")
  var methodArguments: [String] = []

  func parsedMeasures() throws -> [SimilarityMeasure] {
    try measures.split(separator: ",").map {
      guard let m = SimilarityMeasure(rawValue: String($0)) else {
        throw ValidationError("--measures: unknown measure '\($0)' (spearman, ssim, hog)")
      }
      return m
    }
  }

  /// Every requested method, each built with the given options it takes.
  func makeMethods() throws -> [any AttributionMethod] {
    let names = methods == "all" ? MethodRegistry.names : methods.split(separator: ",").map(String.init)
    do {
      let given = try MethodOptions.parse(arguments: methodArguments)
      return try names.map { name in
        let entry = try MethodRegistry.entry(name)
        var options = MethodOptions()
        options.seed = seed
        options.batch = batch
        for option in entry.options {
          if let v = given.value(named: option.name) { try options.set(option, text: v.optionText) }
        }
        return try MethodRegistry.make(name, options: options)
      }
    } catch let e as AttributionError {
      throw ValidationError(e.message(naming: { "--" + $0 }))
    }
  }

  func validate() throws {
    _ = try makeMethods()
    _ = try parsedMeasures()
    guard batch >= 1 else { throw ValidationError("--batch must be ≥ 1, got \(batch)") }
    if test == .dataRandomization && permutedWeights == nil {
      throw ValidationError("--test data_randomization needs --permuted-weights")
    }
  }

  func run() throws {
    let clips = try ClipFile.read(contentsOf: input)
    let task = Task(
      command: self, methods: try makeMethods(), measures: try parsedMeasures(),
      weights: try WeightsFile.read(contentsOf: modelOptions.weights),
      permuted: try permutedWeights.map { try WeightsFile.read(contentsOf: $0) }, clips: clips.input)
    let lines = try modelOptions.path.run(task)
    let text = lines.map { $0 + "\n" }.joined()
    if let output {
      try AtomicFile.write(bytes: Array(text.utf8), to: output)
      note("wrote \(lines.count) lines to \(output)")
    } else {
      FileHandle.standardOutput.write(Data(text.utf8))
    }
  }

  struct Task: BackendTask {
    let command: SanityCommand
    let methods: [any AttributionMethod]
    let measures: [SimilarityMeasure]
    let weights: WeightsFile
    let permuted: WeightsFile?
    let clips: Tensor<Float>

    func run<B: KernelBackend>(on backend: B.Type) throws -> [String] {
      let c = command
      let network: Network<B> = try weights.network(c.modelOptions.model)
      let permutedNetwork: Network<B>? = try permuted.map { try $0.network(c.modelOptions.model) }
      let x = Tensor<B.Scalar>(converting: clips)
      try network.validate(inputShape: x.shape)
      let targets = try (c.target.map { TargetSelection.fixed($0) } ?? .predicted).resolve(
        for: x, network: network, batch: c.batch)
      var lines: [String] = []
      for (k, method) in methods.enumerated() {
        note("[\(k + 1)/\(methods.count)] \(method.name): \(c.test.rawValue)")
        let check = SanityCheck(
          method: method, score: c.score, comparison: MapComparison(measures: measures), seed: c.seed,
          granularity: c.granularity)
        let report: SanityCheck.Report
        do {
          switch c.test {
          case .cascading, .independent:
            report = try check.randomization(c.test, network: network, clips: x, targets: targets) {
              step, steps, label in
              note("  step \(step + 1)/\(steps): \(label)")
            }
          case .randomLogit:
            report = try check.randomLogit(network: network, clips: x, targets: targets)
          case .dataRandomization:
            report = try check.dataRandomization(
              trained: network, permuted: permutedNetwork!, clips: x, targets: targets)
          }
        } catch let e as AttributionError where c.methods == "all" {
          // `all` asks for every method that applies: one that cannot run on this network is
          // skipped with its reason (a method named explicitly fails the command instead).
          switch e {
          case .unsupportedRule, .unsuitableNetwork, .unsuitableLayer:
            note("  skipped: \(e.message(naming: { "--" + $0 }))")
            continue
          default: throw e
          }
        }
        for step in report.steps {
          for measure in measures {
            var line = JSONLine()
            line["method"] = method.name
            line["test"] = c.test.rawValue
            line["step"] = step.index
            line["layer"] = step.label
            line["randomized"] = step.randomized.count
            line["measure"] = measure.rawValue
            line["mean"] = step.mean[measure] ?? Double.nan
            if let others = report.otherClasses { line["other_classes"] = others }
            // The per-clip values, an array of numbers (null where undefined) after the scalar fields.
            let values = step.clips.map { JSONLine.encode($0[measure] ?? Double.nan) }.joined(separator: ",")
            lines.append(String(line.text.dropLast()) + ",\"clips\":[" + values + "]}")
          }
        }
      }
      return lines
    }
  }
}
