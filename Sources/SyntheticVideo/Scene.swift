import TensorCore

/// The evidence of one clip: for every frame, the sprites that carry the class (the actor, or
/// the order markers). Distractors are not part of the scene.
package struct Scene: Sendable {
  package var actionClass: Synthetic.ActionClass
  /// sprites[t] = the evidence sprites visible in frame t (empty when none is).
  package var sprites: [[Sprite]]

  /// Draws the scene of a clip of class `c`.
  ///
  /// All draws come from `rng` in a fixed order that does not depend on the class wherever
  /// the class does not need it, so appearance is independent of the class by construction:
  /// actor shape, colour, half-size and initial angle are drawn first, identically for every
  /// class; the class's own parameters after.
  /// - Complexity: O(T).
  package static func sample(
    _ c: Synthetic.ActionClass, frames t: Int, size: Int, using rng: inout SeededRNG
  ) -> Scene {
    let s = Double(size)
    let margin = Geometry.margin * s
    switch c {
    case .aThenB, .bThenA:
      return sampleOrder(c, frames: t, size: size, using: &rng)
    default:
      break
    }

    // Appearance: the same draws for every actor class.
    let kind = ShapeKind.actors[rng.int(below: ShapeKind.actors.count)]
    let colour = Colour.saturated(using: &rng)
    let halfSize = s * rng.uniform(Geometry.actorHalfSize.lowerBound, Geometry.actorHalfSize.upperBound)
    let angle0 = rng.uniform(0, 2 * Double.pi)
    let rho = kind.boundingRadius
    let mid = Double(t - 1) / 2

    var frames: [[Sprite]] = []
    func sprite(_ x: Double, _ y: Double, _ h: Double, _ a: Double) -> Sprite {
      Sprite(kind: kind, centreX: x, centreY: y, halfSize: h, angle: a, colour: colour)
    }
    /// Uniform in [lo, hi] (hi ≥ lo by the configuration's validation).
    func position(_ reach: Double, along travel: Double = 0) -> Double {
      let lo = margin + reach + travel / 2
      let hi = s - margin - reach - travel / 2
      return rng.uniform(lo, max(lo, hi))
    }

    switch c {
    case .translateRight, .translateLeft, .translateUp, .translateDown:
      let speed = s * Geometry.translationSpeedLimit(frames: t) * rng.uniform(Geometry.slowestSpeedFactor, 1)
      let travel = speed * Double(t - 1)
      let reach = rho * halfSize
      let (dx, dy): (Double, Double) =
        c == .translateRight ? (1, 0) : c == .translateLeft ? (-1, 0) : c == .translateUp ? (0, -1) : (0, 1)
      // The trajectory's midpoint: uniform over the positions that keep the whole path inside.
      let mx = position(reach, along: dx != 0 ? travel : 0)
      let my = position(reach, along: dy != 0 ? travel : 0)
      for f in 0..<t {
        let k = speed * (Double(f) - mid)
        frames.append([sprite(mx + k * dx, my + k * dy, halfSize, angle0)])
      }
    case .rotateClockwise, .rotateAnticlockwise:
      let omega = Geometry.angularSpeed * rng.uniform(0.8, 1) * (c == .rotateClockwise ? 1 : -1)
      let reach = rho * halfSize
      let cx = position(reach), cy = position(reach)
      for f in 0..<t { frames.append([sprite(cx, cy, halfSize, angle0 + omega * Double(f))]) }
    case .grow, .shrink:
      let g = rng.uniform(Geometry.growthFactor.lowerBound, Geometry.growthFactor.upperBound)
      let logG = PortableMath.log(g)
      let reach = rho * halfSize * g.squareRoot()
      let cx = position(reach), cy = position(reach)
      for f in 0..<t {
        // halfSize · G^(f/(T−1) − ½) for grow, G^(½ − f/(T−1)) for shrink.
        let x = Double(f) / Double(t - 1) - 0.5
        let h = halfSize * PortableMath.exp(logG * (c == .grow ? x : -x))
        frames.append([sprite(cx, cy, h, angle0)])
      }
    case .flash:
      let reach = rho * halfSize
      let cx = position(reach), cy = position(reach)
      let lengths = Geometry.flashLength
      let length = lengths.lowerBound + rng.int(below: lengths.count)
      let start = rng.int(below: t - length + 1)
      for f in 0..<t {
        frames.append(f >= start && f < start + length ? [sprite(cx, cy, halfSize, angle0)] : [])
      }
    case .aThenB, .bThenA:
      preconditionFailure("handled above")
    }
    return Scene(actionClass: c, sprites: frames)
  }

  /// The order classes: marker A (ring) and marker B (disk) each visible for 2–4 frames,
  /// the first one then — after a gap of 0…min(T/4, T − d₁ − d₂) frames — the second.
  private static func sampleOrder(
    _ c: Synthetic.ActionClass, frames t: Int, size: Int, using rng: inout SeededRNG
  ) -> Scene {
    let s = Double(size)
    let margin = Geometry.margin * s
    func marker(_ kind: ShapeKind) -> Sprite {
      let colour = Colour.saturated(using: &rng)
      let r = s * rng.uniform(Geometry.markerRadius.lowerBound, Geometry.markerRadius.upperBound)
      let lo = margin + r, hi = s - margin - r
      let x = rng.uniform(lo, hi), y = rng.uniform(lo, hi)
      return Sprite(kind: kind, centreX: x, centreY: y, halfSize: r, angle: 0, colour: colour)
    }
    // Both markers' appearance first, in a fixed order, whatever the class.
    let a = marker(.ring)
    let b = marker(.disk)
    let durations = Geometry.markerDuration
    let d1 = durations.lowerBound + rng.int(below: durations.count)
    let d2 = durations.lowerBound + rng.int(below: durations.count)
    let gapMax = max(0, min(t / 4, t - d1 - d2))
    let gap = rng.int(below: gapMax + 1)
    let start1 = rng.int(below: t - (d1 + gap + d2) + 1)
    let start2 = start1 + d1 + gap
    let (first, second) = c == .aThenB ? (a, b) : (b, a)
    var frames: [[Sprite]] = []
    for f in 0..<t {
      if f >= start1 && f < start1 + d1 {
        frames.append([first])
      } else if f >= start2 && f < start2 + d2 {
        frames.append([second])
      } else {
        frames.append([])
      }
    }
    return Scene(actionClass: c, sprites: frames)
  }
}
