import TensorCore

extension Fast {
  /// Equals `Literal.gaussianBlurSpatial` (TorchRay's `imsmooth`; self-adjoint, so it is
  /// also its own vector-Jacobian product).
  ///
  /// The taps are computed in Double (`Literal.gaussianTaps`) and rounded once to Float.
  /// Per H×W frame (frames split across threads when large): the H pass is
  /// `FastSeparableCorrelation.alongRows` (`SIMD16<Float>` across 16 columns, taps outside
  /// the frame skipped) into a per-thread scratch frame, the W pass
  /// `FastSeparableCorrelation.withinRows` (`SIMD16<Float>` across 16 output columns of a
  /// zero-margined row copy). σ = 0 (one tap of weight 1) returns x unchanged (the literal
  /// sum 0 + 1·x turns −0 into +0 there; the two compare equal).
  ///
  /// - Complexity: O(size of x · (min(2K+1, H) + min(2K+1, W + 15))), K = ⌈4σ⌉.
  public static func gaussianBlurSpatial(_ x: Tensor<Float>, sigma: Double) -> Tensor<Float> {
    precondition(x.rank >= 2, "gaussianBlurSpatial: x \(Shape.describe(x.shape)) needs H and W axes")
    let radius = Literal.gaussianRadius(sigma: sigma)
    if radius == 0 || x.count == 0 { return x }
    let taps = (Literal.gaussianTaps(sigma: sigma) as [Double]).map { Float($0) }
    return separableSpatial(x, first: taps, second: taps, plusFirst: nil, plusSecond: nil, radius: radius)
  }

  /// Equals `Literal.gaussianBlurSpatialSigmaDerivative`: G_W(G′_H x) + G′_W(G_H x), two H
  /// passes into two scratch frames and two W passes into the output (the second
  /// accumulating), organised as `gaussianBlurSpatial`. The derivative taps are computed in
  /// Double and rounded once to Float. Zero at σ = 0.
  ///
  /// - Complexity: twice that of `gaussianBlurSpatial`.
  public static func gaussianBlurSpatialSigmaDerivative(_ x: Tensor<Float>, sigma: Double) -> Tensor<Float> {
    precondition(x.rank >= 2, "gaussianBlurSpatialSigmaDerivative: x \(Shape.describe(x.shape)) needs H and W axes")
    let radius = Literal.gaussianRadius(sigma: sigma)
    if radius == 0 || x.count == 0 { return Tensor(shape: x.shape, repeating: 0) }
    let taps = (Literal.gaussianTaps(sigma: sigma) as [Double]).map { Float($0) }
    let dTaps = (Literal.gaussianTapsSigmaDerivative(sigma: sigma) as [Double]).map { Float($0) }
    return separableSpatial(x, first: dTaps, second: taps, plusFirst: taps, plusSecond: dTaps, radius: radius)
  }

  /// Equals `Literal.gaussianBlurTemporal`.
  ///
  /// Along T of each N·C plane viewed as T rows of H·W columns:
  /// `FastSeparableCorrelation.alongRows` (`SIMD16<Float>` across 16 pixels), the work split
  /// across threads by (plane, block of 2048 pixels). σ = 0 returns x unchanged.
  ///
  /// - Complexity: O(size of x · min(2K+1, T)), K = ⌈4σ⌉.
  public static func gaussianBlurTemporal(_ x: Tensor<Float>, sigma: Double) -> Tensor<Float> {
    precondition(x.rank == 5, "gaussianBlurTemporal: x \(Shape.describe(x.shape)) must be N×C×T×H×W")
    let radius = Literal.gaussianRadius(sigma: sigma)
    if radius == 0 || x.count == 0 { return x }
    let taps = (Literal.gaussianTaps(sigma: sigma) as [Double]).map { Float($0) }
    let (planes, t, frame) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3] * x.shape[4])
    let blockWidth = 2048
    let blocksPerPlane = (frame + blockWidth - 1) / blockWidth
    var out = [Float](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { xb in
      out.withUnsafeMutableBufferPointer { ob in
        taps.withUnsafeBufferPointer { tb in
          let (xp, op, tp) = (
            UncheckedSendable(xb.baseAddress!), UncheckedSendable(ob.baseAddress!), UncheckedSendable(tb.baseAddress!)
          )
          let work = t * min(2 * radius + 1, t) * blockWidth
          forEachPlaneRange(planes: planes * blocksPerPlane, workPerPlane: work) { items in
            for item in items {
              let (p, block) = (item / blocksPerPlane, item % blocksPerPlane)
              let columns = (block * blockWidth)..<min(frame, (block + 1) * blockWidth)
              FastSeparableCorrelation.alongRows(
                xp.value + p * t * frame, op.value + p * t * frame, height: t, stride: frame, columns: columns,
                taps: tp.value, radius: radius, accumulate: false)
            }
          }
        }
      }
    }
    return Tensor(shape: x.shape, scalars: out)
  }

  /// out = W(second)∘H(first) x [+ W(plusSecond)∘H(plusFirst) x], per H×W frame.
  private static func separableSpatial(
    _ x: Tensor<Float>, first: [Float], second: [Float], plusFirst: [Float]?, plusSecond: [Float]?, radius: Int
  ) -> Tensor<Float> {
    let (h, w) = (x.shape[x.rank - 2], x.shape[x.rank - 1])
    let frame = h * w
    let frames = x.count / frame
    let taps = first + second + (plusFirst ?? []) + (plusSecond ?? [])
    let tapCount = 2 * radius + 1
    let twoTerms = plusFirst != nil
    var out = [Float](repeating: 0, count: x.count)
    x.withUnsafeBufferPointer { xb in
      out.withUnsafeMutableBufferPointer { ob in
        taps.withUnsafeBufferPointer { tb in
          let (xp, op, tp) = (
            UncheckedSendable(xb.baseAddress!), UncheckedSendable(ob.baseAddress!), UncheckedSendable(tb.baseAddress!)
          )
          let work = frame * (min(tapCount, h) + min(tapCount, w + 15)) * (twoTerms ? 2 : 1)
          forEachPlaneRange(planes: frames, workPerPlane: work) { range in
            let scratch = UnsafeMutablePointer<Float>.allocate(capacity: frame)
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: w + 32)
            defer {
              scratch.deallocate()
              buffer.deallocate()
            }
            for f in range {
              let (src, dst) = (xp.value + f * frame, op.value + f * frame)
              for term in 0..<(twoTerms ? 2 : 1) {
                let firstTaps = tp.value + (2 * term) * tapCount
                let secondTaps = tp.value + (2 * term + 1) * tapCount
                FastSeparableCorrelation.alongRows(
                  src, scratch, height: h, stride: w, columns: 0..<w, taps: firstTaps, radius: radius,
                  accumulate: false)
                FastSeparableCorrelation.withinRows(
                  scratch, dst, rows: h, width: w, taps: secondTaps, radius: radius, buffer: buffer,
                  accumulate: term == 1)
              }
            }
          }
        }
      }
    }
    return Tensor(shape: x.shape, scalars: out)
  }
}
