import Kernels
import Networks
import TensorCore

/// Class activation mapping (Zhou et al., CVPR 2016) on video: Saliency Tubes (Stergiou et al.,
/// ICIP 2019) for 3-D CNNs.
///
/// For a network whose head is global average pooling followed by one linear layer,
/// y_c = Σ_k w[c,k]·mean_{τ,i,j} A[k,τ,i,j] + b_c, the map is
///
///     m[n, τ, i, j] = Σ_k w[c_n, k]·A[n, k, τ, i, j],   map = upsample(m) to T×H×W,
///
/// N×1×T×H×W, raw (no ReLU, bias not included), so that mean_{τ,i,j} m + b_c = y_c exactly
/// (Proofs/cam-excitation.md, P-CAM-1: Grad-CAM's clip weights are w[c,k]/(t·h·w), so CAM is
/// Grad-CAM without ReLU times the number of layer positions).
///
/// Defined where the head is GAP + linear: VideoResNet (layer4 → avgpool → fc) and TSM
/// (base_model.layer4 → per-frame avgpool → new_fc per frame → mean over frames, which is one
/// global average followed by new_fc, since both are linear and every frame has the same h×w).
/// The CNN-LSTM's head (fc6, fc7, LSTM) is not linear: refused. `--layer` must be the stage that
/// feeds the pooling (the default). Saliency Tubes and Li et al. upsample to the clip; min–max
/// for display.
/// - Complexity: one forward pass per clip, plus O(K·t·h·w + T·H·W).
public struct CAM: AttributionMethod {
  public var layer: String?
  public var upsampling: Upsampling
  public var batch: Int

  public init(layer: String? = nil, upsampling: Upsampling = .trilinear, batch: Int = 8) {
    self.layer = layer
    self.upsampling = upsampling
    self.batch = batch
  }

  public var name: String { "cam" }
  public var parameters: [String: String] {
    ["layer": layer ?? "default", "upsampling": upsampling.rawValue, "batch": "\(batch)"]
  }
  public var defaultPostProcessing: PostProcessing { PostProcessing(channels: .sum, normalization: .minMax) }

  /// The stage feeding a GAP + linear head and the classifier weight K×C; throws when the
  /// network's head is not of that form or `layer` is another layer.
  func head<B: KernelBackend>(_ network: Network<B>) throws -> (layer: String, weight: Tensor<B.Scalar>) {
    let modules = network.root.modules
    let head = ClassifierHead(network)
    guard let weight = head.weight,
      let first = modules[..<head.index].lastIndex(where: { !($0 is AdaptiveAveragePool<B> || $0 is Flatten<B>) })
    else {
      throw AttributionError.unsuitableNetwork(
        method: name, architecture: "\(network.architecture)",
        reason: "cam needs a head of global average pooling and one linear layer; this head is recurrent (use grad_cam)"
      )
    }
    let tail = modules[(first + 1)...]
    let pooling = tail.compactMap { $0 as? AdaptiveAveragePool<B> }
    let isLinearHead =
      tail.allSatisfy { $0 is AdaptiveAveragePool<B> || $0 is Flatten<B> || $0 is Linear<B> || $0 is FrameLinear<B> }
      && tail.filter({ $0 is Linear<B> || $0 is FrameLinear<B> }).count == 1
      && pooling.allSatisfy { $0.outputSize.h == 1 && $0.outputSize.w == 1 && ($0.keepTime || $0.outputSize.t == 1) }
      && pooling.contains { !$0.keepTime }
    guard isLinearHead else {
      throw AttributionError.unsuitableNetwork(
        method: name, architecture: "\(network.architecture)",
        reason: "cam needs a head of global average pooling and one linear layer; this head is "
          + tail.map(\.path).joined(separator: " → ") + " (use grad_cam)")
    }
    let stage = modules[first].path
    if let layer, layer != stage {
      throw AttributionError.unsuitableLayer(
        method: name, layer: layer,
        reason: "is not the layer that feeds the global average pooling (\(stage)), where cam alone is defined; "
          + "grad_cam works at any layer")
    }
    return (stage, weight)
  }

  /// The map at the layer's resolution, N×1×t×h×w.
  public func layerMap<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    try LayerMaps.checkTargets(targets, x, network)
    let (layerPath, w) = try head(network)
    let (k, c) = (w.shape[0], w.shape[1])
    return try Batching.run(x, targets: targets, batch: batch) { xs, ts in
      let tape = Tape<B>(mode: .inference, rule: .gradient, capture: [layerPath])
      let logits = network.forward(xs, tape: tape)
      let a = try LayerMaps.requireVideo(tape.activations[layerPath], layer: layerPath, method: name)
      precondition(a.shape[1] == c, "cam: layer \(layerPath) has \(a.shape[1]) channels, classifier \(k)×\(c)")
      // α[n, k] = w[c_n, k], N×C×1×1×1.
      var alpha = Tensor<B.Scalar>(shape: [ts.count, c, 1, 1, 1], repeating: 0)
      for (n, target) in ts.enumerated() {
        for j in 0..<c { alpha.scalars[n * c + j] = w.scalars[target * c + j] }
      }
      let probabilities = score == .probability ? B.softmax(logits) : nil
      return AttributionResult(
        map: LayerMaps.weightedChannelSum(a, weights: alpha, B.self),
        scores: score.scores(logits: logits, targets: ts, probabilities: probabilities))
    }
  }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    var r = try layerMap(x, targets: targets, network: network, score: score)
    r.map = LayerMaps.upsample(r.map, to: x.shape, upsampling, B.self)
    return r
  }
}
