import Foundation
import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Extremal-perturbation mask geometry: TorchRay's MaskGenerator formulas, the temporal lattice, bad arguments")
struct ExtremalMaskGeometryTests {
  @Test("Li et al.'s 112×112 setting (step 7, σ 11): lattice 16×16, padding 5, radius 3, mid 20, padded 134, crop 11")
  func paperSetting() throws {
    let g = try ExtremalMaskGeometry(frames: 16, height: 112, width: 112, step: 7, sigma: 11)
    #expect(g.margin == 11 && g.cropOffset == 11)
    #expect(g.padding == 5 && g.radius == 3)  // 1 + ⌈22/7⌉, 1 + ⌈11/7⌉
    #expect(g.latticeHeight == 16 && g.latticeWidth == 16 && g.latticeFrames == 16)
    #expect(g.midHeight == 20 && g.upHeight == 140 && g.paddedHeight == 134 && g.paddedWidth == 134)
    #expect(g.neighbourCount == 49 && g.temporalRadius == 0 && !g.isSpatioTemporal)
    #expect(g.latticeShape(masks: 4) == [4, 1, 16, 16, 16])
    #expect(g.paddedShape(masks: 4) == [4, 1, 16, 134, 134])
    #expect(g.croppedShape(masks: 4) == [4, 1, 16, 112, 112])
    // TorchRay's defaults (step 7, σ 21) at 224×224: padding 7, radius 4, 32 + 14 − 8 = 38 mid.
    let d = try ExtremalMaskGeometry(frames: 1, height: 224, width: 224, step: 7, sigma: 21)
    #expect(d.padding == 7 && d.radius == 4 && d.midHeight == 38 && d.paddedHeight == 260 && d.cropOffset == 21)
  }

  @Test("H ≠ W and H, W not multiples of the step: ⌈H/s⌉ and ⌈W/s⌉ lattice nodes, each axis on its own")
  func unequalAxes() throws {
    let g = try ExtremalMaskGeometry(frames: 2, height: 13, width: 18, step: 4, sigma: 5)
    #expect(g.latticeHeight == 4 && g.latticeWidth == 5)
    #expect(g.padding == 4 && g.radius == 3)
    #expect(g.paddedHeight == 4 * (4 + 8 - 6) - 3 && g.paddedWidth == 4 * (5 + 8 - 6) - 3)
  }

  @Test("the crop offset is round(σ) with ties to even, as Python's round: 10.5 → 10, 11.5 → 12, 2.5 → 2")
  func cropOffsetRoundsHalfToEven() throws {
    for (sigma, offset) in [(10.5, 10), (11.5, 12), (2.5, 2), (3.5, 4), (10.4, 10), (10.6, 11)] {
      let g = try ExtremalMaskGeometry(frames: 1, height: 30, width: 30, step: 2, sigma: sigma)
      #expect(g.cropOffset == offset, "σ \(sigma)")
      #expect(g.margin == sigma)
    }
  }

  @Test("along time: T′ = ⌈T/s_t⌉ lattice frames, r_t = 1 + ⌈σ_t/s_t⌉, frame t reads ⌊t/s_t⌋ + k − r_t")
  func temporalLattice() throws {
    let g = try ExtremalMaskGeometry(frames: 16, height: 112, width: 112, step: 7, sigma: 11, stepT: 3, sigmaT: 4)
    #expect(g.isSpatioTemporal && g.latticeFrames == 6 && g.temporalRadius == 3)
    #expect(g.neighbourCount == 7 * 49)
    #expect(g.latticeShape(masks: 2) == [2, 1, 6, 16, 16] && g.paddedShape(masks: 2) == [2, 1, 16, 134, 134])
    #expect((0...6).map { g.latticeFrame(frame: 10, neighbour: $0) } == [0, 1, 2, 3, 4, 5, 6])
    #expect(g.temporalOffset(frame: 10, latticeFrame: 2) as Double == 4)
    // Per frame: frame t reads lattice frame t only, at no temporal offset.
    let f = try ExtremalMaskGeometry(frames: 16, height: 112, width: 112, step: 7, sigma: 11)
    #expect(f.latticeFrame(frame: 9, neighbour: 0) == 9 && f.temporalOffset(frame: 9, latticeFrame: 9) as Double == 0)
  }

  @Test("pixel u of the padded mask reads lattice index ⌊u/s⌋ + k − p at offset u − (σ + s·i)")
  func latticeIndexAndOffset() throws {
    let g = try ExtremalMaskGeometry(frames: 1, height: 112, width: 112, step: 7, sigma: 11)
    #expect(g.latticeIndex(padded: 0, neighbour: 0) == -5)
    #expect(g.latticeIndex(padded: 13, neighbour: 6) == 1 + 6 - 5)
    #expect(g.spatialOffset(padded: 13, lattice: 2) as Double == 13 - (11 + 14))
    // Node (i, j) sits at padded (σ + 7i, σ + 7j), frame pixel (7i, 7j): the kernel is flat there.
    #expect(g.weight(dt: 0, dy: g.spatialOffset(padded: 11 + 21, lattice: 3), dx: 0) as Double == 1)
  }

