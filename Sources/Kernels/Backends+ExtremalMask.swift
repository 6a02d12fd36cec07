import RealModule
import TensorCore

// The extremal-perturbation mask and perturbation requirements of `KernelBackend`,
// forwarded to the `Literal` and `Fast` functions of the same names.

extension LiteralBackend {
  @inlinable public static func extremalMask(_ lattice: Tensor<Scalar>, geometry: ExtremalMaskGeometry)
    -> Tensor<Scalar>
  {
    Literal.extremalMask(lattice, geometry: geometry)
  }

  @inlinable public static func extremalMaskBackward(
    _ dPadded: Tensor<Scalar>, lattice: Tensor<Scalar>, geometry: ExtremalMaskGeometry
  ) -> Tensor<Scalar> {
    Literal.extremalMaskBackward(dPadded, lattice: lattice, geometry: geometry)
  }

  @inlinable public static func extremalMaskCrop(_ padded: Tensor<Scalar>, geometry: ExtremalMaskGeometry)
    -> Tensor<Scalar>
  {
    Literal.extremalMaskCrop(padded, geometry: geometry)
  }

  @inlinable public static func extremalMaskCropBackward(_ dCropped: Tensor<Scalar>, geometry: ExtremalMaskGeometry)
    -> Tensor<Scalar>
  {
    Literal.extremalMaskCropBackward(dCropped, geometry: geometry)
  }

  @inlinable public static func flipWidth(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.flipWidth(x)
  }

  @inlinable public static func blurPyramid(_ x: Tensor<Scalar>, levels: Int, maxSigma: Double) -> Tensor<Scalar> {
    Literal.blurPyramid(x, levels: levels, maxSigma: maxSigma)
  }

  @inlinable public static func pyramidPerturbation(_ pyramid: Tensor<Scalar>, mask: Tensor<Scalar>, clips: [Int]?)
    -> Tensor<Scalar>
  {
    Literal.pyramidPerturbation(pyramid, mask: mask, clips: clips)
  }

  @inlinable public static func pyramidPerturbationBackward(
    _ dz: Tensor<Scalar>, pyramid: Tensor<Scalar>, mask: Tensor<Scalar>, clips: [Int]?
  ) -> Tensor<Scalar> {
    Literal.pyramidPerturbationBackward(dz, pyramid: pyramid, mask: mask, clips: clips)
  }

  @inlinable public static func fadePerturbation(_ x: Tensor<Scalar>, mask: Tensor<Scalar>, clips: [Int]?)
    -> Tensor<Scalar>
  {
    Literal.fadePerturbation(x, mask: mask, clips: clips)
  }

  @inlinable public static func fadePerturbationBackward(_ dz: Tensor<Scalar>, x: Tensor<Scalar>, clips: [Int]?)
    -> Tensor<Scalar>
  {
    Literal.fadePerturbationBackward(dz, x: x, clips: clips)
  }
}

extension FastBackend {
  @inlinable public static func extremalMask(_ lattice: Tensor<Scalar>, geometry: ExtremalMaskGeometry)
    -> Tensor<Scalar>
  {
    Fast.extremalMask(lattice, geometry: geometry)
  }

  @inlinable public static func extremalMaskBackward(
    _ dPadded: Tensor<Scalar>, lattice: Tensor<Scalar>, geometry: ExtremalMaskGeometry
  ) -> Tensor<Scalar> {
    Fast.extremalMaskBackward(dPadded, lattice: lattice, geometry: geometry)
  }

  @inlinable public static func extremalMaskCrop(_ padded: Tensor<Scalar>, geometry: ExtremalMaskGeometry)
    -> Tensor<Scalar>
  {
    Fast.extremalMaskCrop(padded, geometry: geometry)
  }

  @inlinable public static func extremalMaskCropBackward(_ dCropped: Tensor<Scalar>, geometry: ExtremalMaskGeometry)
    -> Tensor<Scalar>
  {
    Fast.extremalMaskCropBackward(dCropped, geometry: geometry)
  }

  @inlinable public static func flipWidth(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.flipWidth(x)
  }

  @inlinable public static func blurPyramid(_ x: Tensor<Scalar>, levels: Int, maxSigma: Double) -> Tensor<Scalar> {
    Fast.blurPyramid(x, levels: levels, maxSigma: maxSigma)
  }

  @inlinable public static func pyramidPerturbation(_ pyramid: Tensor<Scalar>, mask: Tensor<Scalar>, clips: [Int]?)
    -> Tensor<Scalar>
  {
    Fast.pyramidPerturbation(pyramid, mask: mask, clips: clips)
  }

  @inlinable public static func pyramidPerturbationBackward(
    _ dz: Tensor<Scalar>, pyramid: Tensor<Scalar>, mask: Tensor<Scalar>, clips: [Int]?
  ) -> Tensor<Scalar> {
    Fast.pyramidPerturbationBackward(dz, pyramid: pyramid, mask: mask, clips: clips)
  }

  @inlinable public static func fadePerturbation(_ x: Tensor<Scalar>, mask: Tensor<Scalar>, clips: [Int]?)
    -> Tensor<Scalar>
  {
    Fast.fadePerturbation(x, mask: mask, clips: clips)
  }

  @inlinable public static func fadePerturbationBackward(_ dz: Tensor<Scalar>, x: Tensor<Scalar>, clips: [Int]?)
    -> Tensor<Scalar>
  {
    Fast.fadePerturbationBackward(dz, x: x, clips: clips)
  }
}
