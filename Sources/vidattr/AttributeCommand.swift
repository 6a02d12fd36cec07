import ArgumentParser
import Foundation
import VideoAttribution

extension ExplainedScore: ExpressibleByArgument {}

/// `vidattr attribute`: raw attribution maps for the clips of a clip file.
struct AttributeCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "attribute",
    abstract: "Compute attribution maps for the clips of a clip file.",
    discussion: """
      Writes an attribution file (safetensors: attribution N×C×T×H×W raw, target, score, delta for \
      integrated gradients; metadata: method, parameters, path, seed, version) and optionally a \
      picture: one row per clip, its frames with the post-processed map laid over them.
      Methods: \(MethodRegistry.entries.map { "\n  \($0.name): \($0.summary)" }.joined())
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

  @Option(help: "Integration or perturbation steps.") var steps: Int?
  @Option(help: "Integrated-gradients quadrature rule.") var rule: String?
  @Option(help: "Baseline (integrated gradients, DeepLIFT).") var baseline: String?
  @Option(help: "Noise samples (SmoothGrad family).") var samples: Int?
  @Option(help: "Noise level: fraction of the clip's range (or absolute with --noise-absolute).") var noise: Double?
  @Flag(help: "Treat --noise as an absolute standard deviation (Captum's convention).") var noiseAbsolute = false
  @Option(help: "Layer (module path) for CAM-type and excitation methods.") var layer: String?
  @Option(help: "Grad-CAM weights: per-frame (Li et al.) or clip (Captum).") var camWeights: String?
  @Option(help: "Grad-CAM ReLU on the map: on or off.") var relu: String?
  @Option(help: "Upsampling of layer maps: trilinear or nearest.") var upsampling: String?
  @Option(help: "LRP-ε's ε.") var epsilon: Double?
  @Option(help: "LRP-αβ's α.") var alpha: Double?
  @Option(help: "LRP-αβ's β.") var beta: Double?
  @Option(help: "Contrastive excitation backprop's contrast layer.") var contrastLayer: String?
  @Option(help: "Seed of anything random.") var seed: UInt64 = 0
  @Option(help: "Clips per internal forward/backward pass (bounds memory).") var batch: Int = 8

  @Option(help: "Output attribution file (.safetensors); written atomically.")
  var output: String

  @Option(help: "Also write a PNG: frames with the post-processed map laid over them.")
  var picture: String?

  func methodOptions() throws -> MethodOptions {
    var o = MethodOptions()
    o.steps = steps
    o.rule = rule
    o.baseline = baseline
    o.samples = samples
    o.noise = noise
    o.noiseAbsolute = noiseAbsolute ? true : nil
    o.layer = layer
    o.camWeights = camWeights
    if let r = relu {
      guard r == "on" || r == "off" else { throw ValidationError("--relu must be on or off, got \(r)") }
      o.relu = r == "on"
    }
    o.upsampling = upsampling
    o.epsilon = epsilon
    o.alpha = alpha
    o.beta = beta
    o.contrastLayer = contrastLayer
    o.seed = seed
    o.batch = batch
    return o
  }

  func run() throws {
    let method = try MethodRegistry.make(self.method, options: methodOptions())
    let clips = try ClipFile.read(contentsOf: input)
    let weights = try WeightsFile.read(contentsOf: modelOptions.weights)
    let result: AttributionResult<Float>
    let targets: [Int]
    switch modelOptions.path {
    case .fast:
      let net: Network<FastBackend> = try weights.network(modelOptions.model)
      (result, targets) = try attribute(method, net, clips.input)
    case .literal:
      let net: Network<LiteralBackend<Double>> = try weights.network(modelOptions.model)
      let (r, t) = try attribute(method, net, Tensor<Double>(converting: clips.input))
      result = AttributionResult(map: Tensor<Float>(converting: r.map), scores: r.scores, delta: r.delta)
      targets = t
    }
    let metadata: [String: String] = [
      "method": method.name, "parameters": AttributionFile.parametersJSON(method.parameters),
      "score": score.rawValue, "path": modelOptions.path.rawValue, "seed": "\(seed)",
      "model": modelOptions.model.rawValue, "weights": modelOptions.weights, "input": input,
      "version": videoAttributionVersion,
    ]
    try AttributionFile(
      attribution: result.map, targets: targets, scores: result.scores, delta: result.delta, metadata: metadata
    ).write(to: output)
    note("wrote \(method.name) maps \(Shape.describe(result.map.shape)) to \(output)")
    if let picture {
      let heat = Tensor<Float>(converting: method.defaultPostProcessing.apply(result.map))
      let image = try HeatMapSheet().render(
        clips: clips.input, normalization: Synthetic.normalization, heat: heat, boxes: clips.boxes)
      try PNG.write(image, to: picture)
      note("wrote the picture (\(method.defaultPostProcessing)) to \(picture)")
    }
  }

  private func attribute<B: KernelBackend>(_ method: any AttributionMethod, _ net: Network<B>, _ x: Tensor<B.Scalar>)
    throws -> (AttributionResult<B.Scalar>, [Int])
  {
    try net.validate(inputShape: x.shape)
    let n = x.shape[0]
    let targets: [Int]
    if let t = target {
      guard (0..<net.classes).contains(t) else {
        throw AttributionError("--target \(t) is outside the model's classes 0…\(net.classes - 1)")
      }
      targets = Array(repeating: t, count: n)
    } else {
      targets = (0..<n).map { i in
        let logits = net.logits(Batching.clips(x, i..<(i + 1)))
        return logits.scalars.indices.max { logits.scalars[$0] < logits.scalars[$1] } ?? 0
      }
    }
    return (try method.attribute(x, targets: targets, network: net, score: score), targets)
  }
}
