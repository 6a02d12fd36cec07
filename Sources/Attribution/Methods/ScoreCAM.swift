import Kernels
import Networks
import TensorCore

/// Score-CAM (Wang et al., CVPR-W 2020) on video, as Li et al. run it (Li-TCSVT).
///
/// With A the layer's output (N×K×t×h×w), for every channel k of clip n:
///
///     U_k = upsample(A[n, k]) to T×H×W
///     M_k = (U_k − min U_k) / (max U_k − min U_k)     (min and max over the whole T×H×W; 0 if constant)
///     s_k = s_c(x_n ⊙ M_k)                             (the explained score of the masked clip)
///     map[n] = ReLU(Σ_k s_k·M_k),                      N×1×T×H×W.
///
/// Li et al. (`score_cam`): time repeated, space bilinear, masks min–max normalised over the
/// clip with +1e-7 in the denominator, s_k their model's output (p_c when it ends in a softmax)
/// and the sum of score-weighted masks, ReLU, min–max. Here the upsampling is `--upsampling`
/// (trilinear by default) and a constant channel gives a zero mask instead of dividing by 1e-7.
///
/// Differences from the paper and pytorch-grad-cam (Reference/attribution/cam_excitation): Wang
/// et al. and pytorch-grad-cam weight the *activations* with softmax_k(s_k), map =
/// upsample(ReLU(Σ_k softmax(s)_k A_k)) — a convex combination at the layer's resolution —
/// while Li et al. and this method add the masks weighted by the raw scores; pytorch-grad-cam's
/// `ScoreCAM` upsamples with `UpsamplingBilinear2d` (align_corners=True) and fails on 5-D
/// activations.
///
/// Memory: at most `batch` masked clips exist at a time; every clip costs K forward passes,
/// run `batch` at a time.
/// - Complexity: 1 + K forward passes per clip (K = the layer's channels), plus O(K·T·H·W).
public struct ScoreCAM: AttributionMethod {
  public var layer: String?
  public var upsampling: Upsampling
  public var batch: Int

  public init(layer: String? = nil, upsampling: Upsampling = .trilinear, batch: Int = 8) {
    self.layer = layer
    self.upsampling = upsampling
    self.batch = batch
  }

  public var name: String { "score_cam" }
  public var parameters: [String: String] {
    ["layer": layer ?? "default", "upsampling": upsampling.rawValue, "batch": "\(batch)"]
  }
  public var defaultPostProcessing: PostProcessing { PostProcessing(channels: .sum, normalization: .minMax) }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    try LayerMaps.checkTargets(targets, x, network)
    let l = try LayerMaps.resolve(layer, network: network, method: name)
    return try Batching.run(x, targets: targets, batch: batch) { xs, ts in
      let tape = Tape<B>(mode: .inference, rule: .gradient, capture: [l.path])
      let logits = network.forward(xs, tape: tape)
      let a = try LayerMaps.requireVideo(tape.activations[l.path], layer: l.path, method: name)
      let probabilities = score == .probability ? B.softmax(logits) : nil
      let scores = score.scores(logits: logits, targets: ts, probabilities: probabilities)
      var maps: [Tensor<B.Scalar>] = []
      for n in 0..<ts.count {
        maps.append(
          clipMap(
            xs.clips(n..<(n + 1)), target: ts[n], activation: a.clips(n..<(n + 1)),
            network: network, score: score))
      }
      return AttributionResult(map: Tensor.concatenate(maps), scores: scores)
    }
  }

  /// ReLU(Σ_k s_k·M_k) for one clip x (1×3×T×H×W) and its activation (1×K×t×h×w).
  func clipMap<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, target: Int, activation a: Tensor<B.Scalar>, network: Network<B>, score: ExplainedScore
  ) -> Tensor<B.Scalar> {
    let channels = a.shape[1]
    let perChannel = a.reshaped([channels, 1] + Array(a.shape[2...]))  // K×1×t×h×w
    var sum = Tensor<B.Scalar>(shape: [1, 1] + Array(x.shape[2...]), repeating: 0)
    var start = 0
    while start < channels {
      let range = start..<min(channels, start + batch)
      let masks = Self.masks(perChannel.clips(range), clipShape: x.shape, upsampling, B.self)  // b×1×T×H×W
      let masked = B.multiply(
        Tensor.concatenate(Array(repeating: x, count: range.count)), LayerMaps.repeatChannels(masks, x.shape[1], B.self)
      )
      let scores = ScoreGradient<B>.scores(
        network: network, input: masked, targets: Array(repeating: target, count: range.count), score: score)
      // Σ_k s_k·M_k, one channel at a time in k order: the rounding of the sum does not depend
      // on how the channels were chunked into batches (P-ATTR-1).
      for (j, s) in scores.enumerated() {
        sum = B.add(sum, B.scale(masks.clips(j..<(j + 1)), by: B.Scalar(s)))
      }
      start = range.upperBound
    }
    return B.relu(sum)
  }

  /// Upsampled, min–max normalised masks: b×1×t×h×w → b×1×T×H×W, each mask scaled to [0, 1]
  /// over its whole T×H×W (0 where the channel is constant). The extremes come from a max pool
  /// over the whole grid (the minimum as −max(−U)).
  package static func masks<B: KernelBackend>(
    _ u: Tensor<B.Scalar>, clipShape: [Int], _ upsampling: Upsampling, _: B.Type
  ) -> Tensor<B.Scalar> {
    let up = LayerMaps.upsample(u, to: clipShape, upsampling, B.self)
    let grid = Size3(up.shape[2], up.shape[3], up.shape[4])
    let whole = Pool3DGeometry(kernel: grid)
    let maxima = B.maxPool3d(up, geometry: whole).output
    let minima = B.scale(B.maxPool3d(B.scale(up, by: -1), geometry: whole).output, by: -1)
    let shifted = B.subtract(up, B.resizeNearest(minima, size: grid))
    return B.divideOrZero(shifted, B.resizeNearest(B.subtract(maxima, minima), size: grid))
  }
}
