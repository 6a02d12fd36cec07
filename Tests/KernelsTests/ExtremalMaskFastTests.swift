import Foundation
import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Extremal-perturbation mask generator: fast (Float, SIMD, threads) against literal (Double)")
struct ExtremalMaskFastTests {
  typealias X = ExtremalMaskTesting

  @Test("the vector exponential is within 4u of exp on [−80, 0] and 0 below; exp(0) = 1")
  func vectorExp() {
    var arguments: [Float] = (0...200_000).map { -80 * Float($0) / 200_000 }
    arguments += [
      0, -0.0, -Float.leastNonzeroMagnitude, -1e-30, -0.346_573_6, -0.346_573_7, -80.0001, -1e4, -.infinity,
    ]
    let values = Fast.vectorExp(arguments)
    for (a, e) in zip(arguments, values) {
      if a < Fast.vectorExpFlushBelow {
        #expect(e == 0, "exp(\(a))")
      } else {
        let exact = exp(Double(a))
        #expect(abs(Double(e) - exact) <= Fast.vectorExpRelativeError * exact, "exp(\(a)) = \(e), exact \(exact)")
      }
    }
    #expect(Fast.vectorExp([0]) == [1])
  }

  @Test("forward: fast equals literal within the derived bound, every geometry, lattices in [0, 1] and in [−1, 2]")
  func forward() {
    for (i, (masks, g)) in X.cases.enumerated() {
      for (lo, hi) in [(0.0, 1.0), (-1.0, 2.0)] {
        let lattice = Tensor<Float>(converting: X.lattice(g, masks: masks, lo, hi, seed: UInt64(200 + i)))
        let fast = Fast.extremalMask(lattice, geometry: g)
        let literal = Literal.extremalMask(lattice.asDouble, geometry: g)
        let bound = X.forwardBound(g, maxAbsLattice: X.maxAbs(lattice.asDouble))
        let c = compare(fast, literal, bound: Tolerance.uniform(bound, like: literal))
        #expect(c.passed, "\(g), lattice in [\(lo), \(hi)): \(c)")
      }
    }
  }

  @Test("backward: fast equals literal within the derived bound (literal magnitudes per node), every geometry")
  func backward() {
    for (i, (masks, g)) in X.cases.enumerated() {
      for (lo, hi) in [(0.0, 1.0), (-1.0, 2.0)] {
        let lattice = Tensor<Float>(converting: X.lattice(g, masks: masks, lo, hi, seed: UInt64(300 + i)))
        let dPadded: Tensor<Float> = Fill.normal(g.paddedShape(masks: masks), seed: UInt64(400 + i))
        let fast = Fast.extremalMaskBackward(dPadded, lattice: lattice, geometry: g)
        let literal = Literal.extremalMaskBackward(dPadded.asDouble, lattice: lattice.asDouble, geometry: g)
        let (plain, factor) = Literal.extremalMaskBackwardMagnitudes(
          dPadded.asDouble, lattice: lattice.asDouble, geometry: g)
        let bound = X.backwardBound(
          g, maxAbsLattice: X.maxAbs(lattice.asDouble), magnitude: plain, factorMagnitude: factor)
        let c = compare(fast, literal, bound: bound)
        #expect(c.passed, "\(g), lattice in [\(lo), \(hi)): \(c)")
      }
    }
  }

  @Test("Li et al.'s frame size: 2 masks of 112×112 (134×134 padded, 16×16 lattice), fast against literal")
  func paperSize() {
    let g = X.geometry(112, 112, step: 7, sigma: 11)
    let lattice = Tensor<Float>(converting: X.lattice(g, masks: 2, 0, 1, seed: 17))
    let fast = Fast.extremalMask(lattice, geometry: g)
    let literal = Literal.extremalMask(lattice.asDouble, geometry: g)
    let bound = X.forwardBound(g, maxAbsLattice: 1)
    let c = compare(fast, literal, bound: Tolerance.uniform(bound, like: literal))
    #expect(c.passed, "\(c)")
  }

  @Test("results do not depend on the thread count (forward and backward, per frame and along time)")
  func threadIndependence() {
    for g in [
      X.geometry(frames: 3, 40, 37, step: 5, sigma: 8),
      X.geometry(frames: 6, 30, 30, step: 5, sigma: 8, stepT: 2, sigmaT: 2),
    ] {
      let lattice = Tensor<Float>(converting: X.lattice(g, masks: 3, 0, 1, seed: 5))
      let d: Tensor<Float> = Fill.normal(g.paddedShape(masks: 3), seed: 6)
      let one = FastThreads.withCount(1) {
        (Fast.extremalMask(lattice, geometry: g), Fast.extremalMaskBackward(d, lattice: lattice, geometry: g))
      }
      for threads in [2, 3] {
        let many = FastThreads.withCount(threads) {
          (Fast.extremalMask(lattice, geometry: g), Fast.extremalMaskBackward(d, lattice: lattice, geometry: g))
        }
        #expect(one.0.scalars.map(\.bitPattern) == many.0.scalars.map(\.bitPattern), "\(g), \(threads) threads")
        #expect(one.1.scalars.map(\.bitPattern) == many.1.scalars.map(\.bitPattern), "\(g), \(threads) threads")
      }
    }
  }

  @Test("crop and its zero embedding: fast equals literal bit for bit")
  func crop() {
    for (masks, g) in X.cases {
      let padded: Tensor<Float> = Fill.weyl(g.paddedShape(masks: masks))
      #expect(Fast.extremalMaskCrop(padded, geometry: g) == Literal.extremalMaskCrop(padded, geometry: g))
      let cropped: Tensor<Float> = Fill.weyl(g.croppedShape(masks: masks), offset: 0.5)
      #expect(
        Fast.extremalMaskCropBackward(cropped, geometry: g) == Literal.extremalMaskCropBackward(cropped, geometry: g))
    }
  }
}
