import TensorCore

extension Fast {
  /// Equals `Literal.fadePerturbation` bit for bit (one product per element), (mask, channel)
  /// planes split across threads when large.
  ///
  /// - Complexity: O(A·C·T·H·W), memory-bound.
  public static func fadePerturbation(_ x: Tensor<Float>, mask: Tensor<Float>, clips: [Int]? = nil) -> Tensor<Float> {
    let p = PerturbationShape(
      pyramid: x.shape, mask: mask.shape, clips: clips, function: "fadePerturbation", hasLevels: false)
    let (channels, frame) = (p.channels, p.frame)
    let out = uninitializedFloats(p.masks * channels * frame) { op in
      let o = UncheckedSendable(op)
      x.withUnsafeBufferPointer { xb in
        mask.withUnsafeBufferPointer { mb in
          let (xp, m) = (UncheckedSendable(xb.baseAddress!), UncheckedSendable(mb.baseAddress!))
          forEachPlaneRange(planes: p.masks * channels, workPerPlane: frame) { range in
            for plane in range {
              let (a, c) = (plane / channels, plane % channels)
              let (source, maskRow, target) = (
                xp.value + (p.clips[a] * channels + c) * frame, m.value + a * frame, o.value + plane * frame
              )
              for i in 0..<frame { target[i] = maskRow[i] * source[i] }
            }
          }
        }
      }
    }
    return Tensor(shape: p.outputShape, scalars: out)
  }

  /// Equals `Literal.fadePerturbationBackward` bit for bit (channels added in ascending
  /// order), masks split across threads when large.
  ///
  /// - Complexity: O(A·C·T·H·W), memory-bound.
  public static func fadePerturbationBackward(_ dz: Tensor<Float>, x: Tensor<Float>, clips: [Int]? = nil)
    -> Tensor<Float>
  {
    let (p, maskShape) = PerturbationShape.fadeBackward(
      dz: dz.shape, x: x.shape, clips: clips, function: "fadePerturbationBackward")
    let (channels, frame) = (p.channels, p.frame)
    var out = [Float](repeating: 0, count: p.masks * frame)
    out.withUnsafeMutableBufferPointer { ob in
      x.withUnsafeBufferPointer { xb in
        dz.withUnsafeBufferPointer { db in
          let (o, xp, d) = (
            UncheckedSendable(ob.baseAddress!), UncheckedSendable(xb.baseAddress!), UncheckedSendable(db.baseAddress!)
          )
          forEachPlaneRange(planes: p.masks, workPerPlane: frame * channels) { range in
            for a in range {
              let target = o.value + a * frame
              for c in 0..<channels {
                let (source, dzRow) = (
                  xp.value + (p.clips[a] * channels + c) * frame, d.value + (a * channels + c) * frame
                )
                for i in 0..<frame { target[i] += dzRow[i] * source[i] }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: maskShape, scalars: out)
  }
}
