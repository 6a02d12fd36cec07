import Kernels
import RealModule

/// Every setting of an extremal-perturbation run, with the presets of the papers and of TorchRay.
///
/// The three video methods differ only in the area loss and the core loss (Li-TCSVT):
/// `ep2d` keeps area a in every frame (`AreaGrouping.frame`), `ep3d` gives the clip one budget
/// (`.clip`), `step` is `ep3d` plus STEP's core loss L_K. Frame-size dependent lengths (mask
/// step and σ, the core's spatial size, the final smoothing) are given at 112×112, as in the
/// papers, and scaled with min(H, W)/112 when not set.
public struct ExtremalSettings: Sendable, Equatable {
  /// The area fractions a, optimised together as one batch.
  public var areas: [Double]
  public var iterations: Int
  /// `blur` (TorchRay's pyramid) or `fade` (m ⊙ x).
  public var perturbation: Perturbation
  /// Pyramid levels and the σ of the most blurred one (TorchRay: 8, 20 pixels).
  public var pyramidLevels: Int = 8
  public var maxBlur: Double = 20
  /// Lattice step and σ of the mask generator in pixels, nil = 7 and 11 scaled from 112×112.
  public var maskStep: Int?
  public var maskSigma: Double?
  /// The 3D generator's lattice step and σ along time, nil = every frame on its own (as the
  /// authors' code).
  public var maskStepT: Int?
  public var maskSigmaT: Double?
  /// The smooth max's coldness (TorchRay: 20).
  public var coldness: Double = 20
  /// Which elements share one area budget.
  public var grouping: AreaGrouping
  /// STEP's core loss: nil for none.
  public var core: CoreSettings?
  public var reward: ExtremalReward
  public var mode: ExtremalMode = .preserve
  /// Weight w of the reward loss (Li-v1: 100).
  public var rewardWeight: Double = 1
  /// SGD on the mask lattice.
  public var learningRate: Double
  public var momentum: Double = 0.9
  public var dampening: Double = 0.9
  /// λ_a(t) = areaWeight·areaGrowth^t.
  public var areaWeight: Double = 300
  public var areaGrowth: Double
  /// Horizontal flip of the perturbed clip on even iterations (TorchRay's jitter).
  public var jitter: Bool
  /// How equal mask values are ordered when sorted.
  public var ties: Ties
  /// σ of the per-frame Gaussian smoothing of the final map at 112×112 (Li et al.: 10 pixels;
  /// 0: none).
  public var smoothing: Double

  /// STEP's core loss: λ_K(t) = 0 for t ≤ `start`, `weight` after (Li et al. switch it on after
  /// iteration 100).
  public struct CoreSettings: Sendable, Equatable {
    public var frames: Int
    /// The core's spatial size at 112×112 (11), nil: scaled from it.
    public var size: Int?
    public var shape: CoreShape
    public var weight: Double = 300
    public var start: Int = 100

    public init(frames: Int = 8, size: Int? = nil, shape: CoreShape = .ellipsoid) {
      self.frames = frames
      self.size = size
      self.shape = shape
    }
  }

  public enum Perturbation: String, Sendable, CaseIterable {
    case blur, fade
  }

  /// `random`: a permutation from the seeded generator before each sort, as the papers'
  /// `torch.randperm`; `stable`: by index, so that another implementation can be compared
  /// iteration by iteration.
  public enum Ties: String, Sendable, CaseIterable {
    case random, stable
  }

  /// Where the settings come from.
  public enum Preset: String, Sendable, CaseIterable {
    /// Li-TCSVT (the authors' `video_perturbation`): areas {0.05, 0.1, 0.15, 0.5}, 1200
    /// iterations, blur, −log p_c, SGD lr 0.05, λ_a = 300·1.0008668^t, core 8×11×11 from
    /// iteration 101 with weight 300, random ties, final smoothing σ = 10 pixels.
    case tcsvt
    /// Li-v1: as tcsvt but fade, reward weight 100, λ_a = 300 constant, 2000 iterations.
    case v1
    /// TorchRay's `extremal_perturbation` on images: area 0.1, 800 iterations, blur, y_c,
    /// lr 0.01, λ = 300·1.0035^t, step 7, σ 21 (not scaled), jitter, no smoothing.
    case torchray
  }

  public init(
    areas: [Double], iterations: Int, perturbation: Perturbation, grouping: AreaGrouping, core: CoreSettings?,
    reward: ExtremalReward, learningRate: Double, areaGrowth: Double, jitter: Bool, ties: Ties, smoothing: Double
  ) {
    self.areas = areas
    self.iterations = iterations
    self.perturbation = perturbation
    self.grouping = grouping
    self.core = core
    self.reward = reward
    self.learningRate = learningRate
    self.areaGrowth = areaGrowth
    self.jitter = jitter
    self.ties = ties
    self.smoothing = smoothing
  }

  /// The settings of `preset` for one of the three video methods (`grouping` and `core` from
  /// the method: frame / clip / clip + core).
  public static func preset(_ preset: Preset, grouping: AreaGrouping, core: CoreSettings?) -> ExtremalSettings {
    switch preset {
    case .tcsvt:
      return ExtremalSettings(
        areas: [0.05, 0.1, 0.15, 0.5], iterations: 1200, perturbation: .blur, grouping: grouping, core: core,
        reward: .logProbability, learningRate: 0.05, areaGrowth: 1.0008668, jitter: false, ties: .random, smoothing: 10)
    case .v1:
      var s = ExtremalSettings.preset(.tcsvt, grouping: grouping, core: core)
      s.perturbation = .fade
      s.rewardWeight = 100
      s.areaGrowth = 1
      s.iterations = 2000
      return s
    case .torchray:
      var s = ExtremalSettings(
        areas: [0.1], iterations: 800, perturbation: .blur, grouping: grouping, core: core, reward: .simple,
        learningRate: 0.01, areaGrowth: 1.0035, jitter: true, ties: .stable, smoothing: 0)
      s.maskStep = 7
      s.maskSigma = 21
      return s
    }
  }

  /// λ_a at iteration t (0-based).
  public func areaWeight(at t: Int) -> Double { areaWeight * Double.pow(areaGrowth, Double(t)) }

  /// λ_K at iteration t (0-based): 0 until the core starts.
  public func coreWeight(at t: Int) -> Double {
    guard let core else { return 0 }
    return t > core.start ? core.weight : 0
  }

  /// A length given at 112×112, scaled to a frame of `size` pixels (its shorter side).
  static func scaled(_ length: Double, to size: Int) -> Double { length * Double(size) / 112 }
}
