import TensorCore

/// An RGB colour with components in [0, 1].
package struct Colour: Sendable, Equatable {
  package var r: Double, g: Double, b: Double

  package init(_ r: Double, _ g: Double, _ b: Double) {
    self.r = r
    self.g = g
    self.b = b
  }

  /// A saturated actor colour: hue uniform in [0, 1), saturation in [0.75, 1], value in
  /// [0.8, 1] (HSV), converted to RGB. Distractors are gray, so saturation tells them apart.
  package static func saturated(using rng: inout SeededRNG) -> Colour {
    let h = rng.uniform()
    let s = rng.uniform(0.75, 1)
    let v = rng.uniform(0.8, 1)
    let h6 = h * 6
    let sector = Int(h6.rounded(.down))
    let f = h6 - Double(sector)
    let p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f))
    switch sector {
    case 0: return Colour(v, t, p)
    case 1: return Colour(q, v, p)
    case 2: return Colour(p, v, t)
    case 3: return Colour(p, q, v)
    case 4: return Colour(t, p, v)
    default: return Colour(v, p, q)
    }
  }
}

/// One drawn object in one frame: a shape, placed, scaled, turned and coloured.
///
/// Pixel (x, y) covers the square [x, x + 1) × [y, y + 1); the centre is in those continuous
/// coordinates. A local point (u, v) of the shape lands at
/// centre + halfSize·(u cos θ − v sin θ, u sin θ + v cos θ); since y points down, a growing θ
/// turns the shape clockwise on screen.
package struct Sprite: Sendable, Equatable {
  package var kind: ShapeKind
  package var centreX: Double
  package var centreY: Double
  /// Pixels per local unit.
  package var halfSize: Double
  /// Radians, clockwise on screen.
  package var angle: Double
  package var colour: Colour

  package init(kind: ShapeKind, centreX: Double, centreY: Double, halfSize: Double, angle: Double, colour: Colour) {
    self.kind = kind
    self.centreX = centreX
    self.centreY = centreY
    self.halfSize = halfSize
    self.angle = angle
    self.colour = colour
  }

  /// Sub-samples per pixel side: coverage is counted on a 4 × 4 grid of points at
  /// ((i + ½)/4, (j + ½)/4) inside each pixel.
  package static let samplesPerSide = 4
  package static let samplesPerPixel = samplesPerSide * samplesPerSide

  /// The pixels of a size × size frame that the sprite touches, each with the number of its
  /// 16 sub-samples inside the shape (1…16), in row-major order. Coverage = samples/16; the
  /// pixel belongs to the sprite's evidence mask when samples > 8, i.e. coverage > ½.
  /// - Complexity: O((ρ·halfSize)² · 16) shape tests.
  package func coverage(size: Int) -> [(index: Int, samples: Int)] {
    let reach = kind.boundingRadius * halfSize
    let x0 = max(0, Int((centreX - reach).rounded(.down)))
    let x1 = min(size - 1, Int((centreX + reach).rounded(.down)))
    let y0 = max(0, Int((centreY - reach).rounded(.down)))
    let y1 = min(size - 1, Int((centreY + reach).rounded(.down)))
    guard x0 <= x1 && y0 <= y1 else { return [] }
    let c = PortableMath.cos(angle) / halfSize
    let s = PortableMath.sin(angle) / halfSize
    let primitives = kind.primitives
    let n = Sprite.samplesPerSide
    let step = 1 / Double(n)
    var out: [(index: Int, samples: Int)] = []
    for y in y0...y1 {
      for x in x0...x1 {
        var count = 0
        for j in 0..<n {
          let dy = Double(y) + (Double(j) + 0.5) * step - centreY
          for i in 0..<n {
            let dx = Double(x) + (Double(i) + 0.5) * step - centreX
            // Inverse rotation and scaling: local = R(−θ)·d / halfSize.
            let u = c * dx + s * dy
            let v = c * dy - s * dx
            if ShapeKind.contains(primitives, u, v) { count += 1 }
          }
        }
        if count > 0 { out.append((y * size + x, count)) }
      }
    }
    return out
  }
}
