import RealModule
import TensorCore

extension Literal {
  /// The frame inside the padded mask: TorchRay's `cropped = mask[:, :, m:m+H, m:m+W]`
  /// (`MaskGenerator.generate`), m = `geometry.cropOffset`, for every frame.
  ///
  /// Shapes: padded A×1×T×Hp×Wp → A×1×T×H×W.
  ///
  ///     cropped[a, 0, t, y, x] = padded[a, 0, t, m + y, m + x]
  ///
  /// - Precondition: `padded` has the shape `geometry.paddedShape(masks: A)`.
  /// - Complexity: O(A·T·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func extremalMaskCrop<T: Real & BinaryFloatingPoint & Sendable>(
    _ padded: Tensor<T>, geometry g: ExtremalMaskGeometry
  ) -> Tensor<T> {
    checkMaskShape("extremalMaskCrop", "padded", padded, g.paddedShape(masks:))
    var out = Tensor<T>.zeros(g.croppedShape(masks: padded.shape[0]))
    for (c, p) in cropCorrespondence(g, masks: padded.shape[0]) { out[flat: c] = padded[flat: p] }
    return out
  }

  /// The adjoint of `extremalMaskCrop` (its vector-Jacobian product): the cropped gradient
  /// embedded in zeros at the crop offset.
  ///
  /// Shapes: dCropped A×1×T×H×W → A×1×T×Hp×Wp.
  ///
  ///     out[a, 0, t, m + y, m + x] = dCropped[a, 0, t, y, x], 0 elsewhere
  ///
  /// - Precondition: `dCropped` has the shape `geometry.croppedShape(masks: A)`.
  /// - Complexity: O(A·T·Hp·Wp).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func extremalMaskCropBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dCropped: Tensor<T>, geometry g: ExtremalMaskGeometry
  ) -> Tensor<T> {
    checkMaskShape("extremalMaskCropBackward", "dCropped", dCropped, g.croppedShape(masks:))
    var out = Tensor<T>.zeros(g.paddedShape(masks: dCropped.shape[0]))
    for (c, p) in cropCorrespondence(g, masks: dCropped.shape[0]) { out[flat: p] = dCropped[flat: c] }
    return out
  }

  /// Flat indices (cropped, padded) of every pixel of the frame, in row-major order:
  /// (a, 0, t, y, x) and (a, 0, t, m + y, m + x).
  private static func cropCorrespondence(_ g: ExtremalMaskGeometry, masks: Int) -> [(Int, Int)] {
    let m = g.cropOffset
    var pairs: [(Int, Int)] = []
    for f in 0..<(masks * g.frames) {
      for y in 0..<g.height {
        for x in 0..<g.width {
          pairs.append((((f * g.height) + y) * g.width + x, ((f * g.paddedHeight) + m + y) * g.paddedWidth + m + x))
        }
      }
    }
    return pairs
  }

  /// Precondition: `x` is A×… with the shape `shape(A)` for its own A ≥ 1.
  static func checkMaskShape<T>(_ function: String, _ name: String, _ x: Tensor<T>, _ shape: (Int) -> [Int]) {
    precondition(
      x.rank == 5 && x.shape[0] >= 1 && x.shape == shape(x.shape[0]),
      "\(function): \(name) \(Shape.describe(x.shape)) must be \(Shape.describe(shape(max(x.shape.first ?? 1, 1))))"
        + " (A masks, A ≥ 1)")
  }
}
