import RealModule
import TensorCore

extension Literal {
  /// 3-D SLIC supervoxels of a clip, as scikit-image's `slic(image, channel_axis=-1, …)` computes
  /// them on the T×H×W×C stack (skimage/segmentation/slic_superpixels.py and `_slic_cython`,
  /// `_enforce_label_connectivity_cython` in _slic.pyx, 0.26; Achanta et al., "SLIC Superpixels
  /// Compared to State-of-the-Art Superpixel Methods", TPAMI 2012).
  ///
  /// Shapes: clip C×T×H×W or 1×C×T×H×W (the values SLIC sees as colours: for a normalised
  /// network input, pass the pixel values μ_c + σ_c·x, as Li et al. ran `slic` on the frames'
  /// RGB pixels — Proofs/supervoxels.md) → T×H×W labels.
  ///
  /// Steps, each a function of its own:
  /// 1. the stack rescaled to [0, 1] by its global min and max (`slicRescaled`);
  /// 2. CIE L*a*b* when the colour space asks for it (`srgbToLab`);
  /// 3. Gaussian smoothing along t, h, w with reflecting borders (`slicSmoothed`);
  /// 4. every colour value times 1/m (m the compactness);
  /// 5. k-means from a regular grid of seeds (`slicClusters`): the distance of voxel
  ///    p = (t, h, w) with colour c_p to seed k at (t_k, h_k, w_k) with colour c_k is
  ///
  ///        D(p, k) = (s_t²(t_k − t)² + s_h²(h_k − h)² + s_w²(w_k − w)²)/S² + ‖c_p − c_k‖²/M_k
  ///
  ///    (S the grid step, s the spacing, M_k = 1 for SLIC and the largest colour distance seen in
  ///    supervoxel k for SLICO; the 1/m of step 4 makes the colour term ‖·‖²/m²);
  /// 6. connectivity enforcement (`Supervoxels.enforcingConnectivity`), unless switched off.
  ///
  /// Generic over the scalar so that the tests run it in Double, the precision of scikit-image's
  /// float64 path, whose arithmetic it repeats operation by operation.
  ///
  /// - Throws: `SLICError` for a clip of another shape, a non-finite value, or a bad setting.
  /// - Complexity: O(I·K·(4·step + 1)³·C) for I iterations and K seeds — about I·(4.2)³·C·T·H·W
  ///   distance terms — plus O(T·H·W·C·K_σ) for the smoothing (K_σ = ⌊4σ + 0.5⌋).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func slic<T: Real & BinaryFloatingPoint & Sendable>(
    _ clip: Tensor<T>, settings: SLICSettings = SLICSettings()
  ) throws(SLICError) -> Supervoxels {
    let (c, t, h, w) = try SLICPlan.extents(of: clip.shape)
    let plan = try settings.plan(channels: c, frames: t, height: h, width: w)
    if let bad = clip.scalars.firstIndex(where: { !$0.isFinite }) { throw .nonFiniteValue(index: bad) }
    let voxels = t * h * w
    var stack = [T](repeating: 0, count: voxels * c)
    for v in 0..<voxels {
      for channel in 0..<c { stack[v * c + channel] = clip.scalars[channel * voxels + v] }
    }
    stack = slicRescaled(stack)
    if plan.lab {
      for v in 0..<voxels {
        let (l, a, b) = srgbToLab(stack[3 * v], stack[3 * v + 1], stack[3 * v + 2])
        (stack[3 * v], stack[3 * v + 1], stack[3 * v + 2]) = (l, a, b)
      }
    }
    if plan.sigma.contains(where: { $0 > 0 }) { stack = slicSmoothed(stack, extents: [t, h, w, c], sigma: plan.sigma) }
    let ratio = T(plan.ratio)
    for i in stack.indices { stack[i] = stack[i] * ratio }
    return plan.supervoxels(from: slicClusters(stack, plan: plan))
  }

  /// SLIC's k-means on a prepared T×H×W×C stack (channels last, already rescaled, converted,
  /// smoothed and scaled by 1/m), as `_slic_cython` runs it; returns labels k + `startLabel`.
  ///
  /// Seeds start at the grid points of the plan with colour 0 (not the colour found there), so
  /// the first assignment is purely spatial (P-SLIC-6). Each iteration:
  /// - **assign**: every distance is reset to +∞; for k = 0, 1, … every voxel p with
  ///   ⌊max(t_k − 2·W_t, 0)⌋ ≤ t < ⌊min(t_k + 2·W_t + 1, T)⌋ (likewise h, w; W the window
  ///   steps) takes label k when D(p, k) (see `slic`) is strictly below its distance so far —
  ///   so a tie goes to the smaller k, and a voxel that no window reaches keeps its label;
  /// - **update**: each seed moves to the mean position and colour of its voxels, summed in
  ///   raster order; a seed left without voxels is dropped for good (scikit-image divides 0 by
  ///   0, and a NaN seed wins no voxel);
  /// - **SLICO**: M_k = max(M_k, max over k's voxels of ‖c_p − c_k‖²), from M_k = 1.
  /// scikit-image stops early only after an iteration in which no voxel was assigned.
  ///
  /// - Complexity: O(I·K·(4·W + 1)³·C).
  @_specialize(where T == Float) @_specialize(where T == Double)
  package static func slicClusters<T: Real & BinaryFloatingPoint & Sendable>(_ image: [T], plan: SLICPlan) -> [Int32] {
    let (depth, height, width, c) = (plan.frames, plan.height, plan.width, plan.channels)
    let seedCount = plan.seeds.count, features = 3 + c
    var centres = [T](repeating: 0, count: seedCount * features)
    for k in 0..<seedCount {
      for axis in 0..<3 { centres[k * features + axis] = T(plan.seeds[k][axis]) }
    }
    var alive = [Bool](repeating: true, count: seedCount)
    var nearest = [Int](repeating: -1, count: plan.voxels)
    var distance = [T](repeating: 0, count: plan.voxels)
    var largestColour = [T](repeating: 1, count: seedCount)
    let spatialWeight = T(1 / (plan.step * plan.step))
    let (st, sh, sw) = (T(plan.spacing[0]), T(plan.spacing[1]), T(plan.spacing[2]))
    let (wt, wh, ww) = (plan.window[0], plan.window[1], plan.window[2])

    func colourDistance(_ v: Int, _ k: Int) -> T {
      var sum: T = 0
      for channel in 0..<c {
        let difference = image[v * c + channel] - centres[k * features + 3 + channel]
        sum += difference * difference
      }
      return sum
    }

    for _ in 0..<plan.settings.maxIterations {
      var change = false
      for v in 0..<plan.voxels { distance[v] = .infinity }
      for k in 0..<seedCount where alive[k] {
        let (ct, ch, cw) = (centres[k * features], centres[k * features + 1], centres[k * features + 2])
        let tRange = Int(max(ct - T(2 * wt), 0))..<Int(min(ct + T(2 * wt) + 1, T(depth)))
        let hRange = Int(max(ch - T(2 * wh), 0))..<Int(min(ch + T(2 * wh) + 1, T(height)))
        let wRange = Int(max(cw - T(2 * ww), 0))..<Int(min(cw + T(2 * ww) + 1, T(width)))
        for z in tRange {
          var dt = st * (ct - T(z))
          dt = dt * dt
          for y in hRange {
            var dh = sh * (ch - T(y))
            dh = dh * dh
            for x in wRange {
              var dw = sw * (cw - T(x))
              dw = dw * dw
              let v = (z * height + y) * width + x
              var colour = colourDistance(v, k)
              if plan.settings.slicZero { colour = colour / largestColour[k] }
              let d = (dt + dh + dw) * spatialWeight + colour
              if distance[v] > d {
                nearest[v] = k
                distance[v] = d
                change = true
              }
            }
          }
        }
      }
      if !change { break }

      var members = [Int](repeating: 0, count: seedCount)
      var sums = [T](repeating: 0, count: seedCount * features)
      for z in 0..<depth {
        for y in 0..<height {
          for x in 0..<width {
            let v = (z * height + y) * width + x
            let k = nearest[v]
            guard k >= 0 else { continue }
            members[k] += 1
            sums[k * features] += T(z)
            sums[k * features + 1] += T(y)
            sums[k * features + 2] += T(x)
            for channel in 0..<c { sums[k * features + 3 + channel] += image[v * c + channel] }
          }
        }
      }
      for k in 0..<seedCount {
        alive[k] = members[k] > 0
        for f in 0..<features { centres[k * features + f] = sums[k * features + f] / T(members[k]) }
      }
      if plan.settings.slicZero {
        for v in 0..<plan.voxels where nearest[v] >= 0 {
          let k = nearest[v]
          let colour = colourDistance(v, k)
          if largestColour[k] < colour { largestColour[k] = colour }
        }
      }
    }
    return nearest.map { Int32($0 + plan.settings.startLabel) }
  }
}
