/// The drawable shapes, in local coordinates (u to the right, v downwards, the shape's centre
/// of rotation at the origin, extent about [−1, 1]²). A pixel sample at local (u, v) is inside
/// when it lies in any of the shape's primitives (closed sets).
package enum ShapeKind: Int, CaseIterable, Sendable {
  /// A bar 2 × 0.64 (symmetric under a half-turn only).
  case bar
  /// An L: a vertical stroke and a foot to the right.
  case ell
  /// A slender isosceles triangle pointing up (apex (0, −1.05), base corners (±0.48, 0.85)):
  /// a 28° apex, so the point reads unambiguously and no near-symmetry can fake a rotation.
  case triangle
  /// An arrow pointing right: shaft and head.
  case arrow
  /// A T: a top bar and a stem.
  case tee
  /// Marker A: a ring, outer radius 1, inner radius `Geometry.ringInnerRadius`.
  case ring
  /// Marker B: a filled disk of radius 1.
  case disk

  /// The shapes an actor may take (all without rotational symmetry of order > 2).
  package static let actors: [ShapeKind] = [.bar, .ell, .triangle, .arrow, .tee]

  enum Primitive {
    /// u0 ≤ u ≤ u1, v0 ≤ v ≤ v1.
    case box(Double, Double, Double, Double)
    /// The closed triangle with these corners.
    case triangle((Double, Double), (Double, Double), (Double, Double))
    /// rIn ≤ √(u² + v²) ≤ rOut.
    case annulus(Double, Double)
  }

  var primitives: [Primitive] {
    switch self {
    case .bar: return [.box(-1, 1, -0.32, 0.32)]
    case .ell: return [.box(-0.78, -0.2, -1, 1), .box(-0.78, 0.78, 0.4, 1)]
    case .triangle: return [.triangle((0, -1.05), (0.48, 0.85), (-0.48, 0.85))]
    case .arrow: return [.box(-1, 0.1, -0.22, 0.22), .triangle((0, -0.62), (1, 0), (0, 0.62))]
    case .tee: return [.box(-0.8, 0.8, -0.95, -0.4), .box(-0.27, 0.27, -0.4, 0.95)]
    case .ring: return [.annulus(Geometry.ringInnerRadius, 1)]
    case .disk: return [.annulus(0, 1)]
    }
  }

  /// The largest distance from the origin of any point of the shape (local units).
  package var boundingRadius: Double {
    var r2 = 0.0
    for p in primitives {
      switch p {
      case let .box(u0, u1, v0, v1):
        for u in [u0, u1] { for v in [v0, v1] { r2 = max(r2, u * u + v * v) } }
      case let .triangle(a, b, c):
        for q in [a, b, c] { r2 = max(r2, q.0 * q.0 + q.1 * q.1) }
      case let .annulus(_, rOut):
        r2 = max(r2, rOut * rOut)
      }
    }
    return r2.squareRoot()
  }

  /// Whether local point (u, v) lies in the shape.
  package func contains(_ u: Double, _ v: Double) -> Bool {
    ShapeKind.contains(primitives, u, v)
  }

  /// Whether local point (u, v) lies in any of `primitives` (fetch them once per sprite).
  @inline(__always)
  static func contains(_ primitives: [Primitive], _ u: Double, _ v: Double) -> Bool {
    for p in primitives where ShapeKind.contains(p, u, v) { return true }
    return false
  }

  @inline(__always)
  static func contains(_ p: Primitive, _ u: Double, _ v: Double) -> Bool {
    switch p {
    case let .box(u0, u1, v0, v1):
      return u >= u0 && u <= u1 && v >= v0 && v <= v1
    case let .triangle(a, b, c):
      // Same sign of the three edge cross products (either orientation).
      let d1 = (b.0 - a.0) * (v - a.1) - (b.1 - a.1) * (u - a.0)
      let d2 = (c.0 - b.0) * (v - b.1) - (c.1 - b.1) * (u - b.0)
      let d3 = (a.0 - c.0) * (v - c.1) - (a.1 - c.1) * (u - c.0)
      return (d1 >= 0 && d2 >= 0 && d3 >= 0) || (d1 <= 0 && d2 <= 0 && d3 <= 0)
    case let .annulus(rIn, rOut):
      let r2 = u * u + v * v
      return r2 >= rIn * rIn && r2 <= rOut * rOut
    }
  }
}
