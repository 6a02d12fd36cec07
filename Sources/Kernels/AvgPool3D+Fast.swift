import TensorCore

extension Fast {
  /// Equals `Literal.avgPool3d` (same windows, same divisor rule; the sum of each window in a
  /// different order, so within γ_(k+1)·Σ|x| / D).
  ///
  /// Organisation: one task per N·C plane (in parallel above 64 K input elements). Within a
  /// plane, for each output row (i, j), the outputs whose W-window lies inside the input are
  /// done eight at a time in SIMD8 lanes, summed over the window in t, h, w order and divided
  /// once. Lane = output column; each window offset is one contiguous load for stride 1, two
  /// loads and an even/odd split for stride 2, a gather otherwise; a final partial group reruns
  /// the last eight interior columns. The border columns run the scalar loop.
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
                // Eight interior columns from l on; a final partial group is done by the last
                // eight interior columns again (recomputing a few: the results are the same).
                func block(_ l: Int) {
                  var sum = SIMD8<Float>.zero
                  for t in wt.start..<wt.end {
                    for h in wh.start..<wh.end {
                      let start = (t * Hi + h) * Wi + l * sw - pw
                      for k in 0..<kw {
                        sum += FastSlices.strided8(xp + start + k, sw)
                      }
                    }
                  }
                  FastSlices.store8(sum / divisor, yp, row + l)
                }
                while l + 8 <= interior.upperBound {
                  block(l)
                  l += 8
                }
                if l < interior.upperBound {
                  block(interior.upperBound - 8)
                  l = interior.upperBound
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

  /// Equals `Literal.avgPool3dBackward` bit for bit in Float (every element receives the same
  /// quotients g = dy / D in the same order: by output row (i, j), then by output column l).
  ///
  /// One task per N·C plane (in parallel above 64 K input elements). For each output row
  /// (i, j) the quotients g[l] are formed once; each input row (t, h) of the window then
  /// receives them column by column. With stride 1 along W the interior columns go eight at a
  /// time: for each window offset k, from the last to the first (so that every element still
  /// receives its columns in ascending l), a SIMD8 segment of the input row adds g[l ..< l+8].
  /// Other strides and the border columns use the scalar loop. Tasks write disjoint planes:
  /// independent of the thread count.
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
    let interior = axes.w.interior
    let kw = axes.w.kernel, pw = axes.w.padding
    let vectorised = axes.w.stride == 1 && interior.count >= 8
    var dx = [Float](repeating: 0, count: planes * inPlane)
    if dy.count == 0 { return Tensor(shape: inputShape, scalars: dx) }
    dx.withUnsafeMutableBufferPointer { db in
      let dAll = db.baseAddress!
      dy.withUnsafeBufferPointer { gb in
        let gp = gb.baseAddress!
        FastSlices.forEach(planes, elements: planes * inPlane) { plane in
          let dp = dAll + plane * inPlane
          var quotients = [Float](repeating: 0, count: Wo)
          quotients.withUnsafeMutableBufferPointer { qb in
            let g = qb.baseAddress!
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
                  g[l] = gp[row + l] / Float(divisor)
                }
                for t in wt.start..<wt.end {
                  for h in wh.start..<wh.end {
                    let d = dp + (t * Hi + h) * Wi
                    func scalar(_ l: Int) {
                      let ww = axes.w.window(l)
                      for w in ww.start..<ww.end { d[w] += g[l] }
                    }
                    var l = 0
                    if vectorised {
                      while l < interior.lowerBound {
                        scalar(l)
                        l += 1
                      }
                      while l + 8 <= interior.upperBound {
                        let gv = FastSlices.load8(g, l)
                        var k = kw - 1
                        while k >= 0 {
                          let q = l - pw + k
                          FastSlices.store8(FastSlices.load8(d, q) + gv, d, q)
                          k -= 1
                        }
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
        }
      }
    }
    return Tensor(shape: inputShape, scalars: dx)
  }
}
