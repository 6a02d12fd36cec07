import TensorCore

extension Fast {
  /// Equals `Literal.extremalMaskBackward` (the VJP of the mask generator with respect to the
  /// lattice), within the bound derived in the tests (ExtremalMaskFastTests).
  ///
  /// Per (mask, frame), split across threads, sixteen adjacent padded pixels at a time: the
  /// terms z_k and e_k = exp(c·(z_k − max)) as in `Fast.extremalMask`, m = Σz·e/Σe, the
  /// incoming gradient g (0 where m lies outside [0, 1]), and per neighbour
  /// q_k = g·(e_k/Σe)·(1 + c·(z_k − m))·κ_k, added with one vector store into a gradient copy
  /// of the upsampled planes (the adjoint of their gather). Each frame's planes are then
  /// summed over the s columns that repeat one node — the adjoint of the upsampling — into
  /// that frame's share of the lattice gradient. Per frame, each frame reads its own lattice
  /// frame and the share is the result; along time, the shares of the frames that read a
  /// lattice frame are added in ascending frame order, one lattice frame per work item. The
  /// result does not depend on the thread count.
  ///
  /// - Complexity: that of `Fast.extremalMask`, plus O(A·T·(2r_t+1)·(h + 2p)·s·(w + 2p)).
  public static func extremalMaskBackward(
    _ dPadded: Tensor<Float>, lattice: Tensor<Float>, geometry g: ExtremalMaskGeometry
  ) -> Tensor<Float> {
    Literal.checkLattice("extremalMaskBackward", lattice, g)
    let masks = lattice.shape[0]
    precondition(
      dPadded.shape == g.paddedShape(masks: masks),
      "extremalMaskBackward: dPadded \(Shape.describe(dPadded.shape)) must be \(Shape.describe(g.paddedShape(masks: masks)))"
    )
    let plan = ExtremalMaskPlan(g)
    let planes = plan.upsampledPlanes(lattice)
    let (hp, wp, h, w) = (g.paddedHeight, g.paddedWidth, g.latticeHeight, g.latticeWidth)
    let (frameSize, latticeFrame) = (hp * wp, h * w)
    let terms = plan.tapsT * plan.taps * plan.taps
    // Each frame's share of the lattice gradient, per temporal neighbour: the result itself
    // per frame (one neighbour, lattice frame t), otherwise summed over frames below.
    let perFrame = !g.isSpatioTemporal
    var shares = [Float](repeating: 0, count: masks * g.frames * plan.tapsT * latticeFrame)
    planes.withUnsafeBufferPointer { pb in
      plan.kappa.withUnsafeBufferPointer { kb in
        dPadded.withUnsafeBufferPointer { db in
          shares.withUnsafeMutableBufferPointer { sb in
            let (pp, kp, dp, sp) = (
              UncheckedSendable(pb.baseAddress!), UncheckedSendable(kb.baseAddress!),
              UncheckedSendable(db.baseAddress!), UncheckedSendable(sb.baseAddress!)
            )
            forEachPlaneRange(planes: masks * g.frames, workPerPlane: frameSize * terms * 12) { items in
              let scratch = ExtremalMaskBackwardScratch(plan: plan, terms: terms)
              defer { scratch.deallocate() }
              for item in items {
                let (a, t) = (item / g.frames, item % g.frames)
                for kt in 0..<plan.tapsT {
                  scratch.framePlanes[kt] = UnsafePointer(
                    pp.value + plan.planeOffset(masks: masks, mask: a, frame: t, neighbour: kt))
                }
                scratch.gradient.update(repeating: 0, count: plan.tapsT * plan.planeSize)
                accumulateFrame(
                  plan, scratch, kappa: kp.value, dm: dp.value + item * frameSize, phaseT: t % plan.stepT)
                foldColumns(plan, scratch.gradient, into: sp.value + item * plan.tapsT * latticeFrame)
              }
            }
          }
        }
      }
    }
    if perFrame { return Tensor(shape: lattice.shape, scalars: shares) }
    let frames = g.latticeFrames
    let out = uninitializedFloats(masks * frames * latticeFrame) { op in
      let o = UncheckedSendable(op)
      shares.withUnsafeBufferPointer { sb in
        let sp = UncheckedSendable(sb.baseAddress!)
        forEachPlaneRange(planes: masks * frames, workPerPlane: plan.tapsT * plan.stepT * latticeFrame) { items in
          for item in items {
            let (a, it) = (item / frames, item % frames)
            let target = o.value + item * latticeFrame
            target.update(repeating: 0, count: latticeFrame)
            for t in 0..<g.frames {
              let kt = it - t / plan.stepT + plan.radiusT
              guard kt >= 0 && kt < plan.tapsT else { continue }
              let share = sp.value + ((a * g.frames + t) * plan.tapsT + kt) * latticeFrame
              for i in 0..<latticeFrame { target[i] += share[i] }
            }
          }
        }
      }
    }
    return Tensor(shape: lattice.shape, scalars: out)
  }

