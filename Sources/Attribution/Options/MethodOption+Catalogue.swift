import Networks

// Every option an attribution method takes, declared once. A method's registry entry lists the
// ones it takes (with its own default where it differs); its `make` reads them by these names.

// MARK: Path integrals and noise

extension MethodOption where Value == Int {
  /// Integration points of integrated gradients and Blur IG.
  public static var steps: Self {
    Self("steps", help: "integration points", default: 25, requirement: .atLeast(1))
  }
  /// Noisy copies averaged by the SmoothGrad family.
  public static var samples: Self {
    Self("samples", help: "noisy copies averaged", default: 25, requirement: .atLeast(1))
  }
}

extension MethodOption where Value == Quadrature.Rule {
  /// The quadrature rule of integrated gradients.
  public static var rule: Self {
    Self("rule", help: "quadrature rule of the path integral", default: .riemannLeft)
  }
}

extension MethodOption where Value == Baseline {
  /// The reference clip of integrated gradients and DeepLIFT.
  public static var baseline: Self {
    Self("baseline", help: "reference clip the path starts from", default: .black)
  }
}

extension MethodOption where Value == Double {
  /// SmoothGrad's noise level σ: a fraction of the clip's range, or absolute with
  /// `noise-absolute`. Its default depends on that flag (0.15 as Li et al., or Captum's 1.0).
  public static var noise: Self {
    Self(
      "noise", help: "noise σ as a fraction of the clip's range (absolute with --noise-absolute)", default: nil,
      defaultDescription: "0.15 (Li et al.); 1.0 with noise-absolute (Captum)", requirement: .finite(atLeast: 0))
  }
}

extension MethodOption where Value == Bool {
  /// Reads `noise` as an absolute standard deviation (Captum's NoiseTunnel `stdevs`).
  public static var noiseAbsolute: Self {
    Self("noise-absolute", help: "read noise as an absolute σ (Captum's convention)", default: false, isFlag: true)
  }
  /// Grad-CAM's ReLU on the map (on in TorchRay, pytorch-grad-cam and the papers; off in Captum).
  public static var relu: Self {
    Self("relu", help: "ReLU on the Grad-CAM map", default: true)
  }
}

// MARK: Layers

extension MethodOption where Value == String {
  /// The layer (module path) a CAM-type or excitation method reads.
  public static var layer: Self {
    Self(
      "layer", help: "module path of the layer the map is read at", default: nil,
      defaultDescription: "the architecture's CAM layer (layer4; layer3 for CNN-LSTM)")
  }
  /// Contrastive excitation backprop's contrast layer.
  public static var contrastLayer: Self {
    Self(
      "contrast-layer", help: "layer where the negated classifier's map is subtracted", default: nil,
      defaultDescription: "the stage below the classifier")
  }
}

extension MethodOption where Value == GradCAM.Weighting {
  /// How Grad-CAM pools its channel weights.
  public static var camWeights: Self {
    Self(
      "cam-weights", help: "Grad-CAM channel weights per layer frame (Li et al.) or per clip (Captum)",
      default: .perFrame)
  }
}

extension MethodOption where Value == Upsampling {
  /// How a map at a layer's resolution is brought to the clip's.
  public static var upsampling: Self {
    Self("upsampling", help: "resampling of layer maps to the clip", default: .trilinear)
  }
}

// MARK: Relevance

extension MethodOption where Value == Double {
  /// LRP-ε's stabiliser (Zennit's default 1e-6).
  public static var epsilon: Self {
    Self(
      "epsilon", help: "LRP-ε's stabiliser", default: LayerwiseRelevance.defaultEpsilon,
      requirement: .finite(atLeast: 0))
  }
  /// LRP-αβ's α (α − β = 1; derived from β when only β is given).
  public static var alpha: Self {
    Self(
      "alpha", help: "LRP-αβ's α (α − β = 1)", default: nil, defaultDescription: "2, or β + 1",
      requirement: .finite(atLeast: 1))
  }
  /// LRP-αβ's β (derived from α when only α is given).
  public static var beta: Self {
    Self(
      "beta", help: "LRP-αβ's β (α − β = 1)", default: nil, defaultDescription: "1, or α − 1",
      requirement: .finite(atLeast: 0))
  }
}

// MARK: Value types of the options above

extension Quadrature.Rule: OptionValue {}
extension Baseline: OptionValue {}
extension GradCAM.Weighting: OptionValue {}
extension Upsampling: OptionValue {}
