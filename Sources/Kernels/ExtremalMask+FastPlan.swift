import TensorCore

/// What the fast mask generator precomputes from an `ExtremalMaskGeometry`, and its shared
/// inner loop (the smooth max of sixteen adjacent padded pixels).
///
/// **Weights.** Padded pixel (y, x) reads node ⌊y/s⌋ + k_y − p at offset
/// Δy = (y mod s) + s·(p − k_y) − margin, and likewise along x and t, so κ depends only on
/// the pixel's phase (t mod s_t, y mod s, x mod s) and the neighbour k — TorchRay's
/// precomputed `weight` table, folded by the period s. Per (t phase, k_t, y phase, k_y, k_x)
/// the table holds s + 16 values, entry j = κ at x phase j mod s, so that sixteen adjacent
/// pixels starting at phase φ read entries φ…φ+15 with one vector load. κ is computed in
/// Double (`ExtremalMaskGeometry.weight`) and rounded once.
///
/// **Values.** For each mask a and lattice frame i_t, the lattice zero-padded by p nodes and
/// repeated s times along W: a plane of h + 2p rows of s·(w + 2p) + 16 values,
/// U[i + p][x′] = m̄[a, 0, i_t, i, ⌊x′/s⌋ − p] (0 outside the lattice). Neighbour (k_y, k_x)
/// of the sixteen pixels (y, x₀…x₀+15) reads U[⌊y/s⌋ + k_y][x₀ + s·k_x …+15]: another vector
/// load (TorchRay's `unfold` followed by nearest upsampling). A plane of zeros stands for the
/// lattice frames outside 0..<T′.
struct ExtremalMaskPlan {
  let geometry: ExtremalMaskGeometry
  let step: Int
  let stepT: Int
  let padding: Int
  let taps: Int
  let tapsT: Int
  let radiusT: Int
  let coldness: Float
  /// Rows and row length of an upsampled plane.
  let rows: Int
  let rowLength: Int
  /// Values per weight-table entry: s + 16.
  let entry: Int
  /// κ, layout [t phase][k_t][y phase][k_y][k_x][entry].
  let kappa: [Float]

  init(_ g: ExtremalMaskGeometry) {
    geometry = g
    step = g.step
    stepT = g.stepT ?? 1
    padding = g.padding
    taps = 2 * g.radius + 1
    radiusT = g.temporalRadius
    tapsT = 2 * radiusT + 1
    coldness = Float(g.coldness)
    rows = g.latticeHeight + 2 * g.padding
    rowLength = g.step * (g.latticeWidth + 2 * g.padding) + 16
    entry = g.step + 16
    var table = [Float](repeating: 0, count: stepT * tapsT * step * taps * taps * entry)
    var i = 0
    for phaseT in 0..<stepT {
      for kt in 0..<tapsT {
        let dt = g.isSpatioTemporal ? Double(phaseT - stepT * (kt - radiusT)) : 0
        for phaseY in 0..<step {
          for ky in 0..<taps {
            let dy = Double(phaseY + step * (padding - ky)) - g.margin
            for kx in 0..<taps {
              for j in 0..<entry {
                let dx = Double(j % step + step * (padding - kx)) - g.margin
                table[i] = Float(g.weight(dt: dt, dy: dy, dx: dx) as Double)
                i += 1
              }
            }
          }
        }
      }
    }
    kappa = table
  }

  /// Values per plane and the number of planes (A·T′ plus the zero plane).
  var planeSize: Int { rows * rowLength }

  /// The upsampled planes of every mask and lattice frame, then one plane of zeros.
  func upsampledPlanes(_ lattice: Tensor<Float>) -> [Float] {
    let g = geometry
    let (a, frames, h, w) = (lattice.shape[0], g.latticeFrames, g.latticeHeight, g.latticeWidth)
    let count = (a * frames + 1) * planeSize
    var planes = [Float](repeating: 0, count: count)
    lattice.withUnsafeBufferPointer { lb in
      planes.withUnsafeMutableBufferPointer { pb in
        let (lp, pp) = (UncheckedSendable(lb.baseAddress!), UncheckedSendable(pb.baseAddress!))
        forEachPlaneRange(planes: a * frames, workPerPlane: planeSize) { range in
          for plane in range {
            for i in 0..<h {
              let source = lp.value + (plane * h + i) * w
              var target = pp.value + plane * planeSize + (i + padding) * rowLength + padding * step
              for j in 0..<w {
                target.update(repeating: source[j], count: step)
                target += step
              }
            }
          }
        }
      }
    }
    return planes
  }

  /// The plane that temporal neighbour k_t of frame t of mask a reads, as an offset into
  /// `upsampledPlanes` of `masks` masks (the zero plane when the lattice frame lies outside
  /// 0..<T′).
  func planeOffset(masks: Int, mask a: Int, frame t: Int, neighbour kt: Int) -> Int {
    let it = geometry.latticeFrame(frame: t, neighbour: kt)
    guard it >= 0 && it < geometry.latticeFrames else { return masks * geometry.latticeFrames * planeSize }
    return (a * geometry.latticeFrames + it) * planeSize
  }

  /// Offset of the weight entry of (t phase, k_t, y phase, k_y, k_x).
  @inline(__always)
  func kappaOffset(phaseT: Int, kt: Int, phaseY: Int, ky: Int, kx: Int) -> Int {
    ((((phaseT * tapsT + kt) * step + phaseY) * taps + ky) * taps + kx) * entry
  }

  /// The smooth max's terms for pixels (y, x₀…x₀+15) of one frame: z_k = κ_k·v_k for every
  /// neighbour k (order k_t, k_y, k_x, as the literal path) into `z`, and their lane-wise max.
  ///
  /// `planes[k_t]` points at the plane neighbour k_t reads; `kappa` at the table.
  @inline(__always)
  func terms(
    planes: UnsafePointer<UnsafePointer<Float>>, kappa: UnsafePointer<Float>, phaseT: Int, y: Int, x0: Int,
    z: UnsafeMutablePointer<SIMD16<Float>>
  ) -> SIMD16<Float> {
    let (phaseY, cellY, phaseX) = (y % step, y / step, x0 % step)
    var top = SIMD16<Float>(repeating: -.infinity)
    var k = 0
    for kt in 0..<tapsT {
      let plane = planes[kt]
      for ky in 0..<taps {
        let row = plane + (cellY + ky) * rowLength + x0
        let weights = kappa + kappaOffset(phaseT: phaseT, kt: kt, phaseY: phaseY, ky: ky, kx: 0) + phaseX
        for kx in 0..<taps {
          let v = UnsafeRawPointer(row + step * kx).loadUnaligned(as: SIMD16<Float>.self)
          let w = UnsafeRawPointer(weights + kx * entry).loadUnaligned(as: SIMD16<Float>.self)
          let value = w * v
          z[k] = value
          top = top.replacing(with: value, where: value .> top)
          k += 1
        }
      }
    }
    return top
  }
}
