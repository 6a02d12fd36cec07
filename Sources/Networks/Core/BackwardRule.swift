/// How relevance or gradient flows backward through a layer.
///
/// A rule is chosen per backward call (it lives on the `Tape`). Plain `gradient` is the
/// vector-Jacobian product; the others are the modified backward passes of the attribution
/// literature, which are *not* gradients of anything and are checked in the tests against
/// their defining formulas (the papers cited at each rule), layer by layer, as explicit matrices.
///
/// | layer | gradient | guided | deconvnet | excitation | lrp | deepLiftRescale |
/// |---|---|---|---|---|---|---|
/// | conv / linear (BN folded) | Wᵀg | Wᵀg | Wᵀg | a ⊙ W⁺ᵀ(p ⊘ W⁺a) | ε, z⁺ or αβ formula | Wᵀm |
/// | ReLU | g·[x>0] | g·[x>0]·[g>0] | max(g,0) | g·[x>0] (TorchRay) | identity | m·Δy/Δx |
/// | max pool | to argmax | to argmax | to argmax | to argmax | to argmax (winner takes all) | Captum's rule |
/// | avg pool | average | average | average | as a linear op with w ≥ 0 | as a linear op | average |
/// | residual sum z = h + s | g to both | g to both | g to both | split ∝ h⁺, s⁺ | split ∝ h, s (ε-stabilised) | m to both |
///
/// Guided backprop: Springenberg et al. 2015. Deconvnet: Zeiler & Fergus 2014. Excitation
/// backprop: Zhang et al. 2016 (marginal winning probabilities; TorchRay's form). LRP: Bach et
/// al. 2015. DeepLIFT: Shrikumar et al. 2017 (rescale rule). Where this table departs from
/// TorchRay, Zennit or Captum, Proofs/ says why.
public enum BackwardRule: Sendable, Hashable, CustomStringConvertible {
  /// The vector-Jacobian product.
  case gradient
  /// Guided backpropagation: ReLU passes only positive gradients where its input was positive.
  case guidedBackprop
  /// Deconvnet: ReLU passes the positive part of the gradient, ignoring the forward input.
  case deconvnet
  /// Excitation backprop: probabilities flow through linear layers in proportion to the
  /// positive-weight contributions a_j·w⁺_jk.
  case excitation
  /// Layer-wise relevance propagation with one rule per kind of layer.
  case lrp(LRPComposite)
  /// DeepLIFT's rescale rule (Shrikumar et al. 2017): multipliers m flow back like gradients
  /// through linear layers; a ReLU y = max(x, 0) passes m·(y − y₀)/(x − x₀) (its gradient
  /// where x = x₀); a max pool uses Captum's rule (`MaxPool`). The values x₀, y₀ come from a
  /// forward pass of the reference input recorded on `Tape.reference`, so a tape with this
  /// rule needs one. Σ (x − x₀) ⊙ m = s(x) − s(x₀) (Proofs/lrp-deeplift.md, P-DL-1).
  case deepLiftRescale

  public var description: String {
    switch self {
    case .gradient: return "gradient"
    case .guidedBackprop: return "guided_backprop"
    case .deconvnet: return "deconvnet"
    case .excitation: return "excitation"
    case .lrp(let c): return "lrp(\(c))"
    case .deepLiftRescale: return "deeplift_rescale"
    }
  }

  /// True for the rules that pass relevance through linear layers with their own formula
  /// (and therefore need each linear layer's input saved on the forward pass).
  public var needsLinearInputs: Bool {
    switch self {
    case .excitation, .lrp: return true
    default: return false
    }
  }

  /// True for the rules that compare the forward pass with a reference pass (DeepLIFT), so a
  /// tape with this rule must be given the tape of the reference input's forward pass.
  public var needsReference: Bool { self == .deepLiftRescale }
}

/// One LRP rule (Bach et al. 2015; z_k = Σ_j a_j w_jk + b_k).
public enum LRPRule: Sendable, Hashable, CustomStringConvertible {
  /// R_j = Σ_k a_j w_jk / (z_k + ε·sign(z_k)) · R_k (sign(0) = +1). Biases absorb relevance.
  case epsilon(Double)
  /// R_j = Σ_k a_j w⁺_jk / Σ_j′ a_j′ w⁺_j′k · R_k for a ≥ 0 (no bias); on inputs of both signs
  /// R_j = Σ_k (a_j w_jk)⁺ / Σ_j′ (a_j′ w_j′k)⁺ · R_k, which is the same for a ≥ 0 (αβ with
  /// α = 1, β = 0; Zennit's ZPlus without its bias term).
  case zPlus
  /// R_j = Σ_k (α (a_j w_jk)⁺ / Σ_j′ (a_j′ w_j′k)⁺ − β (a_j w_jk)⁻ / Σ_j′ (a_j′ w_j′k)⁻) R_k,
  /// α − β = 1 (no bias).
  case alphaBeta(alpha: Double, beta: Double)

  public var description: String {
    switch self {
    case .epsilon(let e): return "epsilon(\(e))"
    case .zPlus: return "zplus"
    case .alphaBeta(let a, let b): return "alphabeta(\(a),\(b))"
    }
  }
}

/// Which LRP rule each kind of linear layer uses (Zennit's "composite" idea).
public struct LRPComposite: Sendable, Hashable, CustomStringConvertible {
  /// Rule for convolutions (batch norm folded in).
  public var convolution: LRPRule
  /// Rule for fully connected layers.
  public var dense: LRPRule
  /// Stabiliser added to denominators of proportional splits (residual sums, pooling).
  public var stabilizer: Double

  public init(convolution: LRPRule, dense: LRPRule, stabilizer: Double = 1e-9) {
    self.convolution = convolution
    self.dense = dense
    self.stabilizer = stabilizer
  }

  /// The same rule for every layer.
  public static func uniform(_ rule: LRPRule, stabilizer: Double = 1e-9) -> LRPComposite {
    LRPComposite(convolution: rule, dense: rule, stabilizer: stabilizer)
  }

  public var description: String { "conv: \(convolution), dense: \(dense)" }
}
