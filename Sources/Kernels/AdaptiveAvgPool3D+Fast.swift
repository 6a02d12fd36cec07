import TensorCore

extension Fast {
  /// Equals `Literal.adaptiveAvgPool3d` (same bins, one division; sums in another order, so
  /// within γ_(|B|+1)·Σ|x| / |B|).
  ///
  /// One task per N·C plane (in parallel above 64 K input elements). A bin that spans whole
  /// rows (and whole planes of rows) is one contiguous run summed by `FastSlices.sum` (SIMD16
  /// lane partial sums) — the global average pool (output 1×1×1) sums each plane in one run;
  /// otherwise each row segment of the bin is summed that way, in t, h order.
  /// - Complexity: O(Σ over outputs of the bin volume).
  public static func adaptiveAvgPool3d(_ x: Tensor<Float>, outputSize: Size3) -> Tensor<Float> {
    let outShape = adaptivePoolOutputShape(input: x.shape, outputSize: outputSize)
    let (Ti, Hi, Wi) = (x.shape[2], x.shape[3], x.shape[4])
    let (To, Ho, Wo) = (outShape[2], outShape[3], outShape[4])
    let planes = x.shape[0] * x.shape[1]
    let inPlane = Ti * Hi * Wi, outPlane = To * Ho * Wo
    let values = FastSlices.makeArray(planes * outPlane) { yp in
      x.withUnsafeBufferPointer { xb in
        let xAll = xb.baseAddress!
        FastSlices.forEach(planes, elements: x.count) { plane in
          let xp = xAll + plane * inPlane
          for i in 0..<To {
            let bt = adaptiveBin(i, input: Ti, output: To)
            for j in 0..<Ho {
              let bh = adaptiveBin(j, input: Hi, output: Ho)
              for l in 0..<Wo {
                let bw = adaptiveBin(l, input: Wi, output: Wo)
                var sum: Float = 0
                if bw.count == Wi && bh.count == Hi {
                  sum = FastSlices.sum(xp + bt.lowerBound * Hi * Wi, bt.count * Hi * Wi)
                } else if bw.count == Wi {
                  for t in bt { sum += FastSlices.sum(xp + (t * Hi + bh.lowerBound) * Wi, bh.count * Wi) }
                } else {
                  for t in bt {
                    for h in bh { sum += FastSlices.sum(xp + (t * Hi + h) * Wi + bw.lowerBound, bw.count) }
                  }
                }
                yp[((plane * To + i) * Ho + j) * Wo + l] = sum / Float(bt.count * bh.count * bw.count)
              }
            }
          }
        }
      }
    }
    return Tensor(shape: outShape, scalars: values)
  }

  /// Equals `Literal.adaptiveAvgPool3dBackward` (the same additions in the same order, in
  /// Float): one task per N·C plane (in parallel above 64 K input elements) adds
  /// g = dy / |bin| of each output, in output order, to each row segment of its bin with SIMD16
  /// and a scalar tail. Tasks write disjoint planes: independent of the thread count.
  /// - Complexity: as the forward pass.
  public static func adaptiveAvgPool3dBackward(_ dy: Tensor<Float>, inputShape: [Int]) -> Tensor<Float> {
    checkAdaptivePoolBackwardShapes(dy.shape, inputShape: inputShape)
    let (Ti, Hi, Wi) = (inputShape[2], inputShape[3], inputShape[4])
    let (To, Ho, Wo) = (dy.shape[2], dy.shape[3], dy.shape[4])
    let planes = inputShape[0] * inputShape[1]
    let inPlane = Ti * Hi * Wi
    var dx = [Float](repeating: 0, count: planes * inPlane)
    if dy.count == 0 { return Tensor(shape: inputShape, scalars: dx) }
    dx.withUnsafeMutableBufferPointer { db in
      let dAll = db.baseAddress!
      dy.withUnsafeBufferPointer { gb in
        let gp = gb.baseAddress!
        FastSlices.forEach(planes, elements: planes * inPlane) { plane in
          let dp = dAll + plane * inPlane
          for i in 0..<To {
            let bt = adaptiveBin(i, input: Ti, output: To)
            for j in 0..<Ho {
              let bh = adaptiveBin(j, input: Hi, output: Ho)
              for l in 0..<Wo {
                let bw = adaptiveBin(l, input: Wi, output: Wo)
                let g = gp[((plane * To + i) * Ho + j) * Wo + l] / Float(bt.count * bh.count * bw.count)
                for t in bt {
                  for h in bh { FastSlices.addConstant(g, to: dp + (t * Hi + h) * Wi + bw.lowerBound, bw.count) }
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

extension FastSlices {
  /// p[i] += g for i in 0..<n (SIMD16, scalar tail).
  @inline(__always)
  static func addConstant(_ g: Float, to p: UnsafeMutablePointer<Float>, _ n: Int) {
    let gv = SIMD16<Float>(repeating: g)
    var i = 0
    while i + 16 <= n {
      FastSlices.store16(FastSlices.load16(p, i) + gv, p, i)
      i += 16
    }
    while i < n {
      p[i] += g
      i += 1
    }
  }
}
