import RealModule

/// What extremal perturbation asks of the network's output, written as a loss to minimise.
///
/// TorchRay (`torchray/attribution/extremal_perturbation.py`) maximises a reward r and
/// minimises −r; Li et al.'s code (`visual_meth/perturbation_area.py`) minimises −log p_c. Both
/// are written here as the loss ℓ = −r, so that the whole objective is minimised:
/// E = w·ℓ + λ_a(t)·L_area + λ_K(t)·L_K.
///
/// For logits y of a perturbed clip, target c and p = softmax(y):
///
/// | reward | preserve (mask m kept) | delete (1 − m kept) |
/// |---|---|---|
/// | `simple` (TorchRay's `simple_reward`) | −y_c | y_c |
/// | `contrastive` (TorchRay's `contrastive_reward`) | −(y_c − max_{c′≠c} y_c′) | y_c − max_{c′≠c} y_c′ |
/// | `logProbability` (Li et al.'s `simple_log_reward`) | −log p_c | −log(1 − p_c) |
///
/// The dual variant adds the preserve loss of the kept clip and the delete loss of the deleted
/// one (TorchRay: y_c(m) − y_c(1 − m), Li et al.: −log p_c(m) − log(1 − p_c(1 − m))).
///
/// **TorchRay's contrastive reward** sets y_c to −100 before taking the maximum over classes, so
/// when every other logit is below −100 its maximum is −100; and it broadcasts an N vector
/// against an N×1 one, so that each area's reward is y_c minus the mean over areas of the other
/// areas' maxima — the sum over areas, which is what it differentiates, equals the sum of the
/// per-area rewards written above. This package uses the per-area form and the true maximum.
public enum ExtremalReward: String, Sendable, CaseIterable {
  case simple
  case contrastive
  case logProbability = "log-probability"

  /// The loss of one row of logits and its gradient with respect to them.
  ///
  /// `kept` is true for a clip that keeps the mask (preserve), false for one that keeps its
  /// complement (delete). Computed in Double; log p_c = y_c − logsumexp(y) with the maximum
  /// subtracted, log(1 − p_c) = log Σ_{c′≠c} e^{y_c′} − logsumexp(y).
  /// - Complexity: O(K).
  public func loss(logits y: [Double], target c: Int, kept: Bool) -> (value: Double, gradient: [Double]) {
    let k = y.count
    var g = [Double](repeating: 0, count: k)
    switch self {
    case .simple:
      g[c] = kept ? -1 : 1
      return (kept ? -y[c] : y[c], g)
    case .contrastive:
      var other = -1
      for j in 0..<k where j != c && (other < 0 || y[j] > y[other]) { other = j }
      guard other >= 0 else {  // one class: the contrast is with nothing
        g[c] = kept ? -1 : 1
        return (kept ? -y[c] : y[c], g)
      }
      let margin = y[c] - y[other]
      g[c] = kept ? -1 : 1
      g[other] = kept ? 1 : -1
      return (kept ? -margin : margin, g)
    case .logProbability:
      let m = y.max() ?? 0
      let e = y.map { Double.exp($0 - m) }
      let total = e.reduce(0, +)
      let logTotal = m + Double.log(total)
      if kept {
        // −log p_c = logsumexp(y) − y_c; gradient p − e_c.
        for j in 0..<k { g[j] = e[j] / total }
        g[c] -= 1
        return (logTotal - y[c], g)
      }
      // −log(1 − p_c) = logsumexp(y) − logsumexp_{j≠c}(y); gradient p_j − q_j for j ≠ c (q the
      // softmax over the other classes), p_c for c.
      let rest = total - e[c]
      guard rest > 0 else { return (.infinity, g) }
      for j in 0..<k { g[j] = e[j] / total - (j == c ? 0 : e[j] / rest) }
      return (logTotal - (m + Double.log(rest)), g)
    }
  }
}

/// Which clip the network sees: the clip kept where the mask is 1 (preserve), where it is 0
/// (delete), or both (dual).
public enum ExtremalMode: String, Sendable, CaseIterable {
  case preserve, delete, dual
}
