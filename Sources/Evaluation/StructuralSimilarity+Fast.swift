import Kernels

extension Fast {
  /// Equals `Literal.structuralSimilarity` on the same values converted to Double.
  ///
  /// The five window statistics come from separable box sums (s values along each row, then
  /// s of those along each column), in Double, one frame per thread;
  /// the variances as (Σx² − (Σx)²/N_P)/(N_P − 1). Every window sum adds at most 2s terms,
  /// so its rounding error is that of a 2s-term sum, independent of the frame size.
  /// - Complexity: O(T·H·W·s) (five separable box filters), against O(T·H·W·s²) for the literal loops.
  public static func structuralSimilarity(
    _ a: [Float], _ b: [Float], frames: Int, height: Int, width: Int, settings: StructuralSimilaritySettings = .init()
  ) -> Double {
    let s = settings.window
    precondition(a.count == frames * height * width && b.count == a.count, "SSIM of \(a.count) and \(b.count) values")
    precondition(s % 2 == 1 && s <= height && s <= width, "SSIM window \(s) on \(height)×\(width) frames")
    let (rows, columns) = (height - s + 1, width - s + 1)
    let np = Double(s * s)
    let (c1, c2) = (settings.c1, settings.c2)
    var frameMeans = [Double](repeating: 0, count: frames)
    frameMeans.withUnsafeMutableBufferPointer { out in
      let out = UncheckedSendable(out)
      parallelFor(frames) { t in
        let plane = height * width
        let x = a[(t * plane)..<((t + 1) * plane)].map(Double.init)
        let y = b[(t * plane)..<((t + 1) * plane)].map(Double.init)
        let sx = boxSums(x, height: height, width: width, window: s)
        let sy = boxSums(y, height: height, width: width, window: s)
        let sxx = boxSums(zip(x, x).map(*), height: height, width: width, window: s)
        let syy = boxSums(zip(y, y).map(*), height: height, width: width, window: s)
        let sxy = boxSums(zip(x, y).map(*), height: height, width: width, window: s)
        var sum = 0.0
        for k in 0..<(rows * columns) {
          let (mx, my) = (sx[k] / np, sy[k] / np)
          let vx = (sxx[k] - sx[k] * mx) / (np - 1)
          let vy = (syy[k] - sy[k] * my) / (np - 1)
          let cxy = (sxy[k] - sx[k] * my) / (np - 1)
          sum += (2 * mx * my + c1) * (2 * cxy + c2) / ((mx * mx + my * my + c1) * (vx + vy + c2))
        }
        out.value[t] = sum / Double(rows * columns)
      }
    }
    return frameMeans.reduce(0, +) / Double(frames)
  }

  /// Sums of every s × s window lying inside an H × W plane, (H − s + 1) × (W − s + 1),
  /// row-major: s-term sums along rows, then s-term sums of those along columns (each window
  /// sum is a sum of 2s roundings, whatever the plane's size).
  static func boxSums(_ v: [Double], height: Int, width: Int, window s: Int) -> [Double] {
    let (rows, columns) = (height - s + 1, width - s + 1)
    var horizontal = [Double](repeating: 0, count: height * columns)
    for i in 0..<height {
      for j in 0..<columns {
        var run = 0.0
        for k in 0..<s { run += v[i * width + j + k] }
        horizontal[i * columns + j] = run
      }
    }
    var out = [Double](repeating: 0, count: rows * columns)
    for i in 0..<rows {
      for j in 0..<columns {
        var run = 0.0
        for k in 0..<s { run += horizontal[(i + k) * columns + j] }
        out[i * columns + j] = run
      }
    }
    return out
  }
}
