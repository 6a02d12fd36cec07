import TensorCore

extension Fast {
  /// Equals `Literal.slicClusters` in Float, except that the update sums positions and colours
  /// in Double (per block of rows, the blocks added in order) before rounding each mean once to
  /// Float, where the literal path sums in its scalar type in raster order.
  ///
  /// Input: the prepared stack as C planes of T·H·W values (channel-first, unlike the literal's
  /// channels-last stack). The assignment is split into blocks of up to 8 rows of one frame;
  /// each block visits the seeds in increasing k and keeps, per voxel, the first seed of
  /// smallest distance — the literal's rule, evaluated with the same Float operations (no
  /// fused multiply-adds), eight voxels of a row at a time (`SIMD8<Float>`). It skips work that
  /// cannot change a label: every distance of a seed's row is at least fl(fl(d_t² + d_h²)·S⁻²),
  /// and every distance of a voxel at least its spatial term (the colour term is ≥ 0 and
  /// rounding is monotone), so a row whose voxels are all at or below the first bound, and the
  /// colour term of eight voxels all at or below their second, are left out — exactly. A
  /// voxel's label depends on no other block, and the update's blocks are fixed by the shape,
  /// so the result does not depend on the thread count.
  ///
  /// - Complexity: as `Literal.slicClusters`, spread over `FastThreads.count` threads.
  package static func slicClusters(_ planes: [Float], plan: SLICPlan) -> [Int32] {
    let (depth, height, width, c) = (plan.frames, plan.height, plan.width, plan.channels)
    let voxels = plan.voxels, seedCount = plan.seeds.count
    var ct = plan.seeds.map { Float($0[0]) }, ch = plan.seeds.map { Float($0[1]) }
    var cw = plan.seeds.map { Float($0[2]) }
    var colours = [Float](repeating: 0, count: seedCount * c)
    var alive = [Bool](repeating: true, count: seedCount)
    var largest = [Float](repeating: 1, count: seedCount)
    var nearest = [Int32](repeating: -1, count: voxels)
    var distance = [Float](repeating: 0, count: voxels)
    let blocksPerFrame = (height + 7) / 8
    let assignBlocks = depth * blocksPerFrame
    let rows = depth * height
    let updateGroups = min(rows, 32)
    let slicZero = plan.settings.slicZero

    for _ in 0..<plan.settings.maxIterations {
      var changed = [Bool](repeating: false, count: assignBlocks)
      let seeds = SLICFastSeeds(
        t: ct, h: ch, w: cw, colours: colours, alive: alive, largest: largest, slicZero: slicZero,
        spatialWeight: Float(1 / (plan.step * plan.step)), spacing: plan.spacing.map { Float($0) },
        window: plan.window)
      planes.withUnsafeBufferPointer { pb in
        nearest.withUnsafeMutableBufferPointer { nb in
          distance.withUnsafeMutableBufferPointer { db in
            changed.withUnsafeMutableBufferPointer { cb in
              let (p, n, d, flags) = (
                UncheckedSendable(pb.baseAddress!), UncheckedSendable(nb.baseAddress!),
                UncheckedSendable(db.baseAddress!), UncheckedSendable(cb.baseAddress!)
              )
              parallelFor(assignBlocks) { block in
                let (z, first) = (block / blocksPerFrame, (block % blocksPerFrame) * 8)
                let rowRange = first..<min(first + 8, height)
                flags.value[block] = seeds.assign(
                  frame: z, rows: rowRange, planes: p.value, channels: c, voxels: voxels, width: width,
                  extents: (depth, height), nearest: n.value, distance: d.value)
              }
            }
          }
        }
      }
      if !changed.contains(true) { break }

      // Update: Double sums per group of rows, groups fixed by the shape, added in order.
      let features = 3 + c
      var counts = [Int](repeating: 0, count: updateGroups * seedCount)
      var sums = [Double](repeating: 0, count: updateGroups * seedCount * features)
      planes.withUnsafeBufferPointer { pb in
        nearest.withUnsafeBufferPointer { nb in
          counts.withUnsafeMutableBufferPointer { cb in
            sums.withUnsafeMutableBufferPointer { sb in
              let (p, n, cp, sp) = (
                UncheckedSendable(pb.baseAddress!), UncheckedSendable(nb.baseAddress!),
                UncheckedSendable(cb.baseAddress!), UncheckedSendable(sb.baseAddress!)
              )
              parallelFor(updateGroups) { g in
                let count = cp.value + g * seedCount, sum = sp.value + g * seedCount * features
                for r in (g * rows / updateGroups)..<((g + 1) * rows / updateGroups) {
                  let (z, y) = (Double(r / height), Double(r % height))
                  for x in 0..<width {
                    let v = r * width + x
                    let k = Int(n.value[v])
                    guard k >= 0 else { continue }
                    count[k] += 1
                    sum[k * features] += z
                    sum[k * features + 1] += y
                    sum[k * features + 2] += Double(x)
                    for channel in 0..<c { sum[k * features + 3 + channel] += Double(p.value[channel * voxels + v]) }
                  }
                }
              }
            }
          }
        }
      }
      for k in 0..<seedCount {
        var members = 0
        var total = [Double](repeating: 0, count: features)
        for g in 0..<updateGroups {
          members += counts[g * seedCount + k]
          for f in 0..<features { total[f] += sums[(g * seedCount + k) * features + f] }
        }
        alive[k] = members > 0
        guard members > 0 else { continue }
        let m = Double(members)
        (ct[k], ch[k], cw[k]) = (Float(total[0] / m), Float(total[1] / m), Float(total[2] / m))
        for channel in 0..<c { colours[k * c + channel] = Float(total[3 + channel] / m) }
      }
      if slicZero {
        largest = Self.slicLargestColourDistances(
          planes, nearest: nearest, colours: colours, channels: c, voxels: voxels, groups: updateGroups,
          previous: largest)
      }
    }
    let start = Int32(plan.settings.startLabel)
    return nearest.map { $0 + start }
  }

