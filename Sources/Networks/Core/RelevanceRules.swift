import Kernels
import TensorCore

/// The relevance formulas shared by every linear operation f(a; w) + b (convolution,
/// fully connected, average pooling), written once in terms of the operation and its
/// transpose so that each layer only says what f and fᵀ are.
///
/// Notation (Bach et al. 2015): a = layer input, z_k = Σ_j a_j w_jk + b_k, R / p = relevance of the
/// output. `forward(a, w)` computes Σ_j a_j w_jk (no bias); `transpose(s, w)` computes
/// Σ_k w_jk s_k. Every formula has the form R_j = a_j · Σ_k w_jk (R_k / z_k), i.e.
/// a ⊙ fᵀ(R ⊘ z), evaluated with two kernel calls and no explicit matrix.
package enum RelevanceRules<B: KernelBackend> {
  package typealias T = Tensor<B.Scalar>

  /// Excitation backprop (Zhang et al. 2016, Eq. 7 in TorchRay's form):
  /// p_in = a ⊙ fᵀ(p_out ⊘ f(a; w⁺); w⁺), with 0 where f(a; w⁺) = 0. For a ≥ 0 it conserves
  /// Σp whenever no output with p > 0 has z = 0.
  package static func excitation(
    _ p: T, input a: T, weight w: T?, forward: (T, T?) -> T, transpose: (T, T?) -> T
  ) -> T {
    let wPlus = w.map { B.positivePart($0) }
    let z = forward(a, wPlus)
    return B.multiply(a, transpose(B.divideOrZero(p, z), wPlus))
  }

  /// LRP with one rule (Bach et al. 2015). `biasedForward` computes z = f(a; w) + b with the
  /// layer's bias (used by the ε rule only; nil when the layer has no bias). z⁺ and αβ leave
  /// the bias out of their denominators (as Bach et al.'s formulas), so they conserve ΣR exactly where the
  /// denominators are non-zero; Zennit's ZPlus and AlphaBeta add b⁺ (and b⁻) unless given
  /// `zero_params=['bias']` (Reference/attribution/lrp_deeplift/README.md).
  package static func lrp(
    _ r: T, rule: LRPRule, input a: T, weight w: T?, biasedForward: ((T) -> T)?, forward: (T, T?) -> T,
    transpose: (T, T?) -> T
  ) -> T {
    switch rule {
    case .epsilon(let eps):
      let z = biasedForward?(a) ?? forward(a, w)
      let s = B.divideOrZero(r, B.stabilized(z, epsilon: B.Scalar(eps)))
      return B.multiply(a, transpose(s, w))
    case .zPlus:
      // For a ≥ 0 (every layer after a ReLU) this is Bach's z⁺ and the excitation formula.
      if B.sum(B.negativePart(a)) == 0 {
        return excitation(r, input: a, weight: w, forward: forward, transpose: transpose)
      }
      // Inputs of both signs (the clip at the first layer): split the positive contributions
      // (a_j w_jk)⁺ = a⁺w⁺ + a⁻w⁻, i.e. αβ with α = 1, β = 0 (Zennit's ZPlus). The form
      // a ⊙ W⁺ᵀ(R ⊘ W⁺a) would still sum to ΣR, but its denominator W⁺a can vanish or change
      // sign when a has both signs; this one is a sum of non-negative terms, so R keeps its
      // sign and Σ|R_j| = Σ|R_k| (Proofs/lrp-deeplift.md, P-LRP-2).
      let aPos = B.positivePart(a), aNeg = B.negativePart(a)
      guard let w else {
        // A layer without weights (average pooling) has weights ≥ 0: only a⁺ contributes.
        return excitation(r, input: aPos, weight: nil, forward: forward, transpose: transpose)
      }
      let wPos = B.positivePart(w), wNeg = B.negativePart(w)
      let s = B.divideOrZero(r, B.add(forward(aPos, wPos), forward(aNeg, wNeg)))
      return B.add(B.multiply(aPos, transpose(s, wPos)), B.multiply(aNeg, transpose(s, wNeg)))
    case .alphaBeta(let alpha, let beta):
      // (a_j w_jk)⁺ = a⁺w⁺ + a⁻w⁻ and (a_j w_jk)⁻ = a⁺w⁻ + a⁻w⁺.
      let aPos = B.positivePart(a), aNeg = B.negativePart(a)
      let wPos = w.map { B.positivePart($0) }, wNeg = w.map { B.negativePart($0) }
      let zPos = B.add(forward(aPos, wPos), forward(aNeg, wNeg))
      let zNeg = B.add(forward(aPos, wNeg), forward(aNeg, wPos))
      let sPos = B.divideOrZero(r, zPos), sNeg = B.divideOrZero(r, zNeg)
      let positive = B.add(B.multiply(aPos, transpose(sPos, wPos)), B.multiply(aNeg, transpose(sPos, wNeg)))
      let negative = B.add(B.multiply(aPos, transpose(sNeg, wNeg)), B.multiply(aNeg, transpose(sNeg, wPos)))
      return B.addScaled(B.scale(positive, by: B.Scalar(alpha)), negative, scale: B.Scalar(-beta))
    }
  }

  /// Splits the relevance of z = h + s between its two summands.
  /// Excitation: in proportion to h⁺ and s⁺ (so maps stay non-negative and Σp is conserved);
  /// LRP: in proportion to h and s with an ε-stabilised denominator (the ε rule on a sum).
  package static func splitSum(_ r: T, _ h: T, _ s: T, rule: BackwardRule) -> (T, T) {
    switch rule {
    case .excitation:
      let hp = B.positivePart(h), sp = B.positivePart(s)
      let share = B.divideOrZero(r, B.add(hp, sp))
      return (B.multiply(hp, share), B.multiply(sp, share))
    case .lrp(let c):
      let share = B.divideOrZero(r, B.stabilized(B.add(h, s), epsilon: B.Scalar(c.stabilizer)))
      return (B.multiply(h, share), B.multiply(s, share))
    default:
      return (r, r)
    }
  }
}
