import Foundation
import Kernels
import TensorCore
import Testing
import _TestSupport

/// The mask generator and the perturbations against TorchRay 1.0.0.2's `MaskGenerator.generate`,
/// `Perturbation` and `Perturbation.apply`, run in float64 with autograd gradients
/// (Reference/extremal_perturbation: generate_components.py makes the vectors, README.md lists
/// them, the settings and the documented differences).
///
/// Literal path (Double) against float64: 1e-10 of the reference's largest value (the same sums
/// in other orders; CONTRIBUTING.md). Fast path (Float): the fast-against-literal bound of
/// ExtremalMaskTesting plus the rounding of its Float inputs.
@Suite("Extremal-perturbation components agree with TorchRay (float64)", .serialized)
struct ExtremalPerturbationCrossCheckTests {
  typealias X = ExtremalMaskTesting

  static func file(_ name: String) throws -> SafeTensorsFile {
    try SafeTensors.read(contentsOf: RepositoryPaths.reference("extremal_perturbation/\(name).safetensors"))
  }

  /// The settings generate_components.py used, by case name.
  static let maskCases: [(name: String, geometry: ExtremalMaskGeometry)] = [
    ("small", X.geometry(frames: 2, 13, 18, step: 4, sigma: 5)),
    ("paper", X.geometry(28, 28, step: 7, sigma: 11)),
    ("half", X.geometry(21, 16, step: 6, sigma: 10.5)),
    ("time", X.geometry(frames: 5, 10, 11, step: 3, sigma: 2.5, stepT: 2, sigmaT: 1.5)),
    ("time_step1", X.geometry(frames: 3, 9, 8, step: 3, sigma: 3, stepT: 1, sigmaT: 0.7)),
  ]

  static func expectClose(_ ours: Tensor<Double>, _ reference: Tensor<Double>, _ what: String) {
    #expect(ours.shape == reference.shape, "\(what): shape \(ours.shape) vs \(reference.shape)")
    let bound = 1e-10 * max(X.maxAbs(reference), 1e-300)
    let c = compare(ours, reference, bound: Tolerance.uniform(bound, like: reference))
    #expect(c.passed, "\(what): \(c)")
  }

  @Test("the vectors were made by the script and settings these tests assume")
  func provenance() throws {
    let f = try Self.file("mask")
    #expect(f.metadata["command"]?.contains("generate_components.py") == true)
    #expect(f.metadata["torchray"] == "1.0.0.2")
    for (name, g) in Self.maskCases {
      #expect(try f.doubleTensor(named: "\(name).lattice").shape == g.latticeShape(masks: name == "small" ? 2 : 1))
      #expect(try f.doubleTensor(named: "\(name).padded").shape == g.paddedShape(masks: name == "small" ? 2 : 1))
    }
  }

  @Test(
    "padded masks equal TorchRay's generate (per frame) and the float64 reference of the temporal lattice (literal)")
  func masksLiteral() throws {
    let f = try Self.file("mask")
    for (name, g) in Self.maskCases {
      let lattice = try f.doubleTensor(named: "\(name).lattice")
      let ours = Literal.extremalMask(lattice, geometry: g)
      Self.expectClose(ours, try f.doubleTensor(named: "\(name).padded"), "\(name) padded")
      if name == "half" {
        // σ = 10.5: TorchRay crops at round(10.5) = 10.
        Self.expectClose(
          Literal.extremalMaskCrop(ours, geometry: g), try f.doubleTensor(named: "half.cropped"), "half cropped")
      }
    }
  }

  @Test(
    "lattice gradients equal PyTorch's autograd through TorchRay's generate and through the temporal reference (literal)"
  )
  func gradientsLiteral() throws {
    let f = try Self.file("mask")
    for (name, g) in Self.maskCases where ["small", "time", "time_step1"].contains(name) {
      let lattice = try f.doubleTensor(named: "\(name).lattice")
      let dPadded: Tensor<Double> = Fill.weyl(g.paddedShape(masks: lattice.shape[0]))
      let ours = Literal.extremalMaskBackward(dPadded, lattice: lattice, geometry: g)
      Self.expectClose(ours, try f.doubleTensor(named: "\(name).d_lattice"), "\(name) d_lattice")
    }
  }

  @Test("padded masks from the fast path equal TorchRay's within the fast bound plus the Float rounding of the lattice")
  func masksFast() throws {
    let f = try Self.file("mask")
    for (name, g) in Self.maskCases {
      let lattice = try f.doubleTensor(named: "\(name).lattice")
      let reference = try f.doubleTensor(named: "\(name).padded")
      let ours = Fast.extremalMask(Tensor<Float>(converting: lattice), geometry: g)
      // Rounding the lattice to Float moves each z_k by ≤ u·Z, m by ≤ (1 + 2cZ)·u·Z.
      let z = X.maxAbs(lattice)
      let bound = X.forwardBound(g, maxAbsLattice: z) + (1 + 2 * g.coldness * z) * z * Tolerance.floatUnitRoundoff
      let c = compare(ours, reference, bound: Tolerance.uniform(bound, like: reference))
      #expect(c.passed, "\(name): \(c)")
    }
  }

