import Kernels
import Networks
import TensorCore

/// SmoothGrad (Smilkov et al., "SmoothGrad: removing noise by adding noise", 2017), its squared
/// variant SmoothGrad² and VarGrad (Adebayo et al., "Local Explanation Methods for Deep Neural
/// Networks Lack Sensitivity to Parameter Values", ICLR workshop 2018): statistics of the
/// gradients at S noisy copies x + εₛ of each clip, εₛ ~ N(0, σ²) per element
/// (`NoiseAverage`):
///
///     smoothgrad = (1/S) Σₛ gₛ,   smoothgrad_sq = (1/S) Σₛ gₛ²,   vargrad = (1/S) Σₛ (gₛ − smoothgrad)²
///
/// Shapes: x N×3×T×H×W → map N×3×T×H×W (raw).
///
/// **Noise level.** σ = `noise`·(max x − min x) over the whole clip (all channels, frames and
/// pixels), Li et al.'s `stdev_spread` (visual_meth/smooth_grad.py) and Smilkov et al.'s
/// convention — or σ = `noise` itself with `noiseIsAbsolute` (Captum's NoiseTunnel `stdevs`).
///
/// **Noise values.** Clip n's sample s uses `SeededRNG(seed: seed).split(n).split(s)`: standard
/// normals z in row-major order over C×T×H×W (channel slowest), scaled as σ·z in Double, then
/// rounded to the path's scalar. So a clip's noise depends only on (seed, n, s): the same
/// whether clips are attributed together or one at a time, and the same on the literal and
/// fast paths up to Float rounding.
///
/// **Defaults (Li-TCSVT; Reference/SOURCES.md).** 25 samples, σ = 0.15·range; heat map Σ_c |·| normalised by
/// the 99.9th percentile, for all three variants (Li's `smooth_grad` post-processes them alike).
/// Captum: 5 samples, σ = 1.0 absolute; Zennit: 20 samples, σ = 0.1·range (`captum/attr/_core/noise_tunnel.py`, `zennit/attribution.py`). Li's
/// VarGrad is `torch.var` (unbiased, divided by S − 1); this one divides by S, as Captum's
/// (E[g²] − E[g]²) — the same heat map after percentile normalisation.
///
/// - Complexity: S forward + backward passes per clip, plus one forward pass per clip for s(x).
public struct SmoothGrad: AttributionMethod {
  public enum Variant: String, Sendable, CaseIterable {
    case smoothgrad
    case smoothgradSquared = "smoothgrad_sq"
    case vargrad

    var statistic: NoiseAverage.Statistic {
      switch self {
      case .smoothgrad: return .mean
      case .smoothgradSquared: return .meanOfSquares
      case .vargrad: return .variance
      }
    }
  }

  public var variant: Variant
  public var samples: Int
  /// σ as a fraction of the clip's range, or absolute when `noiseIsAbsolute`.
  public var noise: Double
  public var noiseIsAbsolute: Bool
  public var seed: UInt64
  public var batch: Int
  /// Test hook: εₙₛ (absolute, C×T×H×W values row-major) for clip n and sample s instead of the
  /// seeded normals — lets a cross-check feed a peer the very same noise.
  package var noiseOverride: (@Sendable (Int, Int) -> [Double])?

  /// Li-TCSVT's settings by default.
  public init(
    _ variant: Variant = .smoothgrad, samples: Int = 25, noise: Double = 0.15, noiseIsAbsolute: Bool = false,
    seed: UInt64 = 0, batch: Int = 8
  ) {
    self.variant = variant
    self.samples = samples
    self.noise = noise
    self.noiseIsAbsolute = noiseIsAbsolute
    self.seed = seed
    self.batch = batch
  }

  public var name: String { variant.rawValue }
  public var parameters: [String: String] {
    [
      "samples": "\(samples)", "noise": "\(noise)", "noise-absolute": noiseIsAbsolute.optionText, "seed": "\(seed)",
      "batch": "\(batch)",
    ]
  }
  public var defaultPostProcessing: PostProcessing {
    PostProcessing(channels: .sumAbs, normalization: .percentile(99.9))
  }

  /// σ of clip n of x: `noise`, or `noise`·(max − min) of the clip.
  public func sigma<S: BinaryFloatingPoint & Sendable>(of x: Tensor<S>, clip n: Int) -> Double {
    if noiseIsAbsolute { return noise }
    let per = x.count / x.shape[0]
    let (lo, hi) = ScalarBridge.extrema(x, (n * per)..<((n + 1) * per))
    return noise * (hi - lo)
  }

  /// The seeded noise of clip n, sample s: σ·z, z standard normals row-major, in Double.
  public func seededNoise(count: Int, sigma: Double, clip n: Int, sample s: Int) -> [Double] {
    var rng = SeededRNG(seed: seed).split(UInt64(n)).split(UInt64(s))
    return (0..<count).map { _ in sigma * rng.normal() }
  }

  public func attribute<B: KernelBackend>(
    _ x: Tensor<B.Scalar>, targets: [Int], network: Network<B>, score: ExplainedScore
  ) throws -> AttributionResult<B.Scalar> {
    let pointShape = [1] + Array(x.shape.dropFirst())
    let per = x.count / max(x.shape[0], 1)
    let sigmas = (0..<x.shape[0]).map { sigma(of: x, clip: $0) }
    let noise: (Int, Int) -> Tensor<B.Scalar> = { n, s in
      let values = noiseOverride?(n, s) ?? seededNoise(count: per, sigma: sigmas[n], clip: n, sample: s)
      precondition(values.count == per, "noise of clip \(n) sample \(s) has \(values.count) values, need \(per)")
      return ScalarBridge.tensor(values, shape: pointShape)
    }
    return try NoiseAverage.gradients(
      x, samples: samples, statistic: variant.statistic, noise: noise, batch: batch,
      score: .network(network, targets: targets, score: score), backend: B.self)
  }
}
