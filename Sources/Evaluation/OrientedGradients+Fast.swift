import Kernels
import RealModule

extension Fast {
  /// Equals `Literal.orientedGradients` on the same values converted to Double: the same
  /// gradients, magnitudes and orientations in Double (so every pixel lands in the same bin),
  /// with one pass over the pixels (the bin found by division, then corrected against the
  /// literal bounds 180k/B ≤ θ < 180(k+1)/B) instead of one pass per bin; sums in Double.
  /// - Complexity: O(H·W + blocks·b²·B).
  public static func orientedGradients(
    _ image: ArraySlice<Float>, height: Int, width: Int, settings: OrientedGradientSettings = .init()
  ) -> [Double] {
    precondition(image.count == height * width, "HOG of \(image.count) values as \(height)×\(width)")
    precondition(
      height >= settings.minimumSide && width >= settings.minimumSide,
      "HOG needs frames of at least \(settings.minimumSide)×\(settings.minimumSide), got \(height)×\(width)")
    let (bins, cs, bs) = (settings.orientations, settings.cell, settings.block)
    let (cellRows, cellColumns) = (settings.cells(height), settings.cells(width))
    let base = image.startIndex
    let bounds = (0...bins).map { 180 / Double(bins) * Double($0) }
    var histogram = [Double](repeating: 0, count: cellRows * cellColumns * bins)
    // The cells cover rows and columns 0 ..< cells·cs (even cs; an odd cs leaves each cell's last row
    // out, as the literal loops do).
    for r in 0..<cellRows {
      for c in 0..<cellColumns {
        for dy in -(cs / 2)..<(cs / 2) {
          let i = cs / 2 + r * cs + dy
          guard i >= 0, i < height else { continue }
          for dx in -(cs / 2)..<(cs / 2) {
            let j = cs / 2 + c * cs + dx
            guard j >= 0, j < width else { continue }
            let gr =
              (i == 0 || i == height - 1)
              ? 0 : Double(image[base + (i + 1) * width + j]) - Double(image[base + (i - 1) * width + j])
            let gc =
              (j == 0 || j == width - 1)
              ? 0 : Double(image[base + i * width + j + 1]) - Double(image[base + i * width + j - 1])
            let o = Literal.pythonModulo(Double.atan2(y: gr, x: gc) * (180 / Double.pi), 180)
            var k = min(bins - 1, max(0, Int(o / bounds[1])))
            if o < bounds[k] { k -= 1 } else if o >= bounds[k + 1] { k += 1 }
            guard k >= 0, k < bins else { continue }  // θ rounded up to 180: in no bin
            histogram[(r * cellColumns + c) * bins + k] += Double.hypot(gr, gc)
          }
        }
      }
    }
    var descriptor: [Double] = []
    descriptor.reserveCapacity(settings.descriptorLength(height: height, width: width))
    let eps2 = settings.epsilon * settings.epsilon
    var block = [Double](repeating: 0, count: bs * bs * bins)
    for br in 0..<settings.blocks(height) {
      for bc in 0..<settings.blocks(width) {
        var m = 0
        var squares = 0.0
        for r in br..<(br + bs) {
          for c in bc..<(bc + bs) {
            for k in 0..<bins {
              let v = histogram[(r * cellColumns + c) * bins + k]
              block[m] = v
              squares += v * v
              m += 1
            }
          }
        }
        var norm = (squares + eps2).squareRoot()
        squares = 0
        for m in block.indices {
          block[m] = min(block[m] / norm, settings.clip)
          squares += block[m] * block[m]
        }
        norm = (squares + eps2).squareRoot()
        for v in block { descriptor.append(v / norm) }
      }
    }
    return descriptor
  }

  /// Equals `Literal.orientedGradientSimilarity` on the same values: the frames' descriptors
  /// by `Fast.orientedGradients`, one frame per thread, then Pearson's correlation in Double.
  /// - Complexity: O(T·H·W).
  public static func orientedGradientSimilarity(
    _ a: [Float], _ b: [Float], frames: Int, height: Int, width: Int, settings: OrientedGradientSettings = .init()
  ) -> Double {
    precondition(a.count == frames * height * width && b.count == a.count, "HOG of \(a.count) and \(b.count) values")
    let plane = height * width
    let length = settings.descriptorLength(height: height, width: width)
    var da = [Double](repeating: 0, count: frames * length)
    var db = da
    da.withUnsafeMutableBufferPointer { pa in
      db.withUnsafeMutableBufferPointer { pb in
        let (pa, pb) = (UncheckedSendable(pa), UncheckedSendable(pb))
        parallelFor(frames) { t in
          let fa = orientedGradients(
            a[(t * plane)..<((t + 1) * plane)], height: height, width: width, settings: settings)
          let fb = orientedGradients(
            b[(t * plane)..<((t + 1) * plane)], height: height, width: width, settings: settings)
          for m in 0..<length {
            pa.value[t * length + m] = fa[m]
            pb.value[t * length + m] = fb[m]
          }
        }
      }
    }
    return Literal.pearsonCorrelation(da, db)
  }
}
