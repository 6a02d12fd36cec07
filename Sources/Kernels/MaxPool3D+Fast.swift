import TensorCore

extension Fast {
  /// Equals `Literal.maxPool3d` exactly, values and indices (a selection, no rounding; the same
  /// scan order and the same `v > max || v.isNaN` rule, so the same ties and NaN behaviour).
  ///
  /// Organisation: one task per N·C plane (in parallel above 64 K input elements). Within a
  /// plane, for each output row (i, j), the outputs whose W-window lies inside the input are
  /// done eight at a time in SIMD8 lanes, the selection being a masked blend of value and Int32
  /// index. Lane = output column; each window offset is one contiguous load for stride 1, two
  /// loads and an even/odd split for stride 2, a gather otherwise; a final partial group reruns
  /// the last eight interior columns. Rows with four to seven interior columns use four lanes
  /// the same way. The border columns run the scalar loop.
  /// - Complexity: O(|y|·kₜ·k_h·k_w).
  public static func maxPool3d(_ x: Tensor<Float>, geometry: Pool3DGeometry) -> MaxPoolResult<Float> {
    let outShape = geometry.checkedOutputShape(input: x.shape)
    precondition(x.count <= Int(Int32.max), "maxPool3d: input \(Shape.describe(x.shape)) too large for Int32 indices")
    let axes = PoolAxis.axes(input: x.shape, output: outShape, geometry: geometry)
    let (Hi, Wi) = (x.shape[3], x.shape[4])
    let (To, Ho, Wo) = (outShape[2], outShape[3], outShape[4])
    let planes = x.shape[0] * x.shape[1]
    let inPlane = x.shape[2] * Hi * Wi, outPlane = To * Ho * Wo
    let total = planes * outPlane
    let interior = axes.w.interior
    let sw = axes.w.stride, kw = axes.w.kernel, pw = axes.w.padding
    var argmax = [Int32](repeating: 0, count: total)
    let values = argmax.withUnsafeMutableBufferPointer { ab in
      let ap = ab.baseAddress
      return FastSlices.makeArray(total) { yp in
        x.withUnsafeBufferPointer { xb in
          let xAll = xb.baseAddress!
          FastSlices.forEach(planes, elements: x.count) { plane in
            let xp = xAll + plane * inPlane
            let planeBase = plane * inPlane
            for i in 0..<To {
              let wt = axes.t.window(i)
              for j in 0..<Ho {
                let wh = axes.h.window(j)
                let row = ((plane * To + i) * Ho + j) * Wo
                // One output column by the literal's scalar loop.
                func scalar(_ l: Int) {
                  let ww = axes.w.window(l)
                  var best = -Float.infinity
                  var at = (wt.start * Hi + wh.start) * Wi + ww.start
                  for t in wt.start..<wt.end {
                    for h in wh.start..<wh.end {
                      let rowBase = (t * Hi + h) * Wi
                      for w in ww.start..<ww.end {
                        let v = xp[rowBase + w]
                        if v > best || v.isNaN {
                          best = v
                          at = rowBase + w
                        }
                      }
                    }
                  }
                  yp[row + l] = best
                  ap![row + l] = Int32(planeBase + at)
                }
                // The interior columns from `interior.lowerBound` on, V.scalarCount at a time
                // (lane = output column); a final partial group is done by the last
                // V.scalarCount interior columns again (recomputing a few: the results are the
                // same). Index lanes are V.MaskStorage (Int32 lanes of the same count).
                func interiorGroups<V: SIMD>(_: V.Type, _ load: (UnsafePointer<Float>, Int) -> V)
                where V.Scalar == Float, V.MaskStorage.Scalar == Int32, V.MaskStorage.MaskStorage == V.MaskStorage {
                  let lanes = V.scalarCount
                  var laneStride = V.MaskStorage()
                  for e in 0..<lanes { laneStride[e] = Int32(e * sw) }
                  func group(_ l: Int) {
                    let first = (wt.start * Hi + wh.start) * Wi + l * sw - pw
                    var best = V(repeating: -.infinity)
                    var at = V.MaskStorage(repeating: Int32(planeBase + first)) &+ laneStride
                    for t in wt.start..<wt.end {
                      for h in wh.start..<wh.end {
                        let start = (t * Hi + h) * Wi + l * sw - pw
                        for k in 0..<kw {
                          let v = load(xp + start + k, sw)
                          let take = (v .> best) .| (v .!= v)
                          best.replace(with: v, where: take)
                          at.replace(
                            with: V.MaskStorage(repeating: Int32(planeBase + start + k)) &+ laneStride, where: take)
                        }
                      }
                    }
                    UnsafeMutableRawPointer(yp + row + l).storeBytes(of: best, as: V.self)
                    UnsafeMutableRawPointer(ap! + row + l).storeBytes(of: at, as: V.MaskStorage.self)
                  }
                  var l = interior.lowerBound
                  while l + lanes <= interior.upperBound {
                    group(l)
                    l += lanes
                  }
                  if l < interior.upperBound { group(interior.upperBound - lanes) }
                }
                var l = 0
                if interior.count >= 4 {
                  while l < interior.lowerBound {
                    scalar(l)
                    l += 1
                  }
                  if interior.count >= 8 {
                    interiorGroups(SIMD8<Float>.self, FastSlices.strided8)
                  } else {
                    // Four to seven interior columns (an 8-wide output of a 16-wide map, say).
                    interiorGroups(SIMD4<Float>.self, FastSlices.strided4)
                  }
                  l = interior.upperBound
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
    return MaxPoolResult(output: Tensor(shape: outShape, scalars: values), argmax: argmax)
  }

  /// Equals `Literal.maxPool3dBackward` (the same additions in the same order, in Float): one
  /// task per N·C plane (in parallel above 64 K input elements) scatters its outputs' dy to
  /// the indices in `argmax`, in output order. Every index of a plane's outputs lies in that
  /// plane (checked), so tasks write disjoint memory and the result does not depend on the
  /// thread count.
  /// - Complexity: O(|x| + |dy|).
  public static func maxPool3dBackward(_ dy: Tensor<Float>, argmax: [Int32], inputShape: [Int]) -> Tensor<Float> {
    checkMaxPoolBackwardShapes(dy.shape, argmax: argmax, inputShape: inputShape)
    let planes = inputShape[0] * inputShape[1]
    let inPlane = inputShape[2] * inputShape[3] * inputShape[4]
    let outPlane = dy.shape[2] * dy.shape[3] * dy.shape[4]
    var dx = [Float](repeating: 0, count: planes * inPlane)
    if dy.count == 0 { return Tensor(shape: inputShape, scalars: dx) }
    dx.withUnsafeMutableBufferPointer { db in
      let dp = db.baseAddress!
      dy.withUnsafeBufferPointer { gb in
        argmax.withUnsafeBufferPointer { ab in
          let gp = gb.baseAddress!, ap = ab.baseAddress!
          FastSlices.forEach(planes, elements: planes * inPlane) { plane in
            let lo = plane * inPlane, hi = lo + inPlane
            for o in (plane * outPlane)..<((plane + 1) * outPlane) {
              let index = Int(ap[o])
              precondition(
                index >= lo && index < hi,
                "maxPool3dBackward: argmax[\(o)] = \(index) lies outside its plane of input "
                  + Shape.describe(inputShape)
              )
              dp[index] += gp[o]
            }
          }
        }
      }
    }
    return Tensor(shape: inputShape, scalars: dx)
  }
}
