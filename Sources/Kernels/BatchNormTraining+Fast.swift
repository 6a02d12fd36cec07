import TensorCore

extension Fast {
  /// Equals `Literal.batchNormTraining`.
  ///
  /// Statistics: one task per channel (channels in parallel when x has more than 64 K
  /// elements); the task sums its N planes in n order, each plane by `FastSlices.sum` (SIMD16
  /// lane partial sums, then the tail), first Σx for μ, then Σ(x − μ)² (two passes, as the
  /// literal). The partition is per channel whatever the thread count, so the statistics do not
  /// depend on it. Output: y = (x − μ_c)·(γ_c·invstd_c) + β_c over the N·C planes, SIMD16,
  /// planes in parallel above 64 K elements.
  /// - Complexity: O(|x|).
  public static func batchNormTraining(
    _ x: Tensor<Float>, scale: Tensor<Float>, shift: Tensor<Float>, epsilon: Float
  ) -> BatchNormTrainingResult<Float> {
    let layout = ChannelLayout(
      "batchNormTraining", shape: x.shape, parameters: [("scale", scale.shape), ("shift", shift.shape)])
    let C = layout.channels, S = layout.spatial, N = layout.batch, M = layout.perChannel
    precondition(M > 1, "batchNormTraining: input \(Shape.describe(x.shape)) has one value per channel (N·S = \(M))")
    var mean = [Float](repeating: 0, count: C)
    var inverseStd = [Float](repeating: 0, count: C)
    var unbiased = [Float](repeating: 0, count: C)
    x.withUnsafeBufferPointer { xb in
      let xp = xb.baseAddress!
      mean.withUnsafeMutableBufferPointer { meanOut in
        inverseStd.withUnsafeMutableBufferPointer { invOut in
          unbiased.withUnsafeMutableBufferPointer { unbiasedOut in
            FastSlices.forEach(C, elements: x.count) { c in
              var sum: Float = 0
              for n in 0..<N { sum += FastSlices.sum(xp + (n * C + c) * S, S) }
              let mu = sum / Float(M)
              var squares: Float = 0
              for n in 0..<N { squares += FastSlices.sumOfSquaredDeviations(xp + (n * C + c) * S, S, from: mu) }
              meanOut[c] = mu
              invOut[c] = 1 / (squares / Float(M) + epsilon).squareRoot()
              unbiasedOut[c] = squares / Float(M - 1)
            }
          }
        }
      }
    }
    var factor = [Float](repeating: 0, count: C)
    for c in 0..<C { factor[c] = scale.scalars[c] * inverseStd[c] }
    let y = FastSlices.channelAffine(x, layout, mean: mean, factor: factor, shift: shift.scalars)
    return BatchNormTrainingResult(
      output: Tensor(shape: x.shape, scalars: y), mean: Tensor(shape: [C], scalars: mean),
      inverseStd: Tensor(shape: [C], scalars: inverseStd), unbiasedVariance: Tensor(shape: [C], scalars: unbiased))
  }

