import Foundation
import Kernels
import TensorCore
import Testing
import _TestSupport

/// The literal mask generator: hand-computed cases, its VJP by finite differences, crop and
/// embedding. (Fast against literal: ExtremalMaskFastTests; against TorchRay:
/// ExtremalPerturbationCrossCheckTests; claims: ExtremalMaskProofTests.)
@Suite("Extremal-perturbation mask generator (literal): hand cases, VJP by finite differences, crop")
struct ExtremalMaskTests {
  typealias X = ExtremalMaskTesting

  /// Both sides in Double (ε = 2⁻⁵³): z carries ≤ 2ε relative error (κ, then κ·m̄), which the
  /// exponent c·z amplifies to 2c|z|·ε in each e^(cz) (plus ε for exp); numerator and
  /// denominator each carry that twice and a few sums: ≤ (4c|z| + 12)·ε relative per side.
  static func handBound(_ m: Double, z: Double) -> Double { 2 * (4 * 20 * abs(z) + 12) * 0x1p-53 * abs(m) }

  /// One lattice node, step 1, σ 1 on a 1×1 frame: p = 3, r = 2, padded 3×3 with the node at
  /// its centre. Each pixel reads 25 neighbours of which only the node lies in the lattice:
  /// m = z·e^(cz)/(e^(cz) + 24), z = κ(‖(y − 1, x − 1)‖)·m̄.
  @Test("hand case: one node, 3×3 padded mask, the 24 neighbours outside the lattice count as zeros")
  func singleNode() {
    let g = X.geometry(1, 1, step: 1, sigma: 1)
    #expect(g.padding == 3 && g.radius == 2 && g.paddedHeight == 3 && g.paddedWidth == 3 && g.cropOffset == 1)
    for value in [0.5, 0.9, 0.05] {
      let mask = Literal.extremalMask(Tensor<Double>(shape: [1, 1, 1, 1, 1], scalars: [value]), geometry: g)
      for y in 0..<3 {
        for x in 0..<3 {
          let d = Double((y - 1) * (y - 1) + (x - 1) * (x - 1)).squareRoot()
          let z = exp(-2 * pow(max(d - 0.5, 0), 2)) * value
          let expected = z * exp(20 * z) / (exp(20 * z) + 24)
          #expect(
            abs(mask[0, 0, 0, y, x] - expected) <= Self.handBound(expected, z: z), "m̄ \(value), pixel (\(y), \(x))")
        }
      }
      // The crop is the centre pixel.
      #expect(Literal.extremalMaskCrop(mask, geometry: g).scalars == [mask[0, 0, 0, 1, 1]])
    }
  }

  /// Two lattice frames along time, step_t 1, σ_t 1 (r_t = 2: five lattice frames per frame,
  /// three of them outside the lattice), the same 1×1 frame: pixel (t, 1, 1) reads its own
  /// frame's node at Δt = 0 (κ = 1) and the other frame's at |Δt| = 1 (d = ‖(1·σ/σ_t, 0, 0)‖/σ
  /// = 1, κ = e^(−½)), and 125 − 2 zeros.
  @Test("hand case along time: two lattice frames, 123 zero neighbours, the other frame at κ = e^(−½)")
  func temporalPair() {
    let g = X.geometry(frames: 2, 1, 1, step: 1, sigma: 1, stepT: 1, sigmaT: 1)
    #expect(g.temporalRadius == 2 && g.neighbourCount == 125 && g.latticeFrames == 2)
    let lattice = Tensor<Double>(shape: [1, 1, 2, 1, 1], scalars: [0.7, 0.4])
    let mask = Literal.extremalMask(lattice, geometry: g)
    for t in 0..<2 {
      let own = lattice.scalars[t], other = lattice.scalars[1 - t] * exp(-0.5)
      let expected = (own * exp(20 * own) + other * exp(20 * other)) / (exp(20 * own) + exp(20 * other) + 123)
      #expect(abs(mask[0, 0, t, 1, 1] - expected) <= Self.handBound(expected, z: own), "frame \(t)")
    }
  }

  @Test("the clamp: a node of 2 saturates its own pixel at 1 (gradient 0 there) and leaves the corners inside [0, 1]")
  func clampHandCase() {
    let g = X.geometry(1, 1, step: 1, sigma: 1)
    let lattice = Tensor<Double>(shape: [1, 1, 1, 1, 1], scalars: [2])
    let mask = Literal.extremalMask(lattice, geometry: g)
    #expect(mask[0, 0, 0, 1, 1] == 1)
    let corner = 2 * exp(-2 * pow(2.0.squareRoot() - 0.5, 2))
    let expected = corner * exp(20 * corner) / (exp(20 * corner) + 24)
    #expect(abs(mask[0, 0, 0, 0, 0] - expected) <= Self.handBound(expected, z: corner))
    // Only the centre's cotangent: nothing flows back through the clamp.
    var centre = Tensor<Double>.zeros(g.paddedShape(masks: 1))
    centre[0, 0, 0, 1, 1] = 1
    #expect(Literal.extremalMaskBackward(centre, lattice: lattice, geometry: g).scalars == [0])
    // FD around m̄ = 2: the centre stays clamped and the other eight pixels stay inside (0, 1).
    var rng = SeededRNG(seed: 0xC1A)
    let check = checkVJP(
      { Literal.extremalMask($0, geometry: g) },
      vjp: { x, dy in Literal.extremalMaskBackward(dy, lattice: x, geometry: g) }, at: lattice, rng: &rng)
    #expect(check.passed, "\(check)")
  }

  /// The generator is smooth where the clamp is inactive: with the lattice in [0.05, 0.95]
  /// every raw value lies in [0, 0.95] (P-MASK-2), 0.05 away from 1, and reaches 0 only if
  /// every z_k does, which needs every node at 0. At coldness c the 5th derivative grows like
  /// c⁵: FD's truncation h⁴/30·|f⁽⁵⁾| stays below 1e-8 relative with the default h = 1e-3 up to
  /// c = 20 and with h = 1e-4 at c = 60 (2.6e-9).
  @Test("VJP by finite differences in Double, lattice in [0.05, 0.95] (clamp inactive), every geometry, coldness 3–60")
  func vjp() {
    var rng = SeededRNG(seed: 0x5EED)
    let small = X.cases.filter { $0.geometry.paddedHeight * $0.geometry.paddedWidth * $0.geometry.frames <= 2500 }
    let cases =
      small.map { ($0.masks, $0.geometry, 1e-3) }
      + [(2, X.geometry(frames: 2, 10, 7, step: 3, sigma: 4, coldness: 3), 1e-3)]
      + [(2, X.geometry(frames: 2, 10, 7, step: 3, sigma: 4, coldness: 60), 1e-4)]
    for (i, (masks, g, h)) in cases.enumerated() {
      let lattice = X.lattice(g, masks: masks, 0.05, 0.95, seed: UInt64(100 + i))
      let check = checkVJP(
        { Literal.extremalMask($0, geometry: g) },
        vjp: { x, dy in Literal.extremalMaskBackward(dy, lattice: x, geometry: g) }, at: lattice, rng: &rng, h: h)
      #expect(check.passed, "\(g): \(check)")
    }
  }

  @Test("crop takes rows and columns m ..< m+H, m ..< m+W of every frame; its VJP is the zero embedding (adjoint)")
  func cropAndEmbedding() {
    for (masks, g) in X.cases {
      let padded: Tensor<Double> = Fill.weyl(g.paddedShape(masks: masks))
      let cropped = Literal.extremalMaskCrop(padded, geometry: g)
      #expect(cropped.shape == g.croppedShape(masks: masks))
      let m = g.cropOffset
      #expect(
        cropped[masks - 1, 0, g.frames - 1, g.height - 1, 0] == padded[masks - 1, 0, g.frames - 1, m + g.height - 1, m])
      #expect(cropped[0, 0, 0, 0, g.width - 1] == padded[0, 0, 0, m, m + g.width - 1])
      let dCropped: Tensor<Double> = Fill.weyl(g.croppedShape(masks: masks), offset: 0.3)
      let embedded = Literal.extremalMaskCropBackward(dCropped, geometry: g)
      // ⟨crop(p), c⟩ = ⟨p, embed(c)⟩ exactly: both sides add the same products in the same order.
      #expect(X.dot(cropped, dCropped) == X.dot(padded, embedded), "\(g)")
      #expect(embedded.scalars.filter { $0 != 0 }.count == dCropped.scalars.filter { $0 != 0 }.count)
      var rng = SeededRNG(seed: 0xC20)
      let check = checkVJP(
        { Literal.extremalMaskCrop($0, geometry: g) },
        vjp: { _, dy in Literal.extremalMaskCropBackward(dy, geometry: g) }, at: padded, rng: &rng)
      #expect(check.passed, "\(g): \(check)")
    }
  }
}
