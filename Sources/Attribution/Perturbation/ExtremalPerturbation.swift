import Kernels
import Networks
import TensorCore

/// Extremal perturbation on video: 2D-EP, 3D-EP and STEP (Li-v1, Li-TCSVT), and TorchRay's
/// image extremal perturbation (Fong et al. 2019) as the `torchray` preset on T = 1 clips.
///
/// For each clip and each area a, a smooth mask m ∈ [0, 1]^{T×H×W} (TorchRay's mask generator,
/// per frame or with a temporal lattice) is optimised so that the clip perturbed outside the
/// mask keeps the target's score, while the mask's sorted values match a ramp of ⌊|Ω|(1 − a)⌋
/// zeros and then ones (`ExtremalOptimization` gives the objective and the loop):
///
/// - `ep2d`: the ramp per frame — every frame keeps area a (Li-v1's per-frame baseline);
/// - `ep3d`: one ramp for the clip — one budget, spent on whichever frames the network needs
///   (Li-v1's extension; L_vol ≤ L_2D, Proofs/extremal-losses.md);
/// - `step`: `ep3d` plus the core loss L_K, which rewards masks made of n_K full
///   K_t×11×11 cores (Li-TCSVT).
///
/// The map (N×1×T×H×W) is Li et al.'s: the sum over areas of the last masks, each frame
/// smoothed by a Gaussian of σ = `smoothing` (10 pixels at 112×112), divided by its maximum.
/// `masks` (N×A×T×H×W) and `history` (N×iterations×A×3: reward loss, area loss, core loss)
/// are returned beside it.
///
/// Seeds: clip n of a request draws its tie orders from `SeededRNG(seed: seed).split(n)`, so a
/// clip's map does not depend on the batch.
///
/// - Complexity: `iterations` forward and backward passes of A perturbed copies per clip (2A for
///   the dual variant), plus O(A·T·Hp·Wp·log) per iteration for the sorts.
public struct ExtremalPerturbation: AttributionMethod {
  /// The three video methods.
  public enum Variant: String, Sendable, CaseIterable {
    case ep2d, ep3d, step

    /// Which elements share an area budget.
    public var grouping: AreaGrouping { self == .ep2d ? .frame : .clip }
  }

  public var variant: Variant
  public var settings: ExtremalSettings
  /// The preset the settings started from (nil: settings given whole).
  public var preset: ExtremalSettings.Preset?
  public var seed: UInt64
  /// Perturbed copies per forward pass: ⌊batch / A⌋ clips (⌊batch / 2A⌋ for dual) are optimised
  /// together, at least one.
  public var batch: Int
  /// Called with (clip, iteration) after every iteration, for progress on long runs.
  public var progress: (@Sendable (Int, Int) -> Void)?

  public init(
    _ variant: Variant, settings: ExtremalSettings? = nil, preset: ExtremalSettings.Preset? = nil, seed: UInt64 = 0,
    batch: Int = 8, progress: (@Sendable (Int, Int) -> Void)? = nil
  ) {
    self.variant = variant
    self.preset = settings == nil ? .tcsvt : preset
    self.settings =
      settings
      ?? .preset(.tcsvt, grouping: variant.grouping, core: variant == .step ? ExtremalSettings.CoreSettings() : nil)
    self.seed = seed
    self.batch = batch
    self.progress = progress
  }

  public var name: String { variant.rawValue }

  public var parameters: [String: String] {
    let s = settings
    var p: [String: String] = [
      "areas": s.areas.optionText, "iterations": "\(s.iterations)", "perturbation": s.perturbation.rawValue,
      "mask-step": s.maskStep.map { "\($0)" } ?? "scaled", "mask-sigma": s.maskSigma?.optionText ?? "scaled",
      "mask-step-t": s.maskStepT.map { "\($0)" } ?? "off", "mask-sigma-t": s.maskSigmaT?.optionText ?? "off",
      "reward": s.reward.rawValue, "variant": s.mode.rawValue, "reward-weight": s.rewardWeight.optionText,
      "learning-rate": s.learningRate.optionText, "momentum": s.momentum.optionText,
      "dampening": s.dampening.optionText, "area-weight": s.areaWeight.optionText,
      "area-growth": s.areaGrowth.optionText, "jitter": s.jitter.optionText, "ties": s.ties.rawValue,
      "smoothing": s.smoothing.optionText, "grouping": s.grouping.rawValue, "levels": "\(s.pyramidLevels)",
      "max-blur": s.maxBlur.optionText, "coldness": s.coldness.optionText, "seed": "\(seed)", "batch": "\(batch)",
      "preset": preset?.rawValue ?? "custom",
    ]
    if let core = s.core {
      p["core-frames"] = "\(core.frames)"
      p["core-size"] = core.size.map { "\($0)" } ?? "scaled"
      p["core-shape"] = core.shape.rawValue
      p["core-weight"] = core.weight.optionText
      p["core-start"] = "\(core.start)"
    }
    return p
  }

