import Kernels

// The options of extremal perturbation (ep2d, ep3d, step). Defaults marked "the preset's" come
// from `ExtremalSettings.preset` (tcsvt unless `preset` says otherwise).

extension MethodOption where Value == [Double] {
  /// The area fractions optimised together.
  public static var areas: Self {
    Self(
      "areas", help: "area fractions a, optimised as one batch", default: nil,
      defaultDescription: "the preset's (tcsvt and v1: 0.05,0.1,0.15,0.5; torchray: 0.1)",
      requirement: .each(.between(0, 1)))
  }
}

extension MethodOption where Value == Int {
  /// Optimisation steps.
  public static var iterations: Self {
    Self(
      "iterations", help: "optimisation steps", default: nil,
      defaultDescription: "the preset's (tcsvt: 1200, v1: 2000, torchray: 800)", requirement: .atLeast(1))
  }
  /// The mask lattice's step in pixels.
  public static var maskStep: Self {
    Self(
      "mask-step", help: "mask lattice step in pixels", default: nil,
      defaultDescription: "7 at 112×112, scaled with the frame (torchray: 7)", requirement: .atLeast(1))
  }
  /// The temporal lattice's step in frames (turns on the 3D mask generator).
  public static var maskStepT: Self {
    Self(
      "mask-step-t", help: "temporal lattice step in frames (3D mask generator; with mask-sigma-t)", default: nil,
      defaultDescription: "off: one lattice per frame, as the authors' code", requirement: .atLeast(1))
  }
  /// STEP's core length in frames K_t.
  public static var coreFrames: Self {
    Self("core-frames", help: "STEP core length K_t in frames", default: 8, requirement: .atLeast(1))
  }
  /// STEP's core width and height (and response stride) in pixels.
  public static var coreSize: Self {
    Self(
      "core-size", help: "STEP core width, height and stride in pixels", default: nil,
      defaultDescription: "11 at 112×112, scaled with the frame", requirement: .atLeast(1))
  }
}

extension MethodOption where Value == Double {
  /// The mask generator's σ in pixels.
  public static var maskSigma: Self {
    Self(
      "mask-sigma", help: "mask smoothing σ in pixels", default: nil,
      defaultDescription: "11 at 112×112, scaled with the frame (torchray: 21)", requirement: .finite(above: 0))
  }
  /// The 3D mask generator's σ along time, in frames.
  public static var maskSigmaT: Self {
    Self(
      "mask-sigma-t", help: "temporal mask smoothing σ in frames (with mask-step-t)", default: nil,
      defaultDescription: "off", requirement: .finite(above: 0))
  }
}

extension MethodOption where Value == ExtremalSettings.Perturbation {
  /// How the masked-out part of the clip is perturbed.
  public static var perturbation: Self {
    Self(
      "perturbation", help: "blur (TorchRay's 8-level pyramid) or fade (m ⊙ x)", default: nil,
      defaultDescription: "the preset's (tcsvt, torchray: blur; v1: fade)")
  }
}

extension MethodOption where Value == CoreShape {
  /// STEP's core shape.
  public static var coreShape: Self {
    Self("core-shape", help: "STEP core: ellipsoid or cylinder", default: .ellipsoid)
  }
}

extension MethodOption where Value == ExtremalSettings.Preset {
  /// The settings a run starts from.
  public static var preset: Self {
    Self("preset", help: "settings of Li-TCSVT, Li-v1 or TorchRay's image EP", default: .tcsvt)
  }
}

extension MethodOption where Value == ExtremalSettings.Ties {
  /// How equal mask values are ordered by the sorting losses.
  public static var ties: Self {
    Self(
      "ties", help: "random (a seeded permutation before each sort, as the papers) or stable (by index)",
      default: nil, defaultDescription: "the preset's (tcsvt, v1: random; torchray: stable)")
  }
}

extension MethodOption where Value == ExtremalReward {
  /// What the network's output must do.
  public static var reward: Self {
    Self(
      "reward", help: "simple (logit), contrastive (logit margin) or log-probability", default: nil,
      defaultDescription: "the preset's (tcsvt, v1: log-probability; torchray: simple)")
  }
}

extension MethodOption where Value == ExtremalMode {
  /// Whether the mask keeps, deletes, or both.
  public static var variant: Self {
    Self("variant", help: "preserve (keep the mask), delete (remove it) or dual (both)", default: .preserve)
  }
}

extension MethodOption where Value == Bool {
  /// TorchRay's jitter: the perturbed clip flipped horizontally on even iterations.
  public static var jitter: Self {
    Self(
      "jitter", help: "flip the perturbed clip horizontally on even iterations (TorchRay)", default: nil,
      defaultDescription: "the preset's (tcsvt, v1: off; torchray: on)")
  }
}

extension ExtremalSettings.Perturbation: OptionValue {}
extension ExtremalSettings.Preset: OptionValue {}
extension ExtremalSettings.Ties: OptionValue {}
extension ExtremalReward: OptionValue {}
extension ExtremalMode: OptionValue {}
extension CoreShape: OptionValue {}
