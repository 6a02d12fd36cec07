import ArgumentParser
import Foundation
import Synchronization
import VideoAttribution

extension ExplainedScore: ExpressibleByArgument {}

/// `vidattr attribute`: raw attribution maps for the clips of a clip file.
///
/// Method options are not declared here: each is declared once in the library
/// (`MethodOption+Catalogue.swift`), the words after the command's own options are parsed
/// against those declarations (`MethodOptions.parse(arguments:)`), and the help lists every
/// method with its options from the registry.
struct AttributeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attribute",
    abstract: "Compute attribution maps for the clips of a clip file.",
    discussion: """
      Writes an attribution file (safetensors: attribution N×C×T×H×W raw, target, score, delta for \
      integrated gradients; metadata: method, parameters, path, seed, version) and optionally a \
      picture: one row per clip, its frames with the post-processed map laid over them.

      Methods (`vidattr methods NAME` lists a method's options, written --name value after the \
      other options; a method refuses options it does not take):
      \(MethodRegistry.entries.map { "  \($0.name)" }.joined(separator: "\n"))
      """)

  @OptionGroup var modelOptions: ModelOptions

  @Option(help: "Clip file (safetensors with an `input` tensor).")
  var input: String

  @Option(help: "Attribution method (see the list above).")
  var method: String

  @Option(help: "Target class: one for every clip (default: each clip's predicted class).")
  var target: Int?

  @Option(help: "What is explained: logit (default, as Captum and TorchRay) or probability (as Li et al.).")
  var score: ExplainedScore = .logit

  @Option(help: "Seed of anything random.") var seed: UInt64 = 0
  @Option(help: "Clips per internal forward/backward pass (bounds memory).") var batch: Int = 8

  @Option(help: "Output attribution file (.safetensors); written atomically.")
  var output: String

  @Option(help: "Also write a PNG: frames with the post-processed map laid over them.")
  var picture: String?

  @Argument(parsing: .allUnrecognized, help: "Method options (--steps 25, --rule gauss_legendre, …; see above).")
  var methodArguments: [String] = []

  /// The method with its options, or a `ValidationError` spelling option names as flags.
  func makeMethod() throws -> any AttributionMethod {
    do {
      var options = try MethodOptions.parse(arguments: methodArguments)
      options.seed = seed
      options.batch = batch
      return try MethodRegistry.make(method, options: options)
    } catch let e as AttributionError {
      throw ValidationError(e.message(naming: { "--" + $0 }))
    }
  }

  func validate() throws { _ = try makeMethod() }

  func run() throws {
    var method = try makeMethod()
    let clips = try ClipFile.read(contentsOf: input)
    if var ep = method as? ExtremalPerturbation {
      // Thousands of forward/backward passes per clip: report progress.
      let n = clips.input.shape[0], iterations = ep.settings.iterations
      let progress = ProgressReporter("\(ep.name), clip-iterations", total: n * iterations)
      let counts = Mutex([Int](repeating: 0, count: n))
      ep.progress = { clip, _ in
        let done = counts.withLock { c in
          c[clip] += 1
          return c.reduce(0, +)
        }
        progress.update(done: done)
      }
      method = ep
    }
    let weights = try WeightsFile.read(contentsOf: modelOptions.weights)
    let request = AttributionRun(
      method: method, targets: target.map { .fixed($0) } ?? .predicted, score: score, path: modelOptions.path,
      batch: batch)
    let outcome = try request.run(weights: weights, architecture: modelOptions.model, clips: clips.input)
    let metadata = request.metadata(extra: [
      "seed": "\(seed)", "model": modelOptions.model.rawValue, "weights": modelOptions.weights, "input": input,
      "version": videoAttributionVersion,
    ])
    let r = outcome.result
    try AttributionFile(
      attribution: r.map, targets: outcome.targets, scores: r.scores, delta: r.delta,
      extras: r.extras.mapValues { Tensor<Float>(converting: $0) }, metadata: metadata
    ).write(to: output)
    note("wrote \(method.name) maps \(Shape.describe(r.map.shape)) to \(output)")
    if let picture {
      let heat = Tensor<Float>(converting: method.defaultPostProcessing.apply(r.map))
      let image = try HeatMapSheet().render(
        clips: clips.input, normalization: Synthetic.normalization, heat: heat, boxes: clips.boxes)
      try PNG.write(image, to: picture)
      note("wrote the picture (\(method.defaultPostProcessing)) to \(picture)")
    }
  }
}
