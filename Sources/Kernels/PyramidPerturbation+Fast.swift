import TensorCore

extension Fast {
  /// Equals `Literal.pyramidPerturbation` bit for bit (the same operations in the same order
  /// per element: w = m·(L − 1), k = ⌊w⌋, f = w − k, (1 − f)·y_k + f·y_k′), (mask, channel)
  /// planes split across threads when large.
  ///
  /// - Complexity: O(A·C·T·H·W), memory-bound.
  public static func pyramidPerturbation(_ pyramid: Tensor<Float>, mask: Tensor<Float>, clips: [Int]? = nil)
    -> Tensor<Float>
  {
    let p = PerturbationShape(pyramid: pyramid.shape, mask: mask.shape, clips: clips, function: "pyramidPerturbation")
    Literal.checkUnitInterval("pyramidPerturbation", mask)
    let (levels, channels, frame) = (p.levels, p.channels, p.frame)
    let scale = Float(levels - 1)
    let out = uninitializedFloats(p.masks * channels * frame) { op in
      let o = UncheckedSendable(op)
      pyramid.withUnsafeBufferPointer { yb in
        mask.withUnsafeBufferPointer { mb in
          let (y, m) = (UncheckedSendable(yb.baseAddress!), UncheckedSendable(mb.baseAddress!))
          forEachPlaneRange(planes: p.masks * channels, workPerPlane: frame * 4) { range in
            for plane in range {
              let (a, c) = (plane / channels, plane % channels)
              let levelStride = channels * frame
              let base = y.value + (p.clips[a] * levels * channels + c) * frame
              let (maskRow, target) = (m.value + a * frame, o.value + plane * frame)
              for i in 0..<frame {
                let w = maskRow[i] * scale
                let kf = w.rounded(.down)
                let k = Int(kf)
                let f = w - kf
                let k1 = min(k + 1, levels - 1)
                target[i] = (1 - f) * base[k * levelStride + i] + f * base[k1 * levelStride + i]
              }
            }
          }
        }
      }
    }
    return Tensor(shape: p.outputShape, scalars: out)
  }

  /// Equals `Literal.pyramidPerturbationBackward` bit for bit (channels summed in ascending
  /// order, the same operations per term), masks split across threads when large.
  ///
  /// - Complexity: O(A·C·T·H·W), memory-bound.
  public static func pyramidPerturbationBackward(
    _ dz: Tensor<Float>, pyramid: Tensor<Float>, mask: Tensor<Float>, clips: [Int]? = nil
  ) -> Tensor<Float> {
    let p = PerturbationShape(
      pyramid: pyramid.shape, mask: mask.shape, clips: clips, function: "pyramidPerturbationBackward")
    Literal.checkUnitInterval("pyramidPerturbationBackward", mask)
    precondition(
      dz.shape == p.outputShape,
      "pyramidPerturbationBackward: dz \(Shape.describe(dz.shape)) must be \(Shape.describe(p.outputShape))")
    let (levels, channels, frame) = (p.levels, p.channels, p.frame)
    let scale = Float(levels - 1)
    let out = uninitializedFloats(p.masks * frame) { op in
      let o = UncheckedSendable(op)
      pyramid.withUnsafeBufferPointer { yb in
        mask.withUnsafeBufferPointer { mb in
          dz.withUnsafeBufferPointer { db in
            let (y, m, d) = (
              UncheckedSendable(yb.baseAddress!), UncheckedSendable(mb.baseAddress!), UncheckedSendable(db.baseAddress!)
            )
            forEachPlaneRange(planes: p.masks, workPerPlane: frame * channels * 4) { range in
              for a in range {
                let levelStride = channels * frame
                let base = y.value + p.clips[a] * levels * channels * frame
                let (maskRow, target, dzRows) = (
                  m.value + a * frame, o.value + a * frame, d.value + a * channels * frame
                )
                for i in 0..<frame {
                  let w = maskRow[i] * scale
                  let k = Int(w.rounded(.down))
                  let k1 = min(k + 1, levels - 1)
                  var sum: Float = 0
                  for c in 0..<channels {
                    let y0 = base[k * levelStride + c * frame + i]
                    let y1 = base[k1 * levelStride + c * frame + i]
                    sum += dzRows[c * frame + i] * (scale * (y1 - y0))
                  }
                  target[i] = sum
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: mask.shape, scalars: out)
  }
}
