import TensorCore

extension Fast {
  /// Equals `Literal.coreResponses` bit for bit in Float: each response adds the same voxels in
  /// the same order (t, h, then w ascending), read as one run of columns per core row
  /// (`ExtremalCore.runs`) instead of testing every weight. Windows of one (row, t_o) run on
  /// one thread.
  ///
  /// - Complexity: O(A·T_o·H_o·W_o·ΣK).
  public static func coreResponses(_ mask: Tensor<Float>, core: ExtremalCore) -> Tensor<Float> {
    let e = core.requireExtent(maskShape: mask.shape)
    let (frames, height, width) = (mask.shape[2], mask.shape[3], mask.shape[4])
    let (kt, s, volume) = (core.frames, core.size, Float(core.volume))
    let runs = core.runs
    var r = Tensor<Float>.zeros([mask.shape[0], 1, e.t, e.h, e.w])
    mask.withUnsafeBufferPointer { m in
      r.scalars.withUnsafeMutableBufferPointer { out in
        parallelFor(mask.shape[0] * e.t) { job in
          let (a, to) = job.quotientAndRemainder(dividingBy: e.t)
          for ho in 0..<e.h {
            for wo in 0..<e.w {
              var sum: Float = 0
              for t in 0..<kt {
                for h in 0..<s {
                  let row = m.baseAddress! + ((a * frames + to + t) * height + s * ho + h) * width + s * wo
                  for w in runs[t * s + h] { sum += row[w] }
                }
              }
              out[((a * e.t + to) * e.h + ho) * e.w + wo] = sum / volume
            }
          }
        }
      }
    }
    return r
  }

  /// Equals `Literal.coreLoss`: the responses of `Fast.coreResponses` (bit for bit those of the
  /// literal path in Float), the same descending order (`Fast.argsort` of the negated responses
  /// in tie order) and the same derivatives per response, so the gradient is bit for bit that of
  /// `Literal.coreLoss` in Float wherever both see the same order; the two means are accumulated
  /// in Double and rounded once. The gradient gathers, for every voxel, the windows that contain
  /// it in ascending t_o — the order in which the literal scatter adds them — one (row, frame) per
  /// thread, so results do not depend on the thread count.
  ///
  /// - Complexity: O(A·(P·ΣK + P·log P) + A·T·H·W).
  public static func coreLoss(
    _ mask: Tensor<Float>, areas: [Double], core: ExtremalCore, tieOrder: TieOrder = .stable
  ) -> ExtremalLossResult<Float> {
    let e = core.require(maskShape: mask.shape, areas: areas, tieOrder: tieOrder)
    let (rows, frames, height, width) = (mask.shape[0], mask.shape[2], mask.shape[3], mask.shape[4])
    let (kt, s, p) = (core.frames, core.size, e.product)
    let responses = coreResponses(mask, core: core)
    var loss = [Float](repeating: 0, count: rows)
    // ∂L_K/∂R / ΣK for every window of every row.
    var windowGradient = [Float](repeating: 0, count: rows * p)
    for a in 0..<rows {
      let r = responses.scalars[(a * p)..<((a + 1) * p)]
      let base = a * p
      let n = min(core.targetCount(area: areas[a], frames: frames, height: height, width: width), p)
      let pi = tieOrder.permutation(row: a, count: p)
      let order = argsort(pi.map { -r[base + $0] })
      var first = 0.0, second = 0.0
      for i in 0..<p {
        let w = pi[order[i]]
        let x = r[base + w]
        let dR: Float
        if i < n {
          first += (Double(x) - 1) * (Double(x) - 1)
          dR = 2 * (x - 1) / Float(n)
        } else {
          second += Double(x) * Double(x)
          dR = 2 * x / Float(p - n)
        }
        windowGradient[base + w] = dR / Float(core.volume)
      }
      loss[a] = Float(first / Double(n) + (p > n ? second / Double(p - n) : 0))
    }
    var gradient = Tensor<Float>.zeros(mask.shape)
    let runs = core.runs
    windowGradient.withUnsafeBufferPointer { g in
      gradient.scalars.withUnsafeMutableBufferPointer { out in
        parallelFor(rows * frames) { job in
          let (a, t) = job.quotientAndRemainder(dividingBy: frames)
          let frame = out.baseAddress! + (a * frames + t) * height * width
          for to in max(0, t - kt + 1)...min(t, e.t - 1) {
            for ho in 0..<e.h {
              for wo in 0..<e.w {
                let value = g[((a * e.t + to) * e.h + ho) * e.w + wo]
                for h in 0..<s {
                  let row = frame + (s * ho + h) * width + s * wo
                  for w in runs[(t - to) * s + h] { row[w] += value }
                }
              }
            }
          }
        }
      }
    }
    return ExtremalLossResult(loss: loss, gradient: gradient)
  }
}
