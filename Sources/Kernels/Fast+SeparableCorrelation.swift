/// The two 1-D correlation passes (zero padding, output the size of the input) behind the
/// fast Gaussian blurs, on row-major Float planes. Taps are 2K + 1 values, tap index i + K
/// for offset i = −K…K.
enum FastSeparableCorrelation {
  /// Along the row index, vectorised across columns: for r < height and j in `columns`,
  ///
  ///     out[r·stride + j] (+)= Σ_{i=−K…K, 0 ≤ r+i < height} taps[i+K]·x[(r+i)·stride + j]
  ///
  /// Offsets that fall outside the plane are skipped (zero padding without padded copies);
  /// 16 columns per `SIMD16<Float>` with two accumulators (even and odd taps) for
  /// instruction-level parallelism, the last columns scalar. Used along H of a frame and
  /// along T of a clip (stride = H·W).
  static func alongRows(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, height: Int, stride: Int, columns: Range<Int>,
    taps: UnsafePointer<Float>, radius: Int, accumulate: Bool
  ) {
    for r in 0..<height {
      let lo = max(-radius, -r), hi = min(radius, height - 1 - r)
      let outRow = out + r * stride
      var j = columns.lowerBound
      while j + 16 <= columns.upperBound {
        var even = SIMD16<Float>(repeating: 0), odd = SIMD16<Float>(repeating: 0)
        var i = lo
        while i + 1 <= hi {
          let a = UnsafeRawPointer(x + (r + i) * stride + j).loadUnaligned(as: SIMD16<Float>.self)
          let b = UnsafeRawPointer(x + (r + i + 1) * stride + j).loadUnaligned(as: SIMD16<Float>.self)
          even += taps[i + radius] * a
          odd += taps[i + 1 + radius] * b
          i += 2
        }
        if i <= hi {
          even += taps[i + radius] * UnsafeRawPointer(x + (r + i) * stride + j).loadUnaligned(as: SIMD16<Float>.self)
        }
        var sum = even + odd
        if accumulate { sum += UnsafeRawPointer(outRow + j).loadUnaligned(as: SIMD16<Float>.self) }
        UnsafeMutableRawPointer(outRow + j).storeBytes(of: sum, as: SIMD16<Float>.self)
        j += 16
      }
      while j < columns.upperBound {
        var sum: Float = 0
        for i in lo...hi { sum += taps[i + radius] * x[(r + i) * stride + j] }
        outRow[j] = accumulate ? outRow[j] + sum : sum
        j += 1
      }
    }
  }

  /// Along the column index within each row, vectorised across output columns: for r < rows
  /// and w < width,
  ///
  ///     out[r·width + w] (+)= Σ_{i=−K…K, 0 ≤ w+i < width} taps[i+K]·x[r·width + w + i]
  ///
  /// Each row is copied into `buffer` (capacity width + 32) between 16 zeros on either side,
  /// so 16 consecutive outputs read 16 consecutive buffer elements per tap; taps whose
  /// window misses the row entirely are skipped, and those that overlap it partly read the
  /// zeros.
  static func withinRows(
    _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, width: Int,
    taps: UnsafePointer<Float>, radius: Int, buffer: UnsafeMutablePointer<Float>, accumulate: Bool
  ) {
    buffer.update(repeating: 0, count: width + 32)
    let row = buffer + 16
    for r in 0..<rows {
      row.update(from: x + r * width, count: width)
      let outRow = out + r * width
      var w0 = 0
      while w0 < width {
        let lo = max(-radius, -w0 - 15), hi = min(radius, width - 1 - w0)
        var even = SIMD16<Float>(repeating: 0), odd = SIMD16<Float>(repeating: 0)
        var i = lo
        while i + 1 <= hi {
          even += taps[i + radius] * UnsafeRawPointer(row + w0 + i).loadUnaligned(as: SIMD16<Float>.self)
          odd += taps[i + 1 + radius] * UnsafeRawPointer(row + w0 + i + 1).loadUnaligned(as: SIMD16<Float>.self)
          i += 2
        }
        if i <= hi {
          even += taps[i + radius] * UnsafeRawPointer(row + w0 + i).loadUnaligned(as: SIMD16<Float>.self)
        }
        var sum = even + odd
        if w0 + 16 <= width {
          if accumulate { sum += UnsafeRawPointer(outRow + w0).loadUnaligned(as: SIMD16<Float>.self) }
          UnsafeMutableRawPointer(outRow + w0).storeBytes(of: sum, as: SIMD16<Float>.self)
        } else {
          for lane in 0..<(width - w0) {
            outRow[w0 + lane] = accumulate ? outRow[w0 + lane] + sum[lane] : sum[lane]
          }
        }
        w0 += 16
      }
    }
  }
}