  /// Equals `Literal.batchNormTrainingBackward`.
  ///
  /// Per channel (channels in parallel above 64 K elements, n order within a channel, SIMD16
  /// lane partial sums within a plane): dβ = Σ dy, dγ = invstd · Σ dy·(x − μ). Then, with
  /// k = γ·invstd, dx = k·dy − k·dβ/M − (k·invstd·dγ/M)·(x − μ) over the N·C planes (SIMD16,
  /// parallel above 64 K elements). Fixed per-channel partition: independent of the thread count.
  /// - Complexity: O(|x|).
  public static func batchNormTrainingBackward(
    _ dy: Tensor<Float>, input: Tensor<Float>, scale: Tensor<Float>, saved: BatchNormTrainingResult<Float>
  ) -> BatchNormTrainingGradients<Float> {
    let layout = ChannelLayout(
      "batchNormTrainingBackward", shape: input.shape,
      parameters: [
        ("scale", scale.shape), ("saved mean", saved.mean.shape), ("saved inverseStd", saved.inverseStd.shape),
      ])
    precondition(
      dy.shape == input.shape,
      "batchNormTrainingBackward: dy \(Shape.describe(dy.shape)) differs from input \(Shape.describe(input.shape))")
    let C = layout.channels, S = layout.spatial, N = layout.batch, M = Float(layout.perChannel)
    let mean = saved.mean.scalars, invstd = saved.inverseStd.scalars
    var dShift = [Float](repeating: 0, count: C)
    var dScale = [Float](repeating: 0, count: C)
    dy.withUnsafeBufferPointer { gb in
      input.withUnsafeBufferPointer { xb in
        let gp = gb.baseAddress!, xp = xb.baseAddress!
        dShift.withUnsafeMutableBufferPointer { shiftOut in
          dScale.withUnsafeMutableBufferPointer { scaleOut in
            FastSlices.forEach(C, elements: input.count) { c in
              var sumDy: Float = 0, sumDyCentred: Float = 0
              for n in 0..<N {
                let base = (n * C + c) * S
                sumDy += FastSlices.sum(gp + base, S)
                sumDyCentred += FastSlices.centredDot(gp + base, xp + base, S, mean: mean[c])
              }
              shiftOut[c] = sumDy
              scaleOut[c] = invstd[c] * sumDyCentred
            }
          }
        }
      }
    }
    let planes = N * C
    let dx = FastSlices.makeArray(input.count) { out in
      dy.withUnsafeBufferPointer { gb in
        input.withUnsafeBufferPointer { xb in
          let gp = gb.baseAddress!, xp = xb.baseAddress!
          FastSlices.forEach(planes, elements: input.count) { plane in
            let c = plane % C
            let k = scale.scalars[c] * invstd[c]
            let b = k * dShift[c] / M
            let d = k * invstd[c] * dScale[c] / M
            let m = mean[c]
            let kv = SIMD16<Float>(repeating: k), bv = SIMD16<Float>(repeating: b)
            let dv = SIMD16<Float>(repeating: d), mv = SIMD16<Float>(repeating: m)
            let base = plane * S
            var i = 0
            while i + 16 <= S {
              let g = FastSlices.load16(gp, base + i), xc = FastSlices.load16(xp, base + i) - mv
              FastSlices.store16(kv * g - bv - dv * xc, out, base + i)
              i += 16
            }
            while i < S {
              out[base + i] = k * gp[base + i] - b - d * (xp[base + i] - m)
              i += 1
            }
          }
        }
      }
    }
    return BatchNormTrainingGradients(
      input: Tensor(shape: input.shape, scalars: dx), scale: Tensor(shape: [C], scalars: dScale),
      shift: Tensor(shape: [C], scalars: dShift))
  }
}

extension FastSlices {
  /// Σ (p[i] − m)² in the fixed order of `FastSlices.sum`.
  @inline(__always)
  static func sumOfSquaredDeviations(_ p: UnsafePointer<Float>, _ n: Int, from m: Float) -> Float {
    let mv = SIMD16<Float>(repeating: m)
    var acc = SIMD16<Float>.zero
    var i = 0
    while i + 16 <= n {
      let d = FastSlices.load16(p, i) - mv
      acc += d * d
      i += 16
    }
    var s = acc.sum()
    while i < n {
      let d = p[i] - m
      s += d * d
      i += 1
    }
    return s
  }

  /// Σ g[i]·(x[i] − m) in the fixed order of `FastSlices.sum`.
  @inline(__always)
  static func centredDot(_ g: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ n: Int, mean m: Float) -> Float {
    let mv = SIMD16<Float>(repeating: m)
    var acc = SIMD16<Float>.zero
    var i = 0
    while i + 16 <= n {
      acc += FastSlices.load16(g, i) * (FastSlices.load16(x, i) - mv)
      i += 16
    }
    var s = acc.sum()
    while i < n {
      s += g[i] * (x[i] - m)
      i += 1
    }
    return s
  }
}