  /// Adds the frame's q_k into the gradient planes (one per temporal neighbour).
  private static func accumulateFrame(
    _ plan: ExtremalMaskPlan, _ scratch: ExtremalMaskBackwardScratch, kappa: UnsafePointer<Float>,
    dm: UnsafePointer<Float>, phaseT: Int
  ) {
    let (hp, wp) = (plan.geometry.paddedHeight, plan.geometry.paddedWidth)
    let c = SIMD16<Float>(repeating: plan.coldness)
    let (z, e) = (scratch.z, scratch.e)
    let terms = plan.tapsT * plan.taps * plan.taps
    for y in 0..<hp {
      let (phaseY, cellY, dmRow) = (y % plan.step, y / plan.step, dm + y * wp)
      var x0 = 0
      while x0 < wp {
        let top = plan.terms(planes: scratch.framePlanes, kappa: kappa, phaseT: phaseT, y: y, x0: x0, z: z)
        var numerator = SIMD16<Float>(repeating: 0)
        var denominator = SIMD16<Float>(repeating: 0)
        for k in 0..<terms {
          let ek = FastVectorExp.nonPositive(c * (z[k] - top))
          e[k] = ek
          numerator += z[k] * ek
          denominator += ek
        }
        let m = numerator / denominator
        var g = SIMD16<Float>(repeating: 0)
        if x0 + 16 <= wp {
          g = UnsafeRawPointer(dmRow + x0).loadUnaligned(as: SIMD16<Float>.self)
        } else {
          for lane in 0..<(wp - x0) { g[lane] = dmRow[x0 + lane] }
        }
        g = g.replacing(with: 0, where: .!((m .>= 0) .& (m .<= 1)))
        let scale = g / denominator
        var k = 0
        let phaseX = x0 % plan.step
        for kt in 0..<plan.tapsT {
          let plane = scratch.gradient + kt * plan.planeSize
          for ky in 0..<plan.taps {
            let row = plane + (cellY + ky) * plan.rowLength + x0
            let weights = kappa + plan.kappaOffset(phaseT: phaseT, kt: kt, phaseY: phaseY, ky: ky, kx: 0) + phaseX
            for kx in 0..<plan.taps {
              let kappaK = UnsafeRawPointer(weights + kx * plan.entry).loadUnaligned(as: SIMD16<Float>.self)
              let q = scale * e[k] * (1 + c * (z[k] - m)) * kappaK
              let cell = UnsafeMutableRawPointer(row + plan.step * kx)
              cell.storeBytes(of: cell.loadUnaligned(as: SIMD16<Float>.self) + q, as: SIMD16<Float>.self)
              k += 1
            }
          }
        }
        x0 += 16
      }
    }
  }

  /// The adjoint of the upsampling: per temporal neighbour, node (i, j) of the lattice
  /// receives the sum of gradient row i + p, columns s·(j + p) ..< s·(j + p + 1).
  private static func foldColumns(
    _ plan: ExtremalMaskPlan, _ gradient: UnsafeMutablePointer<Float>, into share: UnsafeMutablePointer<Float>
  ) {
    let (h, w, p, s) = (plan.geometry.latticeHeight, plan.geometry.latticeWidth, plan.padding, plan.step)
    for kt in 0..<plan.tapsT {
      for i in 0..<h {
        let row = gradient + kt * plan.planeSize + (i + p) * plan.rowLength
        let target = share + (kt * h + i) * w
        for j in 0..<w {
          var sum: Float = 0
          for x in (s * (j + p))..<(s * (j + p + 1)) { sum += row[x] }
          target[j] = sum
        }
      }
    }
  }
}

/// Per-thread buffers of the fast generator's backward pass.
struct ExtremalMaskBackwardScratch {
  let z: UnsafeMutablePointer<SIMD16<Float>>
  let e: UnsafeMutablePointer<SIMD16<Float>>
  let framePlanes: UnsafeMutablePointer<UnsafePointer<Float>>
  /// One gradient plane per temporal neighbour, laid out as the upsampled planes.
  let gradient: UnsafeMutablePointer<Float>

  init(plan: ExtremalMaskPlan, terms: Int) {
    z = .allocate(capacity: terms)
    e = .allocate(capacity: terms)
    framePlanes = .allocate(capacity: plan.tapsT)
    gradient = .allocate(capacity: plan.tapsT * plan.planeSize)
  }

  func deallocate() {
    z.deallocate()
    e.deallocate()
    framePlanes.deallocate()
    gradient.deallocate()
  }
}
