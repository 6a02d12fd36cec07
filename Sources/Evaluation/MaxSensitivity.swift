import Attribution
import Kernels
import Networks
import TensorCore

/// Max-sensitivity (Yeh et al. 2019, eq. 4) as Captum's `captum.metrics.sensitivity_max`
/// computes it, on a given set of perturbations: for clip x with map φ(x) from a method and
/// perturbations δ_1 … δ_S,
///
///   SENS_max = max_s ‖φ(x + δ_s) − φ(x)‖_F / ‖φ(x)‖_F,
///
/// the norms over the whole map (C·T·H·W values), with ‖φ(x)‖ replaced by 1 when it is 0 (as
/// Captum does). Captum's default perturbations are U(−0.02, 0.02) per value
/// (`uniformPerturbations`). Lower is better.
public enum MaxSensitivity {
  /// SENS_max for every clip of `clips` (N×3×T×H×W), explaining `targets` with `method`.
  /// - Throws: `InfidelityError` for perturbations that do not fit or targets that do not fit
  ///   the clips, `AttributionError` from the method.
  /// - Complexity: S + 1 attributions of N clips.
  public static func measure<B: KernelBackend>(
    method: any AttributionMethod, network: Network<B>, clips: Tensor<B.Scalar>, targets: [Int],
    score: ExplainedScore = .logit, perturbations: [Tensor<B.Scalar>]
  ) throws -> [Double] {
    try Infidelity.validate(network: network, clips: clips, targets: targets, perturbations: perturbations)
    let n = clips.shape[0]
    let original = try method.attribute(clips, targets: targets, network: network, score: score).map
    let per = original.count / n
    let norms: [Double] = (0..<n).map { i in
      let norm = original.scalars[(i * per)..<((i + 1) * per)].reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
      return norm == 0 ? 1 : norm
    }
    var worst = [Double](repeating: 0, count: n)
    for delta in perturbations {
      let moved = try method.attribute(B.add(clips, delta), targets: targets, network: network, score: score).map
      for i in 0..<n {
        var sum = 0.0
        for q in (i * per)..<((i + 1) * per) {
          let d = Double(moved.scalars[q]) - Double(original.scalars[q])
          sum += d * d
        }
        worst[i] = max(worst[i], sum.squareRoot() / norms[i])
      }
    }
    return worst
  }

  /// S perturbations of `shape` with independent U(−r, r) entries, perturbation s from
  /// `SeededRNG(seed:).split(s)` (Captum's default perturbation, r = 0.02).
  /// - Complexity: O(count · Π shape).
  public static func uniformPerturbations<S: BinaryFloatingPoint>(
    shape: [Int], count: Int, radius: Double = 0.02, seed: UInt64
  ) -> [Tensor<S>] {
    (0..<count).map { k in
      var rng = SeededRNG(seed: seed).split(UInt64(k))
      return Tensor<S>.uniform(shape, -radius, radius, using: &rng)
    }
  }
}
