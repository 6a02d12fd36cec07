import TensorCore

extension Fast {
  /// Equals `Literal.extremalMaskCrop` bit for bit (a copy): one row copy of W values per
  /// (mask, frame, row), frames split across threads when large.
  ///
  /// - Complexity: O(A·T·H·W), memory-bound.
  public static func extremalMaskCrop(_ padded: Tensor<Float>, geometry g: ExtremalMaskGeometry) -> Tensor<Float> {
    Literal.checkMaskShape("extremalMaskCrop", "padded", padded, g.paddedShape(masks:))
    let masks = padded.shape[0]
    let out = uninitializedFloats(masks * g.frames * g.height * g.width) { op in
      padded.withUnsafeBufferPointer { pb in
        copyCropRows(g, frames: masks * g.frames, zeroPadded: false) { cropped, padded, count in
          (op + cropped).update(from: pb.baseAddress! + padded, count: count)
        }
      }
    }
    return Tensor(shape: g.croppedShape(masks: masks), scalars: out)
  }

  /// Equals `Literal.extremalMaskCropBackward` bit for bit (zeros, and a copy of each row at
  /// the crop offset), frames split across threads when large.
  ///
  /// - Complexity: O(A·T·Hp·Wp), memory-bound.
  public static func extremalMaskCropBackward(_ dCropped: Tensor<Float>, geometry g: ExtremalMaskGeometry)
    -> Tensor<Float>
  {
    Literal.checkMaskShape("extremalMaskCropBackward", "dCropped", dCropped, g.croppedShape(masks:))
    let masks = dCropped.shape[0]
    let out = uninitializedFloats(masks * g.frames * g.paddedHeight * g.paddedWidth) { op in
      dCropped.withUnsafeBufferPointer { db in
        copyCropRows(g, frames: masks * g.frames, zeroPadded: true, paddedBase: op) { cropped, padded, count in
          (op + padded).update(from: db.baseAddress! + cropped, count: count)
        }
      }
    }
    return Tensor(shape: g.paddedShape(masks: masks), scalars: out)
  }

  /// Calls `copy(croppedOffset, paddedOffset, W)` for every row of every frame (frames split
  /// across threads when large); with `zeroPadded`, first zeroes each padded frame at
  /// `paddedBase`.
  private static func copyCropRows(
    _ g: ExtremalMaskGeometry, frames: Int, zeroPadded: Bool, paddedBase: UnsafeMutablePointer<Float>? = nil,
    _ copy: (Int, Int, Int) -> Void
  ) {
    let (m, h, w, hp, wp) = (g.cropOffset, g.height, g.width, g.paddedHeight, g.paddedWidth)
    let base = paddedBase.map(UncheckedSendable.init)
    withoutActuallyEscaping(copy) { copy in
      let body = UncheckedSendable(copy)
      forEachPlaneRange(planes: frames, workPerPlane: zeroPadded ? hp * wp : h * w) { range in
        for f in range {
          if zeroPadded, let base { (base.value + f * hp * wp).update(repeating: 0, count: hp * wp) }
          for y in 0..<h { body.value((f * h + y) * w, (f * hp + m + y) * wp + m, w) }
        }
      }
    }
  }
}
