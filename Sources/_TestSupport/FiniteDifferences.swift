import TensorCore

/// Finite-difference checks of vector-Jacobian products, in Double.
///
/// For f: Rⁿ → Rᵐ with VJP g(dy) = Jᵀdy, the identity ⟨dy, J v⟩ = ⟨Jᵀdy, v⟩ is checked
/// for a random cotangent dy and a random direction v (never all-ones: with all-ones a
/// softmax or normalisation gradient is zero and the check vacuous). J v is estimated by
/// the fourth-order central difference
///   J v ≈ (−f(x+2hv) + 8f(x+hv) − 8f(x−hv) + f(x−2hv)) / 12h,
/// whose truncation error is h⁴/30·|f⁽⁵⁾| (about 3e-14 relative for h = 1e-3 on functions
/// whose inputs and curvature are O(1)) and whose rounding error is at most
/// (18/12)·δ/h per component, δ the error of one evaluation of f (a few ε·|f| for the small
/// kernels tested, ε = 2⁻⁵²). The check is
///   |lhs − rhs| ≤ 1e-8 · (Σ|dy_i·(Jv)_i| + |rhs|) + 64·ε/h · Σ|dy_i|·|f_i(x)|,
/// i.e. agreement to eight significant digits of the quantities involved (the first term
/// leaves 5 orders of margin over the truncation error; the second allows δ up to 40ε·|f|).
/// A wrong index, a missing term or a transposed weight changes ⟨·,·⟩ at O(1) relative.
///
/// Piecewise-linear functions (ReLU, max-pool) are differentiable almost everywhere; test
/// inputs keep every kink farther than 2h from the evaluation point, or the test says why not.
public struct VJPCheck: CustomStringConvertible {
  public var lhs: Double  // ⟨dy, J v⟩ from finite differences
  public var rhs: Double  // ⟨Jᵀ dy, v⟩ from the VJP
  public var bound: Double
  public var passed: Bool { abs(lhs - rhs) <= bound && lhs.isFinite && rhs.isFinite }
  public var description: String {
    "⟨dy, Jv⟩ (finite differences) = \(lhs), ⟨Jᵀdy, v⟩ (VJP) = \(rhs), |diff| = \(abs(lhs - rhs)), bound \(bound)"
  }
}

/// Checks `vjp` against finite differences of `f` at `x`, for one random (dy, v) pair.
///
/// - Parameters:
///   - f: the function, Double in and out.
///   - vjp: (x, dy) ↦ Jᵀdy, with the shape of x.
///   - x: evaluation point.
///   - rng: draws dy and v (standard normals).
///   - h: step (default 1e-3; see the type's discussion).
public func checkVJP(
  _ f: (Tensor<Double>) -> Tensor<Double>,
  vjp: (Tensor<Double>, Tensor<Double>) -> Tensor<Double>,
  at x: Tensor<Double>,
  rng: inout SeededRNG,
  h: Double = 1e-3
) -> VJPCheck {
  let y = f(x)
  let dy = Tensor<Double>.normal(y.shape, using: &rng)
  let v = Tensor<Double>.normal(x.shape, using: &rng)
  func shifted(_ k: Double) -> Tensor<Double> {
    Tensor(shape: x.shape, scalars: zip(x.scalars, v.scalars).map { $0 + k * h * $1 })
  }
  let fp2 = f(shifted(2)), fp1 = f(shifted(1)), fm1 = f(shifted(-1)), fm2 = f(shifted(-2))
  var lhs = 0.0, lhsMagnitude = 0.0, rounding = 0.0
  for i in 0..<y.count {
    let jv = (-fp2.scalars[i] + 8 * fp1.scalars[i] - 8 * fm1.scalars[i] + fm2.scalars[i]) / (12 * h)
    lhs += dy.scalars[i] * jv
    lhsMagnitude += abs(dy.scalars[i] * jv)
    rounding += abs(dy.scalars[i]) * abs(y.scalars[i])
  }
  let g = vjp(x, dy)
  precondition(g.shape == x.shape, "VJP returned \(Shape.describe(g.shape)) for input \(Shape.describe(x.shape))")
  var rhs = 0.0
  for i in 0..<x.count { rhs += g.scalars[i] * v.scalars[i] }
  let bound = 1e-8 * (lhsMagnitude + abs(rhs)) + 64 * 0x1p-52 / h * rounding + 1e-300
  return VJPCheck(lhs: lhs, rhs: rhs, bound: bound)
}