  /// The map is already smoothed and normalised to [0, 1]; its one channel is kept as it is.
  public var defaultPostProcessing: PostProcessing { PostProcessing(channels: .sum, normalization: .none) }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    guard x.rank == 5, x.shape[0] == targets.count else {
      throw AttributionError.inputShape(method: name, expected: "N×C×T×H×W with one target per clip", actual: x.shape)
    }
    if let bad = targets.first(where: { !(0..<network.classes).contains($0) }) {
      throw AttributionError.targetOutOfRange(target: bad, classes: network.classes)
    }
    let plan = try ExtremalPlan(settings: settings, clipShape: Array(x.shape.dropFirst()), method: name)
    try checkFinite(x)
    let optimisation = ExtremalOptimization<B>(
      settings: settings, geometry: plan.geometry, core: plan.core, sgd: plan.sgd)
    let n = x.shape[0], a = settings.areas.count
    let root = SeededRNG(seed: seed)
    var maps: [Tensor<B.Scalar>] = [], masks: [Tensor<B.Scalar>] = [], history: [Double] = []
    var scores: [Double] = []
    var start = 0
    // Clips per group: `batch` perturbed copies per pass, at least one clip's A (or 2A) rows.
    let perGroup = max(1, batch / (a * (settings.mode == .dual ? 2 : 1)))
    while start < n {
      let range = start..<min(n, start + perGroup)
      let xs = x.clips(range)
      let outcome = optimisation.run(
        xs, targets: Array(targets[range]), network: network, seeds: range.map { root.split(UInt64($0)) },
        progress: { t in if let progress { for c in range { progress(c, t) } } })
      for j in 0..<range.count {
        let m = outcome.masks.clips((j * a)..<((j + 1) * a))  // A×1×T×H×W
        masks.append(m)
        maps.append(Self.map(m, smoothing: plan.smoothing, B.self))
        // The group's history is iterations × (clips·A) × 3: take clip j's A rows of each iteration.
        for t in 0..<settings.iterations {
          let offset = (t * range.count + j) * a * 3
          history += outcome.history[offset..<(offset + a * 3)]
        }
      }
      scores += ScoreGradient.scores(network: network, input: xs, targets: Array(targets[range]), score: score)
      start = range.upperBound
    }
    let t = x.shape[2], h = x.shape[3], w = x.shape[4]
    let maskTensor = Tensor<Double>(converting: Tensor.concatenate(masks)).reshaped([n, a, t, h, w])
    return AttributionResult(
      map: Tensor.concatenate(maps), scores: scores, delta: nil,
      extras: [
        "masks": maskTensor,
        "history": Tensor(shape: [n, settings.iterations, a, 3], scalars: history),
      ])
  }

  /// Σ_a m_a (A×1×T×H×W → 1×1×T×H×W), each frame blurred by σ, divided by its maximum
  /// (left at 0 when the sum is 0 everywhere).
  static func map<B: KernelBackend>(_ masks: Tensor<B.Scalar>, smoothing: Double, _: B.Type) -> Tensor<B.Scalar> {
    let a = masks.shape[0]
    var sum = LayerMaps.channelSum(masks.reshaped([1, a] + Array(masks.shape.dropFirst(2))), B.self)
    if smoothing > 0 { sum = B.gaussianBlurSpatial(sum, sigma: smoothing) }
    let top = sum.scalars.max() ?? 0
    return top > 0 ? B.scale(sum, by: 1 / top) : sum
  }

  private func checkFinite<S: BinaryFloatingPoint>(_ x: Tensor<S>) throws {
    let per = x.count / max(x.shape[0], 1)
    if let i = x.scalars.firstIndex(where: { !$0.isFinite }) {
      throw AttributionError.nonFiniteInput(method: name, clip: i / per)
    }
  }
}