  /// SLICO's M_k = max(M_k, max over k's voxels of ‖c_p − c_k‖²): per group of voxels, then
  /// the groups' maxima (an order-free reduction).
  private static func slicLargestColourDistances(
    _ planes: [Float], nearest: [Int32], colours: [Float], channels c: Int, voxels: Int, groups: Int,
    previous: [Float]
  ) -> [Float] {
    let seedCount = previous.count
    var partial = [Float](repeating: 0, count: groups * seedCount)
    planes.withUnsafeBufferPointer { pb in
      nearest.withUnsafeBufferPointer { nb in
        colours.withUnsafeBufferPointer { mb in
          partial.withUnsafeMutableBufferPointer { qb in
            let (p, n, m, q) = (
              UncheckedSendable(pb.baseAddress!), UncheckedSendable(nb.baseAddress!),
              UncheckedSendable(mb.baseAddress!), UncheckedSendable(qb.baseAddress!)
            )
            parallelFor(groups) { g in
              let out = q.value + g * seedCount
              for v in (g * voxels / groups)..<((g + 1) * voxels / groups) {
                let k = Int(n.value[v])
                guard k >= 0 else { continue }
                var sum: Float = 0
                for channel in 0..<c {
                  let difference = p.value[channel * voxels + v] - m.value[k * c + channel]
                  sum += difference * difference
                }
                if out[k] < sum { out[k] = sum }
              }
            }
          }
        }
      }
    }
    var largest = previous
    for g in 0..<groups {
      for k in 0..<seedCount where largest[k] < partial[g * seedCount + k] { largest[k] = partial[g * seedCount + k] }
    }
    return largest
  }
}

/// The seeds of one fast SLIC iteration, read-only while the blocks assign voxels.
private struct SLICFastSeeds: Sendable {
  let t: [Float], h: [Float], w: [Float]
  /// K×C colours.
  let colours: [Float]
  let alive: [Bool]
  let largest: [Float]
  let slicZero: Bool
  let spatialWeight: Float
  let spacing: [Float]
  let window: [Int]

