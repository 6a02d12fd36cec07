import TensorCore

extension Fast {
  /// Equals `Literal.slicSmoothed` (the same grouped sum in Float; taps computed in Double and
  /// rounded once), on C planes of T×H×W values (channel-first) in place of the literal's
  /// channels-last stack.
  ///
  /// Along t and h the lines are rows of a plane (H·W or W values apart), summed 16 columns
  /// at a time (`SIMD16<Float>`) with the reflected row indices; along w each row is copied
  /// into a buffer with K reflected values on either side and 16 outputs are summed at a
  /// time. Planes (t), frames (h) and rows (w) are split across threads.
  ///
  /// - Complexity: O(T·H·W·C·Σ_axes(K + 1)).
  package static func slicSmoothed(_ planes: [Float], extents: (c: Int, t: Int, h: Int, w: Int), sigma: [Double])
    -> [Float]
  {
    var x = planes
    let (c, t, h, w) = extents
    for axis in 0..<3 where sigma[axis] > 1e-15 {
      let taps = (Literal.scipyGaussianTaps(sigma: sigma[axis]) as [Double]).map { Float($0) }
      var out = [Float](repeating: 0, count: x.count)
      x.withUnsafeBufferPointer { xb in
        out.withUnsafeMutableBufferPointer { ob in
          let (xp, op) = (UncheckedSendable(xb.baseAddress!), UncheckedSendable(ob.baseAddress!))
          switch axis {
          case 0:
            forEachPlaneRange(planes: c, workPerPlane: t * h * w * taps.count) { range in
              for p in range {
                Self.reflectAlongRows(
                  xp.value + p * t * h * w, op.value + p * t * h * w, rows: t, stride: h * w, columns: 0..<(h * w),
                  taps: taps)
              }
            }
          case 1:
            forEachPlaneRange(planes: c * t, workPerPlane: h * w * taps.count) { range in
              for p in range {
                Self.reflectAlongRows(
                  xp.value + p * h * w, op.value + p * h * w, rows: h, stride: w, columns: 0..<w, taps: taps)
              }
            }
          default:
            forEachPlaneRange(planes: c * t * h, workPerPlane: w * taps.count) { range in
              let radius = taps.count / 2
              var buffer = [Float](repeating: 0, count: w + 2 * radius + 16)
              for p in range {
                Self.reflectWithinRow(xp.value + p * w, op.value + p * w, width: w, taps: taps, buffer: &buffer)
              }
            }
          }
        }
      }
      x = out
    }
    return x
  }

  /// out[r, j] = w_0·x[r, j] + Σ_{i=K…1} w_i·(x[ρ(r−i), j] + x[ρ(r+i), j]) for r < rows and
  /// j in `columns`, rows `stride` apart, ρ = `Literal.reflectIndex`.
  private static func reflectAlongRows(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, stride: Int, columns: Range<Int>,
    taps: [Float]
  ) {
    let radius = taps.count / 2
    for r in 0..<rows {
      let centre = x + r * stride
      var j = columns.lowerBound
      while j + 16 <= columns.upperBound {
        var sum = taps[radius] * UnsafeRawPointer(centre + j).loadUnaligned(as: SIMD16<Float>.self)
        for i in Swift.stride(from: radius, through: 1, by: -1) {
          let below = x + Literal.reflectIndex(r - i, length: rows) * stride + j
          let above = x + Literal.reflectIndex(r + i, length: rows) * stride + j
          let pair =
            UnsafeRawPointer(below).loadUnaligned(as: SIMD16<Float>.self)
            + UnsafeRawPointer(above).loadUnaligned(as: SIMD16<Float>.self)
          sum = sum + taps[radius + i] * pair
        }
        UnsafeMutableRawPointer(out + r * stride + j).storeBytes(of: sum, as: SIMD16<Float>.self)
        j += 16
      }
      while j < columns.upperBound {
        var sum = taps[radius] * centre[j]
        for i in Swift.stride(from: radius, through: 1, by: -1) {
          let pair =
            x[Literal.reflectIndex(r - i, length: rows) * stride + j]
            + x[Literal.reflectIndex(r + i, length: rows) * stride + j]
          sum = sum + taps[radius + i] * pair
        }
        out[r * stride + j] = sum
        j += 1
      }
    }
  }

  /// The same sum along one row of `width` values, from a copy with K reflected values on
  /// either side (`buffer` holds ≥ width + 2K + 16 values).
  private static func reflectWithinRow(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, width: Int, taps: [Float], buffer: inout [Float]
  ) {
    let radius = taps.count / 2
    for m in -radius..<(width + radius) { buffer[m + radius] = x[Literal.reflectIndex(m, length: width)] }
    buffer.withUnsafeBufferPointer { bb in
      let row = bb.baseAddress! + radius
      var j = 0
      while j + 16 <= width {
        var sum = taps[radius] * UnsafeRawPointer(row + j).loadUnaligned(as: SIMD16<Float>.self)
        for i in Swift.stride(from: radius, through: 1, by: -1) {
          let pair =
            UnsafeRawPointer(row + j - i).loadUnaligned(as: SIMD16<Float>.self)
            + UnsafeRawPointer(row + j + i).loadUnaligned(as: SIMD16<Float>.self)
          sum = sum + taps[radius + i] * pair
        }
        UnsafeMutableRawPointer(out + j).storeBytes(of: sum, as: SIMD16<Float>.self)
        j += 16
      }
      while j < width {
        var sum = taps[radius] * row[j]
        for i in Swift.stride(from: radius, through: 1, by: -1) {
          sum = sum + taps[radius + i] * (row[j - i] + row[j + i])
        }
        out[j] = sum
        j += 1
      }
    }
  }
}
