import Kernels
import TensorCore

/// The reference clip b of integrated gradients (`--baseline`), in the network's normalised
/// input space (clips are stored already normalised, Reference/FORMATS.md).
///
/// - `zero`: b = 0, the mean clip after normalisation — Captum's and Zennit's default.
/// - `black`: b = (0 − μ_c)/σ_c per channel c, the all-black clip after normalisation with the
///   Kinetics mean μ = (0.43216, 0.394666, 0.37645) and std σ = (0.22803, 0.22145, 0.216989)
///   (Reference/SOURCES.md) — Li et al.'s baseline (−1.8952, −1.7822, −1.7349 in their code), the default.
/// - `blur`: every frame of x blurred spatially with σ = 50 pixels (`blurSigma`,
///   `B.gaussianBlurSpatial`) — Sturmfels, Lundberg & Lee, "Visualizing the Impact of Feature
///   Attribution Baselines" (Distill 2020).
/// - `noise`: b = (u − μ_c)/σ_c with u ~ U[0, 1) per element, a uniformly random image in pixel
///   space, normalised — Sturmfels et al.'s uniform baseline.
/// - `first_frame`: every frame replaced by the clip's first frame (appearance kept, motion
///   removed).
///
/// **σ of the blur baseline.** 50 pixels is Blur IG's σ_max in Li-TCSVT (25 steps, σᵢ = 2i), so
/// integrated gradients with `--baseline blur` integrates along a straight line between the
/// same two clips that Blur IG joins by the blur path, and both have the same completeness
/// target s(x) − s(x(50)).
///
/// **Noise seeding.** Clip n of a request draws its uniforms from `SeededRNG(seed:
/// seed).split(n)`, row-major over C×T×H×W (channel slowest), in Double; a clip's baseline does
/// not depend on the other clips or on `batch`.
///
/// **Quantus differs.** Quantus' "black" baseline is the per-sample minimum of the input, not
/// the normalised black clip (`quantus/helpers/utils.py`, `get_baseline_dict`): on normalised data that is one value per clip (the
/// smallest element over all channels) applied to every channel — not (0 − μ_c)/σ_c.
public enum Baseline: String, Sendable, CaseIterable, CustomStringConvertible {
  case zero, black, blur, noise
  case firstFrame = "first_frame"

  public var description: String { rawValue }

  /// Kinetics-400 channel mean and std of Li et al. (their code's normalisation; Reference/SOURCES.md).
  public static let kineticsMean: [Double] = [0.43216, 0.394666, 0.37645]
  public static let kineticsStd: [Double] = [0.22803, 0.22145, 0.216989]
  /// σ (pixels) of the `blur` baseline.
  public static let blurSigma = 50.0

  /// Whether the baseline depends on the seed.
  public var isRandom: Bool { self == .noise }

  /// The baseline of every clip of x (N×3×T×H×W; `zero`, `blur` and `first_frame` accept any
  /// N×C×T×H×W).
  /// - Complexity: O(size of x); `blur` costs one spatial blur with ⌈4·50⌉ = 200 taps each way.
  public func make<B: KernelBackend>(for x: Tensor<B.Scalar>, seed: UInt64, backend: B.Type) -> Tensor<B.Scalar> {
    precondition(x.rank == 5, "baseline \(self): x \(Shape.describe(x.shape)) must be N×C×T×H×W")
    let (n, c, per) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3] * x.shape[4])
    switch self {
    case .zero:
      return Tensor<B.Scalar>.zeros(x.shape)
    case .black, .noise:
      precondition(c == 3, "baseline \(self) is defined for 3-channel (RGB) clips, got \(Shape.describe(x.shape))")
      var values: [Double] = []
      values.reserveCapacity(x.count)
      for clip in 0..<n {
        var rng = SeededRNG(seed: seed).split(UInt64(clip))
        for channel in 0..<c {
          let (mean, std) = (Self.kineticsMean[channel], Self.kineticsStd[channel])
          for _ in 0..<per {
            let pixel = self == .black ? 0 : rng.uniform()
            values.append((pixel - mean) / std)
          }
        }
      }
      return ScalarBridge.tensor(values, shape: x.shape)
    case .blur:
      return B.gaussianBlurSpatial(x, sigma: Self.blurSigma)
    case .firstFrame:
      return B.repeatInterleaveTime(x.frames(0..<1), factor: x.shape[2])
    }
  }
}
