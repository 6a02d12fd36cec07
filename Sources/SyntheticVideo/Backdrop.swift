import TensorCore

/// The distractors of one clip — everything that is drawn and carries no class information:
/// a gray value-noise background panned by a slow camera, soft gray blobs doing a random walk,
/// and per-pixel noise. Drawn from streams of their own, never from the scene's, with the same
/// distribution in every class.
package struct Backdrop: Sendable {
  /// Mean gray level of the background, uniform in [0.3, 0.6].
  package var level: Double
  /// Texture amplitude (`Distractors.backgroundContrast`).
  package var contrast: Double
  /// Two octaves of periodic value noise: 16 × 16 lattice values in [−1, 1] each.
  package var coarse: [Double]
  package var fine: [Double]
  /// Camera pan: the background at frame t is the texture shifted by t·(panX, panY) pixels.
  package var panX: Double
  package var panY: Double
  package var blobs: [Blob]
  /// Standard deviation of the per-pixel noise.
  package var noise: Double

  /// A soft gray blob: colour `level`, Gaussian opacity 0.85·exp(−d²/2σ²) cut at 3σ,
  /// centre (x[t], y[t]) in frame t.
  package struct Blob: Sendable {
    package var level: Double
    package var sigma: Double
    package var x: [Double]
    package var y: [Double]
  }

  static let lattice = 16

  /// Draws the distractors of a clip.
  /// - Complexity: O(T · blobs + lattice²).
  package static func sample(
    _ d: Synthetic.Distractors, frames t: Int, size: Int, using rng: inout SeededRNG
  ) -> Backdrop {
    let s = Double(size)
    var texture = rng.split("texture")
    var pan = rng.split("pan")
    var walks = rng.split("blobs")
    let level = texture.uniform(0.3, 0.6)
    let n = lattice * lattice
    let coarse = (0..<n).map { _ in texture.uniform(-1, 1) }
    let fine = (0..<n).map { _ in texture.uniform(-1, 1) }
    let direction = pan.uniform(0, 2 * Double.pi)
    let speed = s * d.panSpeed * pan.uniform()
    let panX = speed * PortableMath.cos(direction)
    let panY = speed * PortableMath.sin(direction)
    var blobs: [Blob] = []
    let count = walks.int(below: d.blobs + 1)
    for _ in 0..<count {
      let level = walks.uniform(0.1, 0.9)
      let sigma = s * walks.uniform(0.06, 0.1)
      var x = walks.uniform(0, s), y = walks.uniform(0, s)
      var xs: [Double] = [], ys: [Double] = []
      for _ in 0..<t {
        xs.append(x)
        ys.append(y)
        // A random walk with no drift: N(0, (0.02 S)²) steps, reflected at the borders.
        x = reflect(x + 0.02 * s * walks.normal(), size: s)
        y = reflect(y + 0.02 * s * walks.normal(), size: s)
      }
      blobs.append(Blob(level: level, sigma: sigma, x: xs, y: ys))
    }
    return Backdrop(
      level: level, contrast: d.backgroundContrast, coarse: coarse, fine: fine, panX: panX, panY: panY,
      blobs: blobs, noise: d.noise)
  }

  private static func reflect(_ v: Double, size: Double) -> Double {
    v < 0 ? -v : v > size ? 2 * size - v : v
  }

  /// Value noise on a periodic 16 × 16 lattice at (x, y) in lattice units: bilinear
  /// interpolation of the four surrounding values with smoothstep weights w = f²(3 − 2f).
  static func valueNoise(_ table: [Double], _ x: Double, _ y: Double) -> Double {
    let n = lattice
    let fx = x.rounded(.down), fy = y.rounded(.down)
    let tx = x - fx, ty = y - fy
    let ix = ((Int(fx) % n) + n) % n, iy = ((Int(fy) % n) + n) % n
    let jx = (ix + 1) % n, jy = (iy + 1) % n
    let wx = tx * tx * (3 - 2 * tx), wy = ty * ty * (3 - 2 * ty)
    let top = table[iy * n + ix] + wx * (table[iy * n + jx] - table[iy * n + ix])
    let bottom = table[jy * n + ix] + wx * (table[jy * n + jx] - table[jy * n + ix])
    return top + wy * (bottom - top)
  }

  /// Paints frame t's background and blobs into `planes` (3 planes of size², frame t only,
  /// values in [0, 1] units): gray level + contrast·(coarse + ½ fine)/1.5 with coarse cells
  /// of S/4 and fine cells of S/8 pixels, sampled at pixel centres shifted by the pan; then
  /// each blob blended over it.
  /// - Complexity: O(size² + blobs · σ²).
  package func paint(frame t: Int, size: Int, into planes: inout [Double], offset: Int, planeStride: Int) {
    let s = Double(size)
    let ox = panX * Double(t), oy = panY * Double(t)
    let coarseCell = s / 4, fineCell = s / 8
    for y in 0..<size {
      for x in 0..<size {
        var g = level
        if contrast > 0 {
          let px = Double(x) + 0.5 + ox, py = Double(y) + 0.5 + oy
          let v =
            Backdrop.valueNoise(coarse, px / coarseCell, py / coarseCell)
            + 0.5 * Backdrop.valueNoise(fine, px / fineCell, py / fineCell)
          g += contrast * v / 1.5
        }
        let p = offset + y * size + x
        planes[p] = g
        planes[p + planeStride] = g
        planes[p + 2 * planeStride] = g
      }
    }
    for blob in blobs {
      let bx = blob.x[t], by = blob.y[t]
      let reach = 3 * blob.sigma
      let x0 = max(0, Int((bx - reach).rounded(.down))), x1 = min(size - 1, Int((bx + reach).rounded(.down)))
      let y0 = max(0, Int((by - reach).rounded(.down))), y1 = min(size - 1, Int((by + reach).rounded(.down)))
      guard x0 <= x1 && y0 <= y1 else { continue }
      let inverse = 1 / (2 * blob.sigma * blob.sigma)
      for y in y0...y1 {
        for x in x0...x1 {
          let dx = Double(x) + 0.5 - bx, dy = Double(y) + 0.5 - by
          let d2 = dx * dx + dy * dy
          guard d2 <= reach * reach else { continue }
          let a = 0.85 * PortableMath.exp(-d2 * inverse)
          let p = offset + y * size + x
          for c in 0..<3 {
            planes[p + c * planeStride] += a * (blob.level - planes[p + c * planeStride])
          }
        }
      }
    }
  }
}