  /// TorchRay computes the lattice cell of a padded row u as ⌊u·fl(mid/up)⌋: in its float32
  /// weight table always, and in `F.interpolate` for float32 input. At step 41 that is
  /// u/41 − 1 for u = 41, 82 (also steps 47, 55, 61…; README.md). With a float64 lattice the
  /// interpolation indexes exactly but the weight table does not, so in those rows and columns
  /// TorchRay weighs each value by the distance to the node before the one it came from. This
  /// package uses ⌊u/s⌋ for both.
  @Test("documented difference: at step 41 TorchRay (float64 input) differs only in padded rows and columns 41 and 82")
  func step41() throws {
    let f = try Self.file("mask")
    let g = X.geometry(82, 41, step: 41, sigma: 41)
    let lattice = try f.doubleTensor(named: "step41.lattice")
    let torchray = try f.doubleTensor(named: "step41.padded_float64_input")
    let ours = Literal.extremalMask(lattice, geometry: g)
    #expect(ours.shape == torchray.shape && ours.shape == [1, 1, 1, 124, 83])
    // Elsewhere the two differ by TorchRay's float32 weights: κ rounded through a float32
    // distance d ≤ 4 carries ≤ (4·d·(d − ½)·3 + 4)·u ≤ 172u relative, which the smooth max
    // passes on times ≤ 1 + 2c = 41; and the float32 storage of the vector, u.
    let bound = (41 * 172 + 1) * Tolerance.floatUnitRoundoff
    var largestOnWrongRows = 0.0
    for y in 0..<124 {
      for x in 0..<83 {
        let difference = abs(ours[0, 0, 0, y, x] - torchray[0, 0, 0, y, x])
        if [41, 82].contains(y) || [41, 82].contains(x) {
          largestOnWrongRows = max(largestOnWrongRows, difference)
        } else {
          #expect(difference <= bound, "(\(y), \(x)): \(ours[0, 0, 0, y, x]) vs \(torchray[0, 0, 0, y, x])")
        }
      }
    }
    #expect(largestOnWrongRows > 0.5, "TorchRay's misindexed rows differ by \(largestOnWrongRows)")
  }

  @Test("blur pyramid, pyramid perturbation and its mask gradient equal TorchRay's Perturbation (literal)")
  func blurLiteral() throws {
    let f = try Self.file("perturbation")
    let x = try f.doubleTensor(named: "x")
    let masks = try f.doubleTensor(named: "masks")
    let pyramid = Literal.blurPyramid(x, levels: 8, maxSigma: 20)
    Self.expectClose(pyramid, try f.doubleTensor(named: "blur.pyramid"), "blur pyramid")
    Self.expectClose(Literal.pyramidPerturbation(pyramid, mask: masks), try f.doubleTensor(named: "blur.z"), "blur z")
    let dz: Tensor<Double> = Fill.weyl([3, 2, 2, 7, 9], offset: -0.2)
    Self.expectClose(
      Literal.pyramidPerturbationBackward(dz, pyramid: pyramid, mask: masks), try f.doubleTensor(named: "blur.d_masks"),
      "blur d_masks")
  }

  @Test(
    "blur pyramid and perturbation from the fast path equal TorchRay's within the fast bounds and Float input rounding")
  func blurFast() throws {
    let f = try Self.file("perturbation")
    let x = try f.doubleTensor(named: "x")
    let reference = try f.doubleTensor(named: "blur.pyramid")
    let pyramid = Fast.blurPyramid(Tensor<Float>(converting: x), levels: 8, maxSigma: 20)
    // As ExtremalPerturbationTests: γ_(terms+4) on the blur of |x|, plus u·|x| blurred for
    // rounding x to Float.
    let magnitude = Literal.blurPyramid(x.magnitudes, levels: 8, maxSigma: 20)
    let bound = Tolerance.reduction(magnitude: magnitude, terms: 7 + 9, extraOperations: 5)
    let c = compare(pyramid, reference, bound: bound)
    #expect(c.passed, "pyramid: \(c)")
  }

  /// TorchRay's fade is a pyramid of x·l/(L − 1) interpolated like the blur one: m·x in value
  /// (P-MASK-7), and the same gradient except where m = 1, where `apply` picks the top level
  /// twice and the gradient is 0.
  @Test("fade equals TorchRay's fade Perturbation; its gradient too, except at m = 1 where TorchRay's is 0")
  func fade() throws {
    let f = try Self.file("perturbation")
    let x = try f.doubleTensor(named: "x")
    let masks = try f.doubleTensor(named: "masks")
    Self.expectClose(Literal.fadePerturbation(x, mask: masks), try f.doubleTensor(named: "fade.z"), "fade z")
    let dz: Tensor<Double> = Fill.weyl([3, 2, 2, 7, 9], offset: -0.2)
    let ours = Literal.fadePerturbationBackward(dz, x: x)
    let torchray = try f.doubleTensor(named: "fade.d_masks")
    let bound = 1e-10 * X.maxAbs(torchray)
    var atOne = 0
    for i in 0..<masks.count {
      if masks[flat: i] == 1 {
        #expect(torchray[flat: i] == 0 && ours[flat: i] != 0, "element \(i)")
        atOne += 1
      } else {
        #expect(
          abs(ours[flat: i] - torchray[flat: i]) <= bound, "element \(i): \(ours[flat: i]) vs \(torchray[flat: i])")
      }
    }
    #expect(atOne == 2)
  }
}
