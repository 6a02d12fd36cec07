import Attribution
import Kernels
import Networks
import TensorCore

/// Infidelity (Yeh et al. 2019, "On the (in)fidelity and sensitivity of explanations", eq. 2)
/// as Captum's `captum.metrics.infidelity` computes it, on a given set of perturbations.
///
/// For clip x with map φ and perturbations I_1 … I_S (each of x's shape), the perturbed clips
/// are x − I_s and, with f the explained score of the target,
///
///   a_s = Σ φ ⊙ I_s  (over C, T, H, W),   d_s = f(x) − f(x − I_s),
///   INFD = (1/S) Σ_s (a_s − d_s)²;
///
/// with `normalize` (Captum's `normalize=True`), φ is first scaled by the β that minimises
/// the sum, β = Σ a_s d_s / Σ a_s² (β = Σ a_s d_s when Σ a_s² = 0, Captum's `safe_div`):
/// INFD = (1/S)(β² Σa_s² − 2β Σa_s d_s + Σd_s²).
///
/// A map with C = 1 multiplies every channel of I_s (a map of the clip's shape is what
/// Captum requires). Lower is better. Runs on either backend: the network passes on `B`, the
/// sums in Double.
public enum Infidelity {
  /// INFD for every clip of `clips` (N×3×T×H×W).
  ///
  /// - Parameters:
  ///   - maps: N×C×T×H×W with C = 3 or 1, the raw attribution maps.
  ///   - perturbations: S tensors of the clips' shape (`gaussianPerturbations`).
  ///   - batch: clips per forward pass.
  /// - Throws: `InfidelityError` for shapes that do not fit, non-finite values, no perturbations
  ///   or targets that do not fit.
  /// - Complexity: S + 1 forward passes of N clips; O(S·N·CTHW) for the sums.
  public static func measure<B: KernelBackend>(
    network: Network<B>, clips: Tensor<B.Scalar>, maps: Tensor<B.Scalar>, targets: [Int],
    score: ExplainedScore = .logit,
    perturbations: [Tensor<B.Scalar>], normalize: Bool = false, batch: Int = 8
  ) throws -> [Double] {
    try validate(network: network, clips: clips, targets: targets, perturbations: perturbations)
    let s = clips.shape
    guard maps.rank == 5, maps.shape[0] == s[0], maps.shape[1] == s[1] || maps.shape[1] == 1,
      Array(maps.shape[2...]) == Array(s[2...])
    else { throw InfidelityError.shapeMismatch(what: "maps", expected: s, actual: maps.shape) }
    guard maps.isFinite else { throw InfidelityError.nonFinite(what: "a map") }
    let n = s[0]
    let f = scores(network, clips, targets, score, batch)
    var squares = [Double](repeating: 0, count: n), crosses = squares, diffSquares = squares, plain = squares
    for perturbation in perturbations {
      let perturbed = B.addScaled(clips, perturbation, scale: -1)
      let fp = scores(network, perturbed, targets, score, batch)
      let a = dot(maps, perturbation)
      for i in 0..<n {
        let d = f[i] - fp[i]
        squares[i] += a[i] * a[i]
        crosses[i] += a[i] * d
        diffSquares[i] += d * d
        plain[i] += (a[i] - d) * (a[i] - d)
      }
    }
    let count = Double(perturbations.count)
    return (0..<n).map { i in
      guard normalize else { return plain[i] / count }
      let beta = crosses[i] / (squares[i] == 0 ? 1 : squares[i])
      return (beta * beta * squares[i] - 2 * beta * crosses[i] + diffSquares[i]) / count
    }
  }

  /// S perturbations of `shape` with independent N(0, σ²) entries, perturbation s from
  /// `SeededRNG(seed:).split(s)` (Captum's tutorials perturb with Gaussian noise, I ~ N(0, σ²)).
  /// - Complexity: O(count · Π shape).
  public static func gaussianPerturbations<S: BinaryFloatingPoint>(
    shape: [Int], count: Int, standardDeviation: Double, seed: UInt64
  ) -> [Tensor<S>] {
    (0..<count).map { k in
      var rng = SeededRNG(seed: seed).split(UInt64(k))
      return Tensor<S>.normal(shape, std: standardDeviation, using: &rng)
    }
  }

  /// Σ over C, T, H, W of map ⊙ perturbation per clip, in Double; a map with C = 1 multiplies
  /// every channel.
  static func dot<S: BinaryFloatingPoint>(_ map: Tensor<S>, _ p: Tensor<S>) -> [Double] {
    let (n, c, cm) = (p.shape[0], p.shape[1], map.shape[1])
    let plane = p.count / (n * c)
    return (0..<n).map { i in
      var sum = 0.0
      for k in 0..<c {
        let mk = cm == 1 ? 0 : k
        for q in 0..<plane {
          sum += Double(map.scalars[(i * cm + mk) * plane + q]) * Double(p.scalars[(i * c + k) * plane + q])
        }
      }
      return sum
    }
  }

  /// The explained scores of clips, `batch` at a time.
  static func scores<B: KernelBackend>(
    _ network: Network<B>, _ x: Tensor<B.Scalar>, _ targets: [Int], _ score: ExplainedScore, _ batch: Int
  ) -> [Double] {
    var out: [Double] = []
    var start = 0
    while start < x.shape[0] {
      let end = min(x.shape[0], start + max(1, batch))
      let part = start == 0 && end == x.shape[0] ? x : x.clips(start..<end)
      out += ScoreGradient.scores(network: network, input: part, targets: Array(targets[start..<end]), score: score)
      start = end
    }
    return out
  }

  static func validate<B: KernelBackend>(
    network: Network<B>, clips: Tensor<B.Scalar>, targets: [Int], perturbations: [Tensor<B.Scalar>]
  ) throws {
    try network.validate(inputShape: clips.shape)
    guard !perturbations.isEmpty else { throw InfidelityError.noPerturbations }
    for (k, p) in perturbations.enumerated() {
      guard p.shape == clips.shape else {
        throw InfidelityError.shapeMismatch(what: "perturbation \(k)", expected: clips.shape, actual: p.shape)
      }
      guard p.isFinite else { throw InfidelityError.nonFinite(what: "perturbation \(k)") }
    }
    guard targets.count == clips.shape[0] else {
      throw InfidelityError.targets("\(targets.count) targets for \(clips.shape[0]) clips")
    }
    if let bad = targets.first(where: { !(0..<network.classes).contains($0) }) {
      throw InfidelityError.targets("target \(bad) is not a class of the network (0..<\(network.classes))")
    }
  }
}
