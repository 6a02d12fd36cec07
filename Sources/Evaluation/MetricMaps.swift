import Attribution
import Kernels
import TensorCore

/// Attribution maps made ready for the metrics: checked, reduced to one channel, normalised as
/// the papers do, and brought to the clip's resolution.
///
/// Every metric ranks or locates voxels of an N×1×T×H×W map in the clip's own T×H×W, so a raw
/// N×C×T′×H′×W′ map goes through, in this order (Li et al.'s pipeline: the post-processed map is
/// what their code saves, and it is upsampled when an evaluation reads it):
/// 1. checks: rank 5, N clips, T′ ≤ T, H′ ≤ H, W′ ≤ W, every element finite;
/// 2. C > 1 (maps in input space): the channel reduction and per-clip normalisation of
///    `postProcessing` — the method's `defaultPostProcessing`, Li-TCSVT's choice per method
///    (mean or sum of |·| over channels, then (g − min)/(P − min) clipped to [0, 1] with P the
///    99th, 99.9th percentile or the maximum). **C = 1** (CAM-type maps, extremal-perturbation
///    masks) is used as it is: those maps already are the method's one-channel output;
/// 3. a map coarser than the clip is resized trilinearly to T×H×W (PyTorch's
///    `F.interpolate(mode="trilinear", align_corners=False)`, `Literal.resizeTrilinear`); Li
///    et al. resize bilinearly per frame, the same function when T′ = T.
///
/// One implementation serves both paths: it runs in Double on the map as stored (a Float map
/// converts exactly), so the literal and the fast metrics rank exactly the same numbers.
public enum MetricMaps {
  /// The prepared maps, N×1×T×H×W in Double.
  ///
  /// - Parameters:
  ///   - raw: N×C×T′×H′×W′ maps (an attribution file's `attribution`).
  ///   - clipShape: the clips' shape N×3×T×H×W.
  ///   - postProcessing: the reduction and normalisation of maps with C > 1.
  /// - Throws: `MetricError.mapShape` when the map does not fit the clips,
  ///   `.nonFiniteMap(clip:)` for NaN or ±∞ (the first clip holding one).
  /// - Complexity: O(N·C·T′·H′·W′ + N·T·H·W), plus a sort per clip for a percentile normalisation.
  public static func prepare<S: BinaryFloatingPoint>(
    _ raw: Tensor<S>, clipShape: [Int], postProcessing: PostProcessing
  ) throws -> Tensor<Double> {
    try validate(raw.shape, clipShape: clipShape)
    let n = raw.shape[0], perClip = raw.count / max(n, 1)
    for clip in 0..<n where !raw.scalars[(clip * perClip)..<((clip + 1) * perClip)].allSatisfy({ $0.isFinite }) {
      throw MetricError.nonFiniteMap(clip: clip)
    }
    var map = Tensor<Double>(converting: raw)
    if map.shape[1] > 1 { map = postProcessing.apply(map) }
    let target = Size3(clipShape[2], clipShape[3], clipShape[4])
    if Array(map.shape[2...]) != target.array { map = Literal.resizeTrilinear(map, size: target) }
    return map
  }

  /// Checks that a map of shape `shape` can be prepared for clips of shape `clipShape`.
  /// - Throws: `MetricError.mapShape`.
  public static func validate(_ shape: [Int], clipShape: [Int]) throws {
    precondition(clipShape.count == 5, "clip shape \(Shape.describe(clipShape)) must be N×3×T×H×W")
    let (n, t, h, w) = (clipShape[0], clipShape[2], clipShape[3], clipShape[4])
    let expected = "\(n)×C×T′×H′×W′ with C ≥ 1 and T′ ≤ \(t), H′ ≤ \(h), W′ ≤ \(w) (upsampled to \(t)×\(h)×\(w))"
    guard shape.count == 5, shape[0] == n, shape[1] >= 1,
      (1...t).contains(shape[2]), (1...h).contains(shape[3]), (1...w).contains(shape[4])
    else { throw MetricError.mapShape(expected: expected, actual: shape) }
  }
}

extension MetricMaps {
  /// The post-processing the papers apply to maps of method `method` (an attribution file's
  /// `method` metadata): the registered method's `defaultPostProcessing`, which depends on the
  /// method only, not on its options.
  /// - Throws: `AttributionError.unknownMethod` for a name the registry does not know, or what
  ///   building the method with its default options throws.
  public static func postProcessing(method: String) throws -> PostProcessing {
    try MethodRegistry.make(method, options: MethodOptions()).defaultPostProcessing
  }
}
