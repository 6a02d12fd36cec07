import Kernels
import Networks
import TensorCore

/// Guided Grad-CAM (Selvaraju et al., ICCV 2017): the guided-backpropagation map times the
/// upsampled Grad-CAM map, broadcast over the input's channels,
///
///     map[n, c, t, i, j] = GBP[n, c, t, i, j] · CAM[n, 0, t, i, j],
///
/// N×3×T×H×W, with GBP the guided-backprop gradient of the explained score (`RuleSaliency`)
/// and CAM the `GradCAM` map with the same layer, weights, ReLU and upsampling options.
///
/// Captum's `GuidedGradCam` always applies the ReLU to its `LayerGradCam` (clip weights) and
/// upsamples it with `F.interpolate(mode="nearest")` by default (`interpolate_mode`); its
/// equivalent here is `--cam-weights clip --upsampling nearest`. Li et al. do not run it; the
/// default post-processing follows their guided backprop (max_c |·|, 99.9th percentile).
/// - Complexity: two forward and two backward passes per clip (gradient, guided backprop).
public struct GuidedGradCAM: AttributionMethod {
  public var gradCAM: GradCAM
  public var batch: Int { gradCAM.batch }

  public init(_ gradCAM: GradCAM = GradCAM()) { self.gradCAM = gradCAM }

  public var name: String { "guided_grad_cam" }
  public var parameters: [String: String] { gradCAM.parameters }
  public var defaultPostProcessing: PostProcessing {
    PostProcessing(channels: .maxAbs, normalization: .percentile(99.9))
  }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    try require(.guidedBackprop, on: network)
    try LayerMaps.checkTargets(targets, x, network)
    var cam = gradCAM
    cam.batch = batch
    return try Batching.run(x, targets: targets, batch: batch) { xs, ts in
      let c = try cam.attribute(xs, targets: ts, network: network, score: score)
      let guided = ScoreGradient(network: network, input: xs, targets: ts, score: score, rule: .guidedBackprop)
      let map = B.multiply(guided.gradient, LayerMaps.repeatChannels(c.map, xs.shape[1], B.self))
      return AttributionResult(map: map, scores: c.scores)
    }
  }
}
