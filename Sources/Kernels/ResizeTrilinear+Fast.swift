import TensorCore

/// Indices and Float weights of a linear resize along one axis, tabulated for every output
/// index. The source coordinates are computed in Double by `Literal.linearSourceWeights`, so
/// the indices are exactly those of the Double reference and the weights its weights
/// rounded once to Float. (PyTorch's float kernel computes them in float; both agree
/// exactly whenever (d + ½)·in/out is a dyadic fraction, e.g. for 7→112, 2→16, 16→16.)
struct FastLinearAxis {
  var i0: [Int]
  var i1: [Int]
  var lambda0: [Float]
  var lambda1: [Float]

  init(input: Int, output: Int) {
    let weights: [LinearSourceWeights<Double>] = (0..<output).map {
      Literal.linearSourceWeights($0, input: input, output: output)
    }
    i0 = weights.map(\.i0)
    i1 = weights.map(\.i1)
    lambda0 = weights.map { Float($0.lambda0) }
    lambda1 = weights.map { Float($0.lambda1) }
  }
}

extension Fast {
  /// Equals `Literal.resizeTrilinear`.
  ///
  /// Separable, per N·C plane (planes split across threads when large): for each output t,
  /// the two source frames are blended into one H×W frame (`SIMD16<Float>` over the frame);
  /// for each output h, two rows of that frame are blended into one W row; each output w then
  /// blends two elements of that row. The weights are those of `FastLinearAxis`.
  ///
  /// - Complexity: O(N·C·T′·(H·W + H′·W + H′·W′)).
  public static func resizeTrilinear(_ x: Tensor<Float>, size: Size3) -> Tensor<Float> {
    precondition(
      x.rank == 5 && x.shape[2...].allSatisfy({ $0 >= 1 }),
      "resizeTrilinear: x \(Shape.describe(x.shape)) must be N×C×T×H×W with T, H, W ≥ 1")
    precondition(size.t >= 1 && size.h >= 1 && size.w >= 1, "resizeTrilinear: size \(size) must be ≥ 1 on every axis")
    let (n, c, ti, hi, wi) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], x.shape[4])
    let (to, ho, wo) = (size.t, size.h, size.w)
    let (at, ah, aw) = (
      FastLinearAxis(input: ti, output: to), FastLinearAxis(input: hi, output: ho),
      FastLinearAxis(input: wi, output: wo)
    )
    let (frameIn, planeIn, planeOut) = (hi * wi, ti * hi * wi, to * ho * wo)
    var out = [Float](repeating: 0, count: n * c * planeOut)
    if out.isEmpty { return Tensor(shape: [n, c, to, ho, wo], scalars: out) }
    x.withUnsafeBufferPointer { xb in
      out.withUnsafeMutableBufferPointer { ob in
        let (xp, op) = (UncheckedSendable(xb.baseAddress!), UncheckedSendable(ob.baseAddress!))
        forEachPlaneRange(planes: n * c, workPerPlane: to * (frameIn + ho * wi + 2 * ho * wo)) { planes in
          let frame = UnsafeMutablePointer<Float>.allocate(capacity: frameIn)
          let row = UnsafeMutablePointer<Float>.allocate(capacity: wi)
          defer {
            frame.deallocate()
            row.deallocate()
          }
          for p in planes {
            let source = xp.value + p * planeIn
            for t in 0..<to {
              blend(
                at.lambda0[t], source + at.i0[t] * frameIn, at.lambda1[t], source + at.i1[t] * frameIn, frame, frameIn)
              for h in 0..<ho {
                blend(ah.lambda0[h], frame + ah.i0[h] * wi, ah.lambda1[h], frame + ah.i1[h] * wi, row, wi)
                let dst = op.value + p * planeOut + (t * ho + h) * wo
                for w in 0..<wo {
                  dst[w] = aw.lambda0[w] * row[aw.i0[w]] + aw.lambda1[w] * row[aw.i1[w]]
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: [n, c, to, ho, wo], scalars: out)
  }

  /// out[k] = a·x[k] + b·y[k] for k < count.
  @inline(__always)
  static func blend(
    _ a: Float, _ x: UnsafePointer<Float>, _ b: Float, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
    _ count: Int
  ) {
    let (va, vb) = (SIMD16<Float>(repeating: a), SIMD16<Float>(repeating: b))
    var k = 0
    while k + 16 <= count {
      let vx = UnsafeRawPointer(x + k).loadUnaligned(as: SIMD16<Float>.self)
      let vy = UnsafeRawPointer(y + k).loadUnaligned(as: SIMD16<Float>.self)
      UnsafeMutableRawPointer(out + k).storeBytes(of: va * vx + vb * vy, as: SIMD16<Float>.self)
      k += 16
    }
    while k < count {
      out[k] = a * x[k] + b * y[k]
      k += 1
    }
  }
}
