import Kernels
import Networks
import TensorCore

/// Excitation backprop (Zhang et al., ECCV 2016) and its contrastive variant, read at a layer,
/// in TorchRay's form (`torchray/attribution/excitation_backprop.py`; `BackwardRule.excitation`).
///
/// The top-down signal starts as the one-hot of the target class at the logits (TorchRay's
/// `get_backward_gradient`; no softmax, whatever the explained score — a winning probability
/// needs a distribution at the top). Stages above the classifier (TSM's average over frames)
/// pass it as their plain gradient (TorchRay does not patch that mean), so the classifier's
/// output holds a distribution. Every linear layer (conv with batch norm folded, linear,
/// average pool) then passes p_in = a ⊙ W⁺ᵀ(p ⊘ W⁺a), biases dropped; ReLU and max pool pass
/// the plain gradient; residual sums split p in proportion to h⁺ and s⁺. The LSTM head of the
/// CNN-LSTM runs excitation backprop for RNNs (Bargal et al. 2018, `RecurrentHead`), whose
/// output signal sums to T per clip (Li et al.'s T·g/Σg) and continues frame by frame.
///
///     excitation_backprop:              P = signal at the layer (N×K×t×h×w),  map = Σ_k P
///     contrastive_excitation_backprop:  P = signal(c) − signal(dual c),        map = ReLU(Σ_k P)
///
/// upsampled to T×H×W. The dual pass negates the classifier's weight (w⁺ of −W is the negative
/// part's magnitude); following TorchRay it runs down to `contrastLayer`, the two signals are
/// subtracted there (no clamp) and the difference continues down to the layer. The backward
/// pass is linear in its signal for a fixed forward pass, so the result does not depend on the
/// contrast layer (P-EB-2). Li et al. (Li-TCSVT) read both at layer4 for R(2+1)D and TSM.
///
/// Departures from TorchRay (Reference/attribution/cam_excitation, P-RULES-3): TorchRay passes
/// batch norm's backward unchanged and drops the conv's bias, which equals folding batch norm
/// whenever every BN scale γ/√(σ²+ε) is positive; it copies p to both summands of a residual
/// sum (so Σp doubles per block) unless its `update_resnet` patch is applied to a torchvision
/// ResNet, which splits in proportion to h and s (signed). TorchRay's contrastive map clamps
/// at 0 as here; its plain map is Σ_k P unclamped, as here. Li et al. post-process with
/// |·|, min, 99th percentile (`defaultPostProcessing`).
/// - Complexity: one forward pass and one backward pass (two for the contrastive variant, plus
///   the continuation from the contrast layer) per clip, stopping at the layer when it is a stage.
public struct ExcitationBackprop: AttributionMethod {
  public var layer: String?
  public var contrastive: Bool
  /// Contrastive variant: the stage where the two signals are subtracted; nil means the
  /// architecture's default CAM layer (TorchRay's examples use the last conv block), or the
  /// layer itself when the layer is higher.
  public var contrastLayer: String?
  public var upsampling: Upsampling
  public var batch: Int

  public init(
    layer: String? = nil, contrastive: Bool = false, contrastLayer: String? = nil, upsampling: Upsampling = .trilinear,
    batch: Int = 8
  ) {
    self.layer = layer
    self.contrastive = contrastive
    self.contrastLayer = contrastLayer
    self.upsampling = upsampling
    self.batch = batch
  }

  public var name: String { contrastive ? "contrastive_excitation_backprop" : "excitation_backprop" }
  public var parameters: [String: String] {
    var p = ["layer": layer ?? "default", "upsampling": upsampling.rawValue, "batch": "\(batch)"]
    if contrastive { p["contrast-layer"] = contrastLayer ?? "default" }
    return p
  }
  /// Li et al.: |·|, then (g − min)/(P₉₉ − min) clipped to [0, 1].
  public var defaultPostProcessing: PostProcessing { PostProcessing(channels: .absSum, normalization: .percentile(99)) }

  /// The signal at the layer, N×K×t×h×w, before the channel sum (contrastive: the difference,
  /// before the clamp), for at most `batch` clips per pass.
  public func signal<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    try require(.excitation, on: network)
    try LayerMaps.checkTargets(targets, x, network)
    let l = try LayerMaps.resolve(layer, network: network, method: name)
    let head = ClassifierHead(network)
    let stages = network.stagePaths
    var contrast = l
    if contrastive {
      let requested = contrastLayer ?? network.architecture.defaultCAMLayer
      guard let li = stages.firstIndex(of: l.path), let ci = stages.firstIndex(of: requested) else {
        throw AttributionError.unsuitableLayer(
          method: name, layer: stages.contains(l.path) ? requested : l.path,
          reason: "is not a stage of \(network.architecture); the layer and the contrast layer must be stages "
            + "(\(stages.joined(separator: ", ")))")
      }
      guard ci < head.index else {
        throw AttributionError.unsuitableLayer(
          method: name, layer: requested,
          reason: "is not below the classifier \(head.stagePath); a contrast layer must be")
      }
      // A contrast layer below the layer would subtract after the layer was read: use the layer.
      contrast = LayerMaps.Layer(path: ci >= li ? requested : l.path, isStage: true)
    }
    var capture: Set<String> = l.isStage ? [] : [l.path]
    if !head.above.isEmpty { capture.insert(head.stagePath) }
    return try Batching.run(x, targets: targets, batch: batch) { xs, ts in
      let tape = Tape<B>(mode: .inference, rule: .excitation, capture: capture)
      let logits = network.forward(xs, tape: tape)
      let probabilities = score == .probability ? B.softmax(logits) : nil
      let scores = score.scores(logits: logits, targets: ts, probabilities: probabilities)
      let seed = head.seed(
        LayerMaps.oneHot(ts, classes: network.classes), classifierOutput: tape.activations[head.stagePath])
      let p: Tensor<B.Scalar>
      if contrastive {
        tape.negatedWeights = [head.weightPath]
        let dual = network.backward(seed, tape: tape, stopAt: contrast.path, resumeFrom: head.stagePath)
        tape.negatedWeights = []
        let normal = network.backward(seed, tape: tape, stopAt: contrast.path, resumeFrom: head.stagePath)
        let difference = B.subtract(normal, dual)
        p =
          contrast.path == l.path
          ? difference : network.backward(difference, tape: tape, stopAt: l.path, resumeFrom: contrast.path)
      } else {
        let r = network.backward(seed, tape: tape, stopAt: l.isStage ? l.path : nil, resumeFrom: head.stagePath)
        p = l.isStage ? r : tape.gradients[l.path]!
      }
      return AttributionResult(map: try LayerMaps.requireVideo(p, layer: l.path, method: name), scores: scores)
    }
  }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    var r = try signal(x, targets: targets, network: network, score: score)
    let summed = LayerMaps.channelSum(r.map, B.self)
    r.map = LayerMaps.upsample(contrastive ? B.relu(summed) : summed, to: x.shape, upsampling, B.self)
    return r
  }
}