  @Test(
    "κ(d) = exp(−2·max(d − ½, 0)²): 1 up to d = ½, e^(−½) at 1, e^(−4.5) at 2; space-time distance scales Δt by σ/σ_t")
  func kernel() throws {
    #expect(ExtremalMaskGeometry.kernel(0.0) == 1 && ExtremalMaskGeometry.kernel(0.5) == 1)
    #expect(abs(ExtremalMaskGeometry.kernel(1.0) - exp(-0.5)) <= 1e-16)
    #expect(abs(ExtremalMaskGeometry.kernel(2.0) - exp(-4.5)) <= 1e-16)
    let g = try ExtremalMaskGeometry(frames: 4, height: 8, width: 8, step: 2, sigma: 3, stepT: 1, sigmaT: 1.5)
    // ‖(Δt·σ/σ_t, Δy, Δx)‖/σ with Δt = 3, Δy = 4, Δx = 0: ‖(6, 4)‖/3.
    #expect(abs(g.scaledDistance(dt: 3.0, dy: 4.0, dx: 0.0) - (52.0).squareRoot() / 3) <= 1e-15)
    // Δt = 0 gives TorchRay's ‖(Δy, Δx)‖/σ exactly.
    let f = try ExtremalMaskGeometry(frames: 4, height: 8, width: 8, step: 2, sigma: 3)
    #expect(g.scaledDistance(dt: 0.0, dy: 4.0, dx: 1.0) == f.scaledDistance(dt: 0.0, dy: 4.0, dx: 1.0))
  }

  @Test("every bad argument is a typed error naming it")
  func badArguments() {
    func error(_ make: () throws -> ExtremalMaskGeometry) -> ExtremalMaskGeometryError? {
      do {
        _ = try make()
        return nil
      } catch { return error as? ExtremalMaskGeometryError }
    }
    #expect(
      error { try ExtremalMaskGeometry(frames: 0, height: 8, width: 8, step: 2, sigma: 3) }
        == .nonPositiveExtent(name: "frames", value: 0))
    #expect(
      error { try ExtremalMaskGeometry(frames: 1, height: 8, width: -1, step: 2, sigma: 3) }
        == .nonPositiveExtent(name: "width", value: -1))
    #expect(
      error { try ExtremalMaskGeometry(frames: 1, height: 8, width: 8, step: 0, sigma: 3) }
        == .nonPositiveStep(name: "step", value: 0))
    #expect(
      error { try ExtremalMaskGeometry(frames: 1, height: 8, width: 8, step: 2, sigma: 0) }
        == .invalidSigma(name: "sigma", value: 0))
    let nan = error { try ExtremalMaskGeometry(frames: 1, height: 8, width: 8, step: 2, sigma: .nan) }
    if case .invalidSigma(let name, let value)? = nan {
      #expect(name == "sigma" && value.isNaN)
    } else {
      Issue.record("NaN σ gave \(String(describing: nan))")
    }
    #expect(
      error { try ExtremalMaskGeometry(frames: 1, height: 8, width: 8, step: 2, sigma: .infinity) }
        == .invalidSigma(name: "sigma", value: .infinity))
    #expect(
      error { try ExtremalMaskGeometry(frames: 1, height: 8, width: 8, step: 2, sigma: 3, coldness: -1) }
        == .invalidColdness(-1))
    #expect(
      error { try ExtremalMaskGeometry(frames: 4, height: 8, width: 8, step: 2, sigma: 3, stepT: 2) }
        == .incompleteTemporalSettings(stepT: 2, sigmaT: nil))
    #expect(
      error { try ExtremalMaskGeometry(frames: 4, height: 8, width: 8, step: 2, sigma: 3, sigmaT: 1) }
        == .incompleteTemporalSettings(stepT: nil, sigmaT: 1))
    #expect(
      error { try ExtremalMaskGeometry(frames: 4, height: 8, width: 8, step: 2, sigma: 3, stepT: 0, sigmaT: 1) }
        == .nonPositiveStep(name: "stepT", value: 0))
    #expect(
      error { try ExtremalMaskGeometry(frames: 4, height: 8, width: 8, step: 2, sigma: 3, stepT: 1, sigmaT: -2) }
        == .invalidSigma(name: "sigmaT", value: -2))
    // σ = 6 at step 4 and H = 8: padded 4·(2 + 2) − 3 = 13 rows, crop offset 6, 6 + 8 > 13.
    #expect(
      error { try ExtremalMaskGeometry(frames: 1, height: 8, width: 9, step: 4, sigma: 6) }
        == .cropOutsidePaddedMask(axis: "height", offset: 6, extent: 8, padded: 13))
    #expect(error { try ExtremalMaskGeometry(frames: 1, height: 1 << 21, width: 8, step: 2, sigma: 3) } != nil)
    #expect(error { try ExtremalMaskGeometry(frames: 1, height: 8, width: 8, step: 1, sigma: 1e300) } != nil)
    #expect(error { try ExtremalMaskGeometry(frames: 1, height: 8, width: 8, step: .max, sigma: 3) } != nil)
    // 512·528 phases × 81² neighbours: 1.8e9 weights, beyond 2²⁶.
    let weights = error { try ExtremalMaskGeometry(frames: 1, height: 600, width: 600, step: 512, sigma: 20_000) }
    #expect(weights == .tooLarge(frames: 1, height: 600, width: 600, sigma: 20_000, sigmaT: nil))
    #expect(weights?.description.contains("too large for the mask generator") == true)
    let message = ExtremalMaskGeometryError.cropOutsidePaddedMask(axis: "height", offset: 6, extent: 8, padded: 13)
    #expect(message.description.contains("sigma is too small") && message.description.contains("13"))
    #expect(ExtremalMaskGeometryError.incompleteTemporalSettings(stepT: 2, sigmaT: nil).description.contains("sigmaT"))
  }

  @Test("the description names the settings and the derived shapes")
  func description() throws {
    let g = try ExtremalMaskGeometry(frames: 16, height: 112, width: 112, step: 7, sigma: 11, stepT: 2, sigmaT: 3)
    #expect(g.description.contains("step 7") && g.description.contains("step_t 2") && g.description.contains("134"))
  }
}