  /// Assigns the voxels of `rows` of frame `frame` (see `Fast.slicClusters`); true when a
  /// voxel took a seed.
  func assign(
    frame z: Int, rows: Range<Int>, planes: UnsafePointer<Float>, channels c: Int, voxels: Int, width: Int,
    extents: (depth: Int, height: Int), nearest: UnsafeMutablePointer<Int32>, distance: UnsafeMutablePointer<Float>
  ) -> Bool {
    colours.withUnsafeBufferPointer { table in
      let colourTable = table.baseAddress!
      let firstVoxel = (z * extents.height + rows.lowerBound) * width
      (distance + firstVoxel).update(repeating: .infinity, count: rows.count * width)
      var changed = false
      var improved = SIMDMask<SIMD8<Int32>>(repeating: false)
      let iota = SIMD8<Float>(0, 1, 2, 3, 4, 5, 6, 7)
      let (st, sh, sw) = (spacing[0], spacing[1], spacing[2])
      for k in 0..<t.count where alive[k] {
        let tLow = Int(max(t[k] - Float(2 * window[0]), 0)),
          tHigh = Int(min(t[k] + Float(2 * window[0]) + 1, Float(extents.depth)))
        guard tLow <= z && z < tHigh else { continue }
        let hLow = Int(max(h[k] - Float(2 * window[1]), 0)),
          hHigh = Int(min(h[k] + Float(2 * window[1]) + 1, Float(extents.height)))
        let (yLow, yHigh) = (max(hLow, rows.lowerBound), min(hHigh, rows.upperBound))
        guard yLow < yHigh else { continue }
        let wLow = Int(max(w[k] - Float(2 * window[2]), 0)),
          wHigh = Int(min(w[k] + Float(2 * window[2]) + 1, Float(width)))
        guard wLow < wHigh else { continue }
        var dt = st * (t[k] - Float(z))
        dt = dt * dt
        let label = Int32(k)
        let divisor = largest[k]
        let centre = colourTable + k * c
        for y in yLow..<yHigh {
          var dh = sh * (h[k] - Float(y))
          dh = dh * dh
          let dth = dt + dh
          let row = (z * extents.height + y) * width
          var x = wLow
          if wHigh - wLow >= 8 {
            // Every d of this row is ≥ fl(dth·S⁻²) (the colour term is ≥ 0 and rounding is
            // monotone), so a row whose distances are all at or below that bound cannot change.
            let bound = dth * spatialWeight
            var largest = SIMD8<Float>(repeating: -.infinity)
            var probe = wLow
            while true {
              if probe + 8 > wHigh { probe = wHigh - 8 }
              largest = pointwiseMax(
                largest, UnsafeRawPointer(distance + row + probe).loadUnaligned(as: SIMD8<Float>.self))
              if probe + 8 == wHigh { break }
              probe += 8
            }
            // (SIMD's max() is a call here; eight scalar lanes are not.)
            let rowLargest = max(
              max(max(largest[0], largest[1]), max(largest[2], largest[3])),
              max(max(largest[4], largest[5]), max(largest[6], largest[7])))
            if rowLargest <= bound { continue }
            // Full vectors, then one vector ending at wHigh: it re-evaluates voxels this seed has
            // just compared, whose distance is now ≤ their d, so the strict test leaves them alone.
            while true {
              if x + 8 > wHigh { x = wHigh - 8 }
              var dw = sw * (SIMD8(repeating: w[k]) - (SIMD8(repeating: Float(x)) + iota))
              dw = dw * dw
              let spatial = (SIMD8(repeating: dth) + dw) * SIMD8(repeating: spatialWeight)
              let old = UnsafeRawPointer(distance + row + x).loadUnaligned(as: SIMD8<Float>.self)
              // The same bound per voxel: skip the colour term where no voxel can improve.
              if any(old .> spatial) {
                var colour = SIMD8<Float>(repeating: 0)
                for channel in 0..<c {
                  let values = UnsafeRawPointer(planes + channel * voxels + row + x).loadUnaligned(
                    as: SIMD8<Float>.self)
                  let difference = values - SIMD8(repeating: centre[channel])
                  colour = colour + difference * difference
                }
                if slicZero { colour = colour / SIMD8(repeating: divisor) }
                let d = spatial + colour
                let better = old .> d
                improved = improved .| better
                UnsafeMutableRawPointer(distance + row + x).storeBytes(
                  of: old.replacing(with: d, where: better), as: SIMD8<Float>.self)
                let labels = UnsafeRawPointer(nearest + row + x).loadUnaligned(as: SIMD8<Int32>.self)
                UnsafeMutableRawPointer(nearest + row + x).storeBytes(
                  of: labels.replacing(with: SIMD8(repeating: label), where: better), as: SIMD8<Int32>.self)
              }
              if x + 8 == wHigh { break }
              x += 8
            }
          } else {
            while x < wHigh {
              var dw = sw * (w[k] - Float(x))
              dw = dw * dw
              var colour: Float = 0
              for channel in 0..<c {
                let difference = planes[channel * voxels + row + x] - centre[channel]
                colour += difference * difference
              }
              if slicZero { colour = colour / divisor }
              let d = (dth + dw) * spatialWeight + colour
              if distance[row + x] > d {
                distance[row + x] = d
                nearest[row + x] = label
                changed = true
              }
              x += 1
            }
          }
        }
      }
      return changed || any(improved)
    }
  }
}
