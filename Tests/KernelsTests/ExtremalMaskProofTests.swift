import Foundation
import Kernels
import TensorCore
import Testing
import _TestSupport

/// The claims of Proofs/extremal-mask.md, each on random inputs.
@Suite("Proofs/extremal-mask.md: smooth max, mask range, translation, crop, pyramid, fade, blur, the temporal limit")
struct ExtremalMaskProofTests {
  typealias X = ExtremalMaskTesting

  /// Rounding of the literal smooth max in Double for |z| ≤ Z, K terms, coldness c: the
  /// exponents carry 2c·Z·ε and exp ε, the sums γ_K (as `ExtremalMaskTesting.forwardBound`
  /// with Double's ε = 2⁻⁵³ and exp accurate to an ulp).
  static func smoothMaxRounding(k: Int, c: Double, z: Double) -> Double {
    let eps = 0x1p-53
    return 4 * z * (2 * c * z * 3 * eps + 2 * eps) + (X.gammaDouble(k + 1) + X.gammaDouble(k) + eps) * z + 1e-300
  }

  @Test(
    "P-MASK-1: the smooth max lies between the mean and the max, grows with the coldness, and max − smax ≤ (K−1)/(e·c)")
  func smoothMaxBounds() {
    var rng = SeededRNG(seed: 0x5A1)
    for trial in 0..<300 {
      let k = 1 + Int(rng.uniform() * 60)
      var z = (0..<k).map { _ in 2 * rng.uniform() - 0.5 }
      if trial % 3 == 0 { z += Array(repeating: 0, count: k) }  // the lattice's padding zeros
      if trial % 5 == 0 { z[0] = z.max()! }  // ties at the max
      let (mean, top) = (z.reduce(0, +) / Double(z.count), z.max()!)
      let scale = z.map(abs).max()!
      var previous = -Double.infinity
      for c in [0.0, 0.5, 2, 20, 100, 1000] {
        let s = Literal.smoothMax(z, coldness: c)
        let slack = Self.smoothMaxRounding(k: z.count, c: c, z: scale) + X.gammaDouble(z.count) * scale
        #expect(s >= mean - slack && s <= top + slack, "trial \(trial), c \(c): mean \(mean) ≤ \(s) ≤ max \(top)")
        #expect(s >= previous - 2 * slack, "trial \(trial): smax decreased at c = \(c)")
        if c > 0 { #expect(top - s <= Double(z.count - 1) / (M_E * c) + slack, "trial \(trial), c \(c)") }
        if c == 0 { #expect(abs(s - mean) <= slack, "c = 0 is the mean") }
        previous = s
      }
    }
  }

  @Test(
    "P-MASK-2: masks lie in [0, 1] for any lattice; for a lattice in [0, a], a ≤ 1, in [0, a] (the clamp never acts)")
  func maskRange() {
    for (i, (masks, g)) in X.cases.enumerated() {
      let wild = X.lattice(g, masks: masks, -3, 4, seed: UInt64(500 + i))
      for mask in [
        Literal.extremalMask(wild, geometry: g).scalars,
        Fast.extremalMask(Tensor<Float>(converting: wild), geometry: g).scalars.map(Double.init),
      ] {
        #expect(mask.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(g)")
      }
      let a = 0.8
      let tame = X.lattice(g, masks: masks, 0, a, seed: UInt64(600 + i))
      let top = X.maxAbs(tame)
      let literal = Literal.extremalMask(tame, geometry: g)
      #expect(
        literal.scalars.allSatisfy { $0 >= 0 && $0 <= top + Self.smoothMaxRounding(k: g.neighbourCount, c: 20, z: 1) },
        "\(g)")
      let fast = Fast.extremalMask(Tensor<Float>(converting: tame), geometry: g)
      let bound = X.forwardBound(g, maxAbsLattice: 1)
      #expect(fast.scalars.allSatisfy { $0 >= 0 && Double($0) <= Double(Float(top)) + bound }, "\(g)")
    }
  }

  /// Shifts the lattice by one node along an axis (4: W, 3: H, 2: T) with a zero entering
  /// and the last node (which the test zeroes first) leaving.
  static func shifted(_ x: Tensor<Double>, axis: Int) -> Tensor<Double> {
    var out = Tensor<Double>.zeros(x.shape)
    let strides = x.strides
    for i in 0..<x.count {
      let coordinate = (i / strides[axis]) % x.shape[axis]
      if coordinate + 1 < x.shape[axis] { out[flat: i + strides[axis]] = x[flat: i] }
    }
    return out
  }

  @Test("P-MASK-3: shifting the lattice by one node shifts the mask by one step (s pixels, s_t frames), bit for bit")
  func translation() {
    for (i, (masks, g)) in X.cases.enumerated() {
      let axes = g.isSpatioTemporal && g.latticeFrames > 1 ? [2, 3, 4] : [3, 4]
      for axis in axes {
        // Zero the last node along the axis, so that the shift loses nothing.
        var lattice = X.lattice(g, masks: masks, 0, 1, seed: UInt64(700 + i))
        let strides = lattice.strides
        for j in 0..<lattice.count where (j / strides[axis]) % lattice.shape[axis] == lattice.shape[axis] - 1 {
          lattice[flat: j] = 0
        }
        let moved = Self.shifted(lattice, axis: axis)
        let step = axis == 2 ? g.stepT! : g.step
        // Fast: κ comes from the pixel's phase, so the shifted pixel computes the same terms in
        // the same order: bit for bit. Literal: κ from the absolute offset u − (σ + s·i), whose
        // rounding (≤ 2ε·max(Hp, Wp) when σ is not a short binary fraction) moves d by
        // ≤ 2ε·max(Hp, Wp)/σ, κ by ≤ 4·d_max·that (d_max ≤ max(Hp, Wp)/σ) and m by (1 + 2c)
        // times that.
        let extent = Double(max(g.paddedHeight, g.paddedWidth)) / g.sigma
        let literalBound = (1 + 2 * g.coldness) * 4 * extent * 2 * extent * 0x1p-52
        for path in ["literal", "fast"] {
          let (a, b): (Tensor<Double>, Tensor<Double>) =
            path == "literal"
            ? (Literal.extremalMask(lattice, geometry: g), Literal.extremalMask(moved, geometry: g))
            : (
              Fast.extremalMask(Tensor<Float>(converting: lattice), geometry: g).asDouble,
              Fast.extremalMask(Tensor<Float>(converting: moved), geometry: g).asDouble
            )
          let pStrides = a.strides
          var compared = 0
          for j in 0..<a.count {
            let coordinate = (j / pStrides[axis]) % a.shape[axis]
            guard coordinate + step < a.shape[axis] else { continue }
            let difference = abs(b[flat: j + step * pStrides[axis]] - a[flat: j])
            #expect(difference <= (path == "fast" ? 0 : literalBound), "\(g), axis \(axis), \(path), element \(j)")
            compared += 1
          }
          #expect(compared > 0)
        }
      }
    }
  }

  @Test("P-MASK-4: the frame fits the padded mask for every H exactly when round(σ) ≤ s·(2(p − r) − 1) + 1")
  func cropFits() {
    for step in 1...12 {
      for quarter in 1...120 {
        let sigma = Double(quarter) / 4
        let p = 1 + Int((2 * sigma / Double(step)).rounded(.up))
        let r = 1 + Int((sigma / Double(step)).rounded(.up))
        let spare = step * (2 * (p - r) - 1) + 1 - Int(sigma.rounded(.toNearestOrEven))
        var allFit = true
        for h in 1...(3 * step + 1) {
          let g = try? ExtremalMaskGeometry(frames: 1, height: h, width: h, step: step, sigma: sigma)
          if let g {
            #expect(g.cropOffset + h <= g.paddedHeight)
            // The spare rows: spare + (s⌈H/s⌉ − H).
            #expect(g.paddedHeight - g.cropOffset - h == spare + step * ((h + step - 1) / step) - h)
          } else {
            allFit = false
          }
        }
        #expect(allFit == (spare >= 0), "step \(step), σ \(sigma)")
      }
    }
    // Li et al.'s (7, 11) and TorchRay's default (7, 21) fit at every frame size.
    for (step, sigma, spare) in [(7, 11.0, 11), (7, 21.0, 15)] {
      let g = try! ExtremalMaskGeometry(frames: 1, height: 7, width: 7, step: step, sigma: sigma)
      #expect(g.paddedHeight - g.cropOffset - 7 == spare)
    }
  }

  @Test(
    "P-MASK-5: the last pyramid level is the clip, bit for bit, and m = 1 returns the clip; m = 0 the most blurred level"
  )
  func lastLevelIsInput() {
    for (shape, levels, maxSigma) in [
      ([1, 3, 2, 9, 11], 8, 20.0), ([2, 1, 3, 5, 4], 2, 1.5), ([1, 2, 1, 16, 17], 5, 3),
    ] {
      let x: Tensor<Double> = Fill.weyl(shape, offset: -0.3)
      let xf = Tensor<Float>(converting: x)
      let literal = Literal.blurPyramid(x, levels: levels, maxSigma: maxSigma)
      let fast = Fast.blurPyramid(xf, levels: levels, maxSigma: maxSigma)
      let masks = [shape[0], 1] + Array(shape[2...])
      let ones = Tensor<Double>(shape: masks, repeating: 1), zeros = Tensor<Double>(shape: masks, repeating: 0)
      let clips = Array(0..<shape[0])
      for n in 0..<shape[0] {
        #expect(literal.slice(n).slice(levels - 1).scalars == x.slice(n).scalars)
        #expect(fast.slice(n).slice(levels - 1).scalars.map(\.bitPattern) == xf.slice(n).scalars.map(\.bitPattern))
        #expect(
          literal.slice(n).slice(0).scalars
            == Literal.gaussianBlurSpatial(
              Tensor<Double>(shape: [1] + Array(shape[1...]), scalars: x.slice(n).scalars), sigma: maxSigma
            ).scalars)
      }
      #expect(Literal.pyramidPerturbation(literal, mask: ones, clips: clips).scalars == x.scalars)
      #expect(Fast.pyramidPerturbation(fast, mask: Tensor<Float>(converting: ones), clips: clips).scalars == xf.scalars)
      let level0 = (0..<shape[0]).flatMap { literal.slice($0).slice(0).scalars }
      #expect(Literal.pyramidPerturbation(literal, mask: zeros, clips: clips).scalars == level0)
    }
  }

