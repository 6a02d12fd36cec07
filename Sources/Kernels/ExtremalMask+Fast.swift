import TensorCore

extension Fast {
  /// Equals `Literal.extremalMask` (TorchRay's `MaskGenerator.generate`, padded mask), within
  /// the bound derived in the tests (ExtremalMaskFastTests: the rounding of κ and z, of the
  /// exponent c·(z − max z) amplified by the softmax, `FastVectorExp`'s 4u, and the two sums).
  ///
  /// Precomputation (`ExtremalMaskPlan`): κ per pixel phase and neighbour, TorchRay's weight
  /// table folded by the step; the lattice zero-padded and repeated s times along W. Then per
  /// (mask, frame), split across threads, sixteen adjacent padded pixels at a time: the
  /// (2r_t+1)(2r+1)² terms z_k = κ_k·m̄_k by two vector loads and a product each, their max,
  /// then Σ z_k·e_k and Σ e_k with e_k = exp(c·(z_k − max)) by `FastVectorExp`, the quotient
  /// clamped to [0, 1]. Every output is computed by one thread in a fixed order: the result
  /// does not depend on the thread count.
  ///
  /// - Complexity: O(A·T·Hp·Wp·(2r_t+1)(2r+1)²) (49 terms per pixel at step 7, σ 11).
  public static func extremalMask(_ lattice: Tensor<Float>, geometry g: ExtremalMaskGeometry) -> Tensor<Float> {
    Literal.checkLattice("extremalMask", lattice, g)
    let plan = ExtremalMaskPlan(g)
    let masks = lattice.shape[0]
    let planes = plan.upsampledPlanes(lattice)
    let (hp, wp) = (g.paddedHeight, g.paddedWidth)
    let frameSize = hp * wp
    let terms = plan.tapsT * plan.taps * plan.taps
    let out = uninitializedFloats(masks * g.frames * frameSize) { op in
      let o = UncheckedSendable(op)
      planes.withUnsafeBufferPointer { pb in
        plan.kappa.withUnsafeBufferPointer { kb in
          let (pp, kp) = (UncheckedSendable(pb.baseAddress!), UncheckedSendable(kb.baseAddress!))
          forEachPlaneRange(planes: masks * g.frames, workPerPlane: frameSize * terms * 8) { items in
            let z = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: terms)
            let framePlanes = UnsafeMutablePointer<UnsafePointer<Float>>.allocate(capacity: plan.tapsT)
            defer {
              z.deallocate()
              framePlanes.deallocate()
            }
            let c = SIMD16<Float>(repeating: plan.coldness)
            for item in items {
              let (a, t) = (item / g.frames, item % g.frames)
              for kt in 0..<plan.tapsT {
                framePlanes[kt] = UnsafePointer(
                  pp.value + plan.planeOffset(masks: masks, mask: a, frame: t, neighbour: kt))
              }
              let phaseT = t % plan.stepT
              let target = o.value + item * frameSize
              for y in 0..<hp {
                var x0 = 0
                while x0 < wp {
                  let top = plan.terms(
                    planes: framePlanes, kappa: kp.value, phaseT: phaseT, y: y, x0: x0, z: z)
                  var numerator = SIMD16<Float>(repeating: 0)
                  var denominator = SIMD16<Float>(repeating: 0)
                  for k in 0..<terms {
                    let e = FastVectorExp.nonPositive(c * (z[k] - top))
                    numerator += z[k] * e
                    denominator += e
                  }
                  var m = numerator / denominator
                  m = m.replacing(with: 0, where: m .< 0).replacing(with: 1, where: m .> 1)
                  let row = target + y * wp + x0
                  if x0 + 16 <= wp {
                    UnsafeMutableRawPointer(row).storeBytes(of: m, as: SIMD16<Float>.self)
                  } else {
                    for lane in 0..<(wp - x0) { row[lane] = m[lane] }
                  }
                  x0 += 16
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: g.paddedShape(masks: masks), scalars: out)
  }
}
