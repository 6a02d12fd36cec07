import Kernels
import Networks
import TensorCore

/// Grad-CAM (Selvaraju et al., ICCV 2017) at any convolutional layer of a video network.
///
/// With A = the layer's output (N×K×t×h×w) and G = ∂s_c/∂A (s the explained score):
///
///     per-frame (Li et al.):  α[n,k,τ] = (1/(h·w)) Σ_{i,j} G[n,k,τ,i,j],  m[n,τ,i,j] = Σ_k α[n,k,τ]·A[n,k,τ,i,j]
///     clip (Captum, pytorch-grad-cam): α[n,k] = (1/(t·h·w)) Σ_{τ,i,j} G[n,k,τ,i,j],  m = Σ_k α[n,k]·A[n,k]
///     map = upsample(ReLU(m)) to T×H×W (ReLU optional),
///
/// N×1×T×H×W, raw (before the min–max normalisation of `defaultPostProcessing`).
///
/// Li et al. (Li-TCSVT; Reference/SOURCES.md): layer4 of R(2+1)D (512×2×7×7 for 16×112²), layer4 per frame for TSM,
/// ResNet layer3 per frame for the CNN-LSTM; per-frame weights, ReLU, min–max over the clip;
/// time repeated ×8 and space bilinear (see `Upsampling` for how trilinear relates). For the 2-D
/// networks the layer keeps every frame (t = T), so only space is resized.
///
/// Peers (Reference/attribution/cam_excitation): Captum's `LayerGradCam` uses clip
/// weights and no ReLU by default (`relu_attributions=False`); pytorch-grad-cam's `GradCAM` uses
/// clip weights, ReLU, min–max, then `scipy.ndimage.zoom` (cubic spline) to the input size;
/// TorchRay's `grad_cam` averages the gradient over dims (2, 3) only, which on N×K×t×h×w
/// averages over t and h but not w — a silently wrong map on video.
///
/// `--layer` may be a stage (the backward pass stops there) or any module path (captured).
/// - Complexity: one forward and one backward pass per clip (the backward stops at the layer
///   when it is a stage), plus O(K·t·h·w + T·H·W) per clip.
public struct GradCAM: AttributionMethod {
  /// How the channel weights are pooled from the gradient.
  public enum Weighting: String, Sendable, CaseIterable {
    /// Spatial mean per layer frame (Li et al.).
    case perFrame = "per-frame"
    /// Mean over the whole layer grid (Captum's LayerGradCam, pytorch-grad-cam).
    case clip
  }

  /// Module path; nil means `Architecture.defaultCAMLayer`.
  public var layer: String?
  public var weighting: Weighting
  public var relu: Bool
  public var upsampling: Upsampling
  public var batch: Int

  public init(
    layer: String? = nil, weighting: Weighting = .perFrame, relu: Bool = true, upsampling: Upsampling = .trilinear,
    batch: Int = 8
  ) {
    self.layer = layer
    self.weighting = weighting
    self.relu = relu
    self.upsampling = upsampling
    self.batch = batch
  }

  public var name: String { "grad_cam" }
  public var parameters: [String: String] {
    [
      "layer": layer ?? "default", "cam-weights": weighting.rawValue, "relu": relu.optionText,
      "upsampling": upsampling.rawValue, "batch": "\(batch)",
    ]
  }
  /// Min–max over the clip (Li et al.).
  public var defaultPostProcessing: PostProcessing { PostProcessing(channels: .sum, normalization: .minMax) }

  /// The map at the layer's resolution, N×1×t×h×w (after the optional ReLU, before upsampling),
  /// for at most `batch` clips per pass.
  public func layerMap<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    try LayerMaps.checkTargets(targets, x, network)
    let l = try LayerMaps.resolve(layer, network: network, method: name)
    return try Batching.run(x, targets: targets, batch: batch) { xs, ts in
      let pass = ScoreGradient(
        network: network, input: xs, targets: ts, score: score, capture: [l.path], stopAt: l.isStage ? l.path : nil)
      let a = try LayerMaps.requireVideo(pass.tape.activations[l.path], layer: l.path, method: name)
      let g = pass.tape.gradients[l.path]!
      return AttributionResult(
        map: Self.combine(activation: a, gradient: g, weighting, relu: relu, B.self), scores: pass.scores)
    }
  }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    var r = try layerMap(x, targets: targets, network: network, score: score)
    r.map = LayerMaps.upsample(r.map, to: x.shape, upsampling, B.self)
    return r
  }

  /// Σ_k α_k ⊙ A_k (optionally ReLU'd) from a layer's activation and gradient.
  package static func combine<B: KernelBackend>(
    activation a: Tensor<B.Scalar>, gradient g: Tensor<B.Scalar>, _ weighting: Weighting, relu: Bool, _: B.Type
  ) -> Tensor<B.Scalar> {
    let frames = weighting == .perFrame ? a.shape[2] : 1
    let alpha = B.adaptiveAvgPool3d(g, outputSize: Size3(frames, 1, 1))
    let m = LayerMaps.weightedChannelSum(a, weights: alpha, B.self)
    return relu ? B.relu(m) : m
  }
}