  @Test(
    "P-MASK-6: the perturbation is linear between levels and continuous at them; its derivative is (L−1)(y_k+1 − y_k), 0 at m = 1"
  )
  func interpolation() {
    let x: Tensor<Double> = Fill.weyl([1, 2, 1, 6, 7])
    let levels = 8
    let pyramid = Literal.blurPyramid(x, levels: levels, maxSigma: 20)
    let scale = X.maxAbs(pyramid)
    var rng = SeededRNG(seed: 0x11E)
    for l in 0..<levels {
      // Continuity at m = l/(L − 1): from below and from above within δ·(L−1)·max|Δy|.
      let at = Double(l) / Double(levels - 1), delta = 1e-9
      func z(_ m: Double) -> Tensor<Double> {
        Literal.pyramidPerturbation(pyramid, mask: Tensor(shape: [1, 1, 1, 6, 7], repeating: m))
      }
      let level = pyramid.slice(0).slice(l)
      let tolerance = delta * Double(levels - 1) * 2 * scale + 4 * 0x1p-53 * Double(levels) * scale
      for m in [at - delta, at, at + delta] where m >= 0 && m <= 1 {
        #expect(
          X.maxDifference(z(m), Tensor(shape: [1, 2, 1, 6, 7], scalars: level.scalars)) <= tolerance, "l \(l), m \(m)")
      }
      // Linearity inside (l, l+1): the midpoint of two masks gives the midpoint of the outputs.
      guard l < levels - 1 else { continue }
      let (a, b) = (at + (0.1 + 0.3 * rng.uniform()) / 7, at + (0.6 + 0.3 * rng.uniform()) / 7)
      let mid = z((a + b) / 2), average = Literal.scale(Literal.add(z(a), z(b)), by: 0.5)
      #expect(X.maxDifference(mid, average) <= 16 * 0x1p-53 * Double(levels) * scale, "l \(l)")
    }
    // The derivative is (L − 1)(y_k+1 − y_k) summed over channels, and 0 at m = 1.
    let mask = Tensor<Double>(shape: [1, 1, 1, 6, 7]) { i in i == 0 ? 1 : Double(i % 7) / 7 + 0.05 }
    let dz: Tensor<Double> = Fill.normal([1, 2, 1, 6, 7], seed: 12)
    let dm = Literal.pyramidPerturbationBackward(dz, pyramid: pyramid, mask: mask)
    #expect(dm[flat: 0] == 0)
    let y = pyramid.slice(0)
    for i in 1..<42 {
      let k = Int(mask[flat: i] * 7)  // i mod 7 + 0.35: exact
      var expected = 0.0, magnitude = 0.0
      for c in 0..<2 {
        let term = dz[flat: c * 42 + i] * 7 * (y[flat: ((k + 1) * 2 + c) * 42 + i] - y[flat: (k * 2 + c) * 42 + i])
        expected += term
        magnitude += abs(term)
      }
      // Two terms of three roundings each, associated differently on the two sides.
      #expect(abs(dm[flat: i] - expected) <= 2 * X.gammaDouble(5) * magnitude, "pixel \(i)")
    }
  }

  @Test(
    "P-MASK-7: fade is m ⊙ x, and TorchRay's fade pyramid x·l/(L−1) through the interpolation equals it; gradients agree except at m = 1"
  )
  func fade() {
    var rng = SeededRNG(seed: 0xFAD)
    for levels in [2, 8, 13] {
      let x: Tensor<Double> = Fill.weyl([2, 3, 2, 4, 5], offset: 0.2)
      var mask: Tensor<Double> = Fill.uniform([3, 1, 2, 4, 5], 0, 1, seed: UInt64(levels))
      mask[flat: 0] = 1
      mask[flat: 1] = 0
      mask[flat: 2] = 1 / Double(levels - 1)  // an interior level for L > 2
      let clips = [1, 0, 1]
      let z = Literal.fadePerturbation(x, mask: mask, clips: clips)
      for a in 0..<3 {
        for c in 0..<3 {
          for i in 0..<40 {
            #expect(z[flat: (a * 3 + c) * 40 + i] == mask[flat: a * 40 + i] * x[flat: (clips[a] * 3 + c) * 40 + i])
          }
        }
      }
      // TorchRay's fade pyramid: level l = x·l/(L − 1).
      var pyramid = Tensor<Double>.zeros([2, levels, 3, 2, 4, 5])
      for n in 0..<2 {
        for l in 0..<levels {
          for j in 0..<120 {
            pyramid[flat: (n * levels + l) * 120 + j] = x[flat: n * 120 + j] * Double(l) / Double(levels - 1)
          }
        }
      }
      // (1 − f)·x·k/(L−1) + f·x·(k+1)/(L−1) = x·(k + f)/(L−1) = x·m: a few roundings of |x|.
      let viaPyramid = Literal.pyramidPerturbation(pyramid, mask: mask, clips: clips)
      #expect(X.maxDifference(viaPyramid, z) <= 8 * 0x1p-53 * X.maxAbs(x))
      let dz: Tensor<Double> = Fill.normal(z.shape, seed: rng.next())
      let dFade = Literal.fadePerturbationBackward(dz, x: x, clips: clips)
      let dPyramid = Literal.pyramidPerturbationBackward(dz, pyramid: pyramid, mask: mask, clips: clips)
      // Per channel (L−1)·(y_k+1 − y_k) = x up to the rounding of the two levels (each within
      // ε·|x| of x·l/(L−1)) times L − 1, and a few more roundings: ≤ 2L·ε·|dz·x| per term.
      let magnitude = Literal.fadePerturbationBackward(dz.magnitudes, x: x.magnitudes, clips: clips)
      for i in 0..<mask.count {
        if mask[flat: i] == 1 {
          #expect(dPyramid[flat: i] == 0)
        } else {
          #expect(
            abs(dPyramid[flat: i] - dFade[flat: i]) <= 2 * Double(levels + 4) * 0x1p-53 * magnitude[flat: i],
            "element \(i)")
        }
      }
    }
  }

  @Test("P-MASK-8: the separable blur (imsmooth) equals the full 2-D Gaussian exp(−(i² + j²)/s²)/Z with zero padding")
  func separableBlur() {
    for (shape, sigma) in [([1, 2, 1, 9, 13], 0.8), ([1, 1, 2, 7, 5], 2.3), ([1, 1, 1, 12, 12], 20.0)] {
      let x: Tensor<Double> = Fill.weyl(shape)
      let separable = Literal.gaussianBlurSpatial(x, sigma: sigma)
      let radius = Int((4 * sigma).rounded(.up))
      let s = 2.0.squareRoot() * sigma + Double(Float.ulpOfOne)
      var kernel: [[Double]] = []
      var total = 0.0
      for i in -radius...radius {
        kernel.append((-radius...radius).map { j in exp(-Double(i * i + j * j) / (s * s)) })
        total += kernel.last!.reduce(0, +)
      }
      let (h, w) = (shape[3], shape[4])
      for f in 0..<(x.count / (h * w)) {
        for y in 0..<h {
          for xx in 0..<w {
            var sum = 0.0, magnitude = 0.0
            for i in -radius...radius where y + i >= 0 && y + i < h {
              for j in -radius...radius where xx + j >= 0 && xx + j < w {
                let term = kernel[i + radius][j + radius] / total * x[flat: (f * h + y + i) * w + xx + j]
                sum += term
                magnitude += abs(term)
              }
            }
            // Both sides sum ≤ (2K+1)² products of O(1) factors: γ_n·Σ|terms| with n covering
            // the 2-D sum, the two 1-D sums and the normalisations.
            let n = (2 * radius + 1) * (2 * radius + 1) + 4 * (2 * radius + 1) + 8
            #expect(abs(separable[flat: (f * h + y) * w + xx] - sum) <= 2 * X.gammaDouble(n) * magnitude, "σ \(sigma)")
          }
        }
      }
    }
  }

  @Test("P-MASK-9: with s_t = 1 and σ_t → 0 the 3-D mask tends to m₂D·D/(D + E) — not the per-frame mask m₂D")
  func temporalLimit() {
    let flat = X.geometry(frames: 3, 9, 8, step: 3, sigma: 3)
    for sigmaT in [0.1, 0.05] {
      let g = X.geometry(frames: 3, 9, 8, step: 3, sigma: 3, stepT: 1, sigmaT: sigmaT)
      #expect(g.temporalRadius == 2)
      let extra = Double(g.neighbourCount - flat.neighbourCount)  // 2·r_t·(2r+1)² = 100
      let lattice = X.lattice(g, masks: 2, 0, 0.3, seed: 31)
      let spaceTime = Literal.extremalMask(lattice, geometry: g)
      let perFrame = Literal.extremalMask(lattice, geometry: flat)
      var largest = 0.0
      for n in 0..<2 {
        for t in 0..<3 {
          for y in 0..<flat.paddedHeight {
            for x in 0..<flat.paddedWidth {
              // D = Σ_k e^(c·z_k) over the per-frame neighbourhood.
              var d = 0.0
              for ky in 0...(2 * flat.radius) {
                for kx in 0...(2 * flat.radius) {
                  let (i, j) = (
                    flat.latticeIndex(padded: y, neighbour: ky), flat.latticeIndex(padded: x, neighbour: kx)
                  )
                  let inside = i >= 0 && i < flat.latticeHeight && j >= 0 && j < flat.latticeWidth
                  let kappa: Double = flat.weight(
                    dt: 0, dy: flat.spatialOffset(padded: y, lattice: i), dx: flat.spatialOffset(padded: x, lattice: j))
                  d += exp(20 * (inside ? kappa * lattice[n, 0, t, i, j] : 0))
                }
              }
              let m2 = perFrame[n, 0, t, y, x]
              let limit = m2 * d / (d + extra)
              // Neighbours at |Δt| ≥ 1 weigh κ ≤ exp(−2(1/σ_t − ½)²) ≤ e^(−180): zero in Double.
              // Rounding, relative: each z_k ≤ ½ carries 2ε, which the exponent c·z turns into
              // 2c·½·2ε = 20ε, plus exp's ε, on both sides; the sums of K = 125, 25 and 25
              // terms; a few quotients.
              let bound = (2 * (20 + 1) * 2 + 2 * 125 + 4 * 25 + 8) * 0x1p-53 * m2
              #expect(abs(spaceTime[n, 0, t, y, x] - limit) <= bound, "σ_t \(sigmaT)")
              largest = max(largest, abs(spaceTime[n, 0, t, y, x] - m2))
            }
          }
        }
      }
      // The per-frame mask itself is not the limit: here they differ by up to 0.08.
      #expect(largest > 0.05, "largest difference \(largest)")
    }
  }

  @Test("P-MASK-10: ∂smax/∂z_k = p_k·(1 + c·(z_k − smax)), summing to 1 (smax(z + δ) = smax(z) + δ)")
  func smoothMaxGradient() {
    var rng = SeededRNG(seed: 0x6AD)
    for trial in 0..<50 {
      let k = 2 + Int(rng.uniform() * 40)
      let z = (0..<k).map { _ in rng.uniform() }
      let c = [1.0, 5, 20][trial % 3]
      let m = Literal.smoothMax(z, coldness: c)
      let top = z.max()!
      let e = z.map { exp(c * ($0 - top)) }
      let p = e.map { $0 / e.reduce(0, +) }
      let gradient = (0..<k).map { p[$0] * (1 + c * (z[$0] - m)) }
      #expect(abs(gradient.reduce(0, +) - 1) <= X.gammaDouble(4 * k) * (1 + 2 * c) * 4, "trial \(trial)")
      let shift = 0.37
      #expect(
        abs(Literal.smoothMax(z.map { $0 + shift }, coldness: c) - (m + shift)) <= 2
          * Self.smoothMaxRounding(k: k, c: c, z: 1.5))
      // 4th-order central differences along a random direction, h = 1e-4 (c ≤ 20: f⁽⁵⁾ ≲ c⁵).
      let v = (0..<k).map { _ in rng.uniform() - 0.5 }
      let h = 1e-4
      let f = [-2.0, -1, 1, 2].map { s in Literal.smoothMax(zip(z, v).map { $0 + s * h * $1 }, coldness: c) }
      let fd = (-f[3] + 8 * f[2] - 8 * f[1] + f[0]) / (12 * h)
      let exact = zip(gradient, v).reduce(0) { $0 + $1.0 * $1.1 }
      #expect(abs(fd - exact) <= 1e-7 * (1 + abs(exact)), "trial \(trial): \(fd) vs \(exact)")
    }
  }
}
