import Kernels
import TensorCore
import Testing
import _TestSupport

/// Inputs and reference data shared by the extremal-perturbation loss suites.
enum ExtremalLossTesting {
  /// Reference/extremal_perturbation/losses.safetensors (made by generate_losses.py).
  static func reference() throws -> SafeTensorsFile {
    try SafeTensors.read(contentsOf: RepositoryPaths.reference("extremal_perturbation/losses.safetensors"))
  }

  /// Masks of every kind the losses meet, as Float (exact in Double):
  /// `uniform` — distinct values in [0, 1); `clamped` — uniforms on [−0.5, 1.5] clamped to [0, 1]
  /// (about a quarter exact zeros and a quarter exact ones, as after TorchRay's clamp: ties at
  /// both ends of the ramp); `quantised` — values from {0, ¼, ½, ¾, 1} (ties everywhere);
  /// `specials` — ±0, subnormals, 1, 1 − ulp and uniforms.
  enum Kind: String, CaseIterable, Sendable {
    case uniform, clamped, quantised, specials
  }

  static func mask(_ shape: [Int], _ kind: Kind, seed: UInt64) -> Tensor<Float> {
    var rng = SeededRNG(seed: seed)
    let specials: [Float] = [0, -0.0, .leastNonzeroMagnitude, .leastNormalMagnitude, 1, 1 - .ulpOfOne / 2, 0.5]
    return Tensor(shape: shape) { _ in
      switch kind {
      case .uniform: return Float(rng.uniform())
      case .clamped: return min(max(Float(rng.uniform(-0.5, 1.5)), 0), 1)
      case .quantised: return Float(rng.int(below: 5)) / 4
      case .specials: return rng.int(below: 2) == 0 ? specials[rng.int(below: specials.count)] : Float(rng.uniform())
      }
    }
  }

  /// Areas in (0.02, 0.98), one per row.
  static func areas(_ rows: Int, seed: UInt64) -> [Double] {
    var rng = SeededRNG(seed: seed)
    return (0..<rows).map { _ in rng.uniform(0.02, 0.98) }
  }

  /// Tie orders to try on rows of groups of `count`: stable, one shared permutation, one per row.
  static func tieOrders(rows: Int, count: Int, seed: UInt64) -> [TieOrder] {
    var rng = SeededRNG(seed: seed)
    return [.stable, .permuted([rng.permutation(count)]), .permuted((0..<rows).map { _ in rng.permutation(count) })]
  }

  /// Bit-for-bit equality of Float tensors, NaN equal to NaN.
  static func identical(_ a: Tensor<Float>, _ b: Tensor<Float>) -> Bool {
    a.shape == b.shape
      && zip(a.scalars, b.scalars).allSatisfy { x, y in x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
  }

  static func identical(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { x, y in x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }
  }

  /// The VJP of a per-row loss: Σ_a dy_a·∂loss[a]/∂m, from a gradient that holds ∂loss[a]/∂m in
  /// row a (every row's loss depends on its own row only).
  static func rowVJP(_ gradient: Tensor<Double>, _ dy: Tensor<Double>) -> Tensor<Double> {
    let perRow = gradient.count / gradient.shape[0]
    return Tensor(shape: gradient.shape) { i in gradient.scalars[i] * dy.scalars[i / perRow] }
  }

  /// Largest |a − b| over two Double tensors (for the record).
  static func maxDifference(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
    zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0
  }
}
