import TensorCore

extension Fast {
  /// Equals `Literal.avgPool3d` (same windows, same divisor rule; the sum of each window in a
  /// different order, so within γ_(k+1)·Σ|x| / D).
  ///
  /// Organisation: one task per N·C plane (in parallel above 64 K input elements). Within a
  /// plane, for each output row (i, j), the outputs whose W-window lies inside the input are
  /// done eight at a time in SIMD8 lanes (lane = output column; each window offset is one
  /// contiguous load for stride 1, a strided gather otherwise), summed over the window in
  /// t, h, w order and divided once; the border columns run the scalar loop.
  /// - Complexity: O(|y|·kₜ·k_h·k_w).
  public static func avgPool3d(_ x: Tensor<Float>, geometry: Pool3DGeometry, countIncludePad: Bool) -> Tensor<Float> {
    let outShape = geometry.checkedOutputShape(input: x.shape)
    let axes = PoolAxis.axes(input: x.shape, output: outShape, geometry: geometry)
    let (Hi, Wi) = (x.shape[3], x.shape[4])
    let (To, Ho, Wo) = (outShape[2], outShape[3], outShape[4])
    let planes = x.shape[0] * x.shape[1]
    let inPlane = x.shape[2] * Hi * Wi, outPlane = To * Ho * Wo
    let interior = axes.w.interior
    let sw = axes.w.stride, kw = axes.w.kernel, pw = axes.w.padding
    let values = FastSlices.makeArray(planes * outPlane) { yp in
      x.withUnsafeBufferPointer { xb in
        let xAll = xb.baseAddress!
        FastSlices.forEach(planes, elements: x.count) { plane in
          let xp = xAll + plane * inPlane
          for i in 0..<To {
            let wt = axes.t.window(i)
            for j in 0..<Ho {
              let wh = axes.h.window(j)
              let row = ((plane * To + i) * Ho + j) * Wo
              func scalar(_ l: Int) {
                let ww = axes.w.window(l)
                let divisor =
                  countIncludePad
                  ? wt.paddedExtent * wh.paddedExtent * ww.paddedExtent
                  : (wt.end - wt.start) * (wh.end - wh.start) * (ww.end - ww.start)
                var sum: Float = 0
                for t in wt.start..<wt.end {
                  for h in wh.start..<wh.end {
                    let rowBase = (t * Hi + h) * Wi
                    for w in ww.start..<ww.end { sum += xp[rowBase + w] }
                  }
                }
                yp[row + l] = sum / Float(divisor)
              }
              var l = 0
              if interior.count >= 8 {
                while l < interior.lowerBound {
                  scalar(l)
                  l += 1
                }
                // Interior columns: the W-window is whole, so its padded extent and count are k_w.
                let divisor = SIMD8<Float>(
                  repeating: Float(
                    countIncludePad
                      ? wt.paddedExtent * wh.paddedExtent * kw : (wt.end - wt.start) * (wh.end - wh.start) * kw))
                while l + 8 <= interior.upperBound {
                  var sum = SIMD8<Float>.zero
                  for t in wt.start..<wt.end {
                    for h in wh.start..<wh.end {
                      let start = (t * Hi + h) * Wi + l * sw - pw
                      for k in 0..<kw {
                        let p = xp + start + k
                        sum +=
                          sw == 1
                          ? FastSlices.load8(p, 0)
                          : SIMD8<Float>(p[0], p[sw], p[2 * sw], p[3 * sw], p[4 * sw], p[5 * sw], p[6 * sw], p[7 * sw])
                      }
                    }
                  }
                  FastSlices.store8(sum / divisor, yp, row + l)
                  l += 8
                }
              }
              while l < Wo {
                scalar(l)
                l += 1
              }
            }
          }
        }
      }
    }
    return Tensor(shape: outShape, scalars: values)
  }

  /// Equals `Literal.avgPool3dBackward` (the same additions in the same order, in Float): one
  /// task per N·C plane (in parallel above 64 K input elements) scatters g = dy / D of each of
  /// its outputs, in output order, over that output's window; windows are short rows, so the
  /// inner loop is scalar. Tasks write disjoint planes: independent of the thread count.
  /// - Complexity: O(|x| + |dy|·kₜ·k_h·k_w).
  public static func avgPool3dBackward(
    _ dy: Tensor<Float>, inputShape: [Int], geometry: Pool3DGeometry, countIncludePad: Bool
  ) -> Tensor<Float> {
    let outShape = geometry.checkedOutputShape(input: inputShape)
    precondition(
      dy.shape == outShape,
      "avgPool3dBackward: dy \(Shape.describe(dy.shape)) is not the output \(Shape.describe(outShape)) of input "
        + "\(Shape.describe(inputShape)) with \(geometry)")
    let axes = PoolAxis.axes(input: inputShape, output: outShape, geometry: geometry)
    let (Hi, Wi) = (inputShape[3], inputShape[4])
    let (To, Ho, Wo) = (outShape[2], outShape[3], outShape[4])
    let planes = inputShape[0] * inputShape[1]
    let inPlane = inputShape[2] * Hi * Wi
    var dx = [Float](repeating: 0, count: planes * inPlane)
    if dy.count == 0 { return Tensor(shape: inputShape, scalars: dx) }
    dx.withUnsafeMutableBufferPointer { db in
      let dAll = db.baseAddress!
      dy.withUnsafeBufferPointer { gb in
        let gp = gb.baseAddress!
        FastSlices.forEach(planes, elements: planes * inPlane) { plane in
          let dp = dAll + plane * inPlane
          for i in 0..<To {
            let wt = axes.t.window(i)
            for j in 0..<Ho {
              let wh = axes.h.window(j)
              let row = ((plane * To + i) * Ho + j) * Wo
              for l in 0..<Wo {
                let ww = axes.w.window(l)
                let divisor =
                  countIncludePad
                  ? wt.paddedExtent * wh.paddedExtent * ww.paddedExtent
                  : (wt.end - wt.start) * (wh.end - wh.start) * (ww.end - ww.start)
                let g = gp[row + l] / Float(divisor)
                for t in wt.start..<wt.end {
                  for h in wh.start..<wh.end {
                    let rowBase = (t * Hi + h) * Wi
                    for w in ww.start..<ww.end { dp[rowBase + w] += g }
                  }
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: inputShape, scalars: dx)
  }
}
