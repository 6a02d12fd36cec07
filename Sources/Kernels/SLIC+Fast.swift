import TensorCore

extension Fast {
  /// Equals `Literal.slic` (scikit-image's `slic` on the T×H×W×C stack) in Float, up to
  /// rounding: the same steps with the same operations, except that the k-means update sums
  /// in Double (`Fast.slicClusters`). Rounding can still move a voxel whose two nearest seeds
  /// are within a few ulps of each other; the tests bound the share of voxels on which it
  /// agrees with the literal path and with scikit-image (Proofs/supervoxels.md).
  ///
  /// Work on C planes of T·H·W values: the rescale and the Lab conversion (the per-voxel
  /// formula of `Literal.srgbToLab` in Float) split over blocks of voxels, the smoothing
  /// (`Fast.slicSmoothed`) over planes and rows, the k-means (`Fast.slicClusters`) over
  /// blocks of rows; the connectivity enforcement is the shared single-threaded
  /// `Supervoxels.enforcingConnectivity`. The result does not depend on the thread count.
  ///
  /// - Throws: `SLICError` for a clip of another shape, a non-finite value, or a bad setting.
  /// - Complexity: as `Literal.slic`, spread over `FastThreads.count` threads.
  public static func slic(_ clip: Tensor<Float>, settings: SLICSettings = SLICSettings()) throws(SLICError)
    -> Supervoxels
  {
    let (c, t, h, w) = try SLICPlan.extents(of: clip.shape)
    let plan = try settings.plan(channels: c, frames: t, height: h, width: w)
    if let bad = clip.scalars.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteValue(index: bad) }
    let voxels = t * h * w
    var planes = slicRescaledLab(clip.scalars, voxels: voxels, lab: plan.lab)
    if plan.sigma.contains(where: { $0 > 0 }) {
      planes = slicSmoothed(planes, extents: (c, t, h, w), sigma: plan.sigma)
    }
    let ratio = Float(plan.ratio)
    for i in planes.indices { planes[i] = planes[i] * ratio }
    return plan.supervoxels(from: slicClusters(planes, plan: plan))
  }

  /// `Literal.slicRescaled` and, when `lab`, `Literal.srgbToLab` per voxel, in Float on C
  /// planes of `voxels` values; blocks of 4096 voxels split across threads.
  private static func slicRescaledLab(_ x: [Float], voxels: Int, lab: Bool) -> [Float] {
    var low = x[0], high = x[0]
    for v in x {
      low = min(low, v)
      high = max(high, v)
    }
    let (lo, range) = (low, high - low)
    var out = [Float](repeating: 0, count: x.count)
    let channels = x.count / voxels, block = 4096
    x.withUnsafeBufferPointer { xb in
      out.withUnsafeMutableBufferPointer { ob in
        let (xp, op) = (UncheckedSendable(xb.baseAddress!), UncheckedSendable(ob.baseAddress!))
        forEachPlaneRange(planes: (voxels + block - 1) / block, workPerPlane: block * channels * (lab ? 40 : 2)) {
          blocks in
          for b in blocks {
            for v in (b * block)..<min(voxels, (b + 1) * block) {
              for channel in 0..<channels {
                var value = xp.value[channel * voxels + v] - lo
                if range != 0 { value = value / range }
                op.value[channel * voxels + v] = value
              }
              if lab {
                let (l, a, bStar) = Literal.srgbToLab(op.value[v], op.value[voxels + v], op.value[2 * voxels + v])
                (op.value[v], op.value[voxels + v], op.value[2 * voxels + v]) = (l, a, bStar)
              }
            }
          }
        }
      }
    }
    return out
  }
}
