import Kernels
import RealModule

extension Literal {
  /// The histogram-of-oriented-gradients descriptor of one H × W image (row-major), as
  /// scikit-image's `feature.hog` computes it (Dalal & Triggs 2005):
  ///
  /// 1. gradients by central differences without the ½, zero on the border rows/columns:
  ///    g_r(i, j) = x(i+1, j) − x(i−1, j), g_c(i, j) = x(i, j+1) − x(i, j−1);
  /// 2. magnitude hypot(g_r, g_c), unsigned orientation θ = (atan2(g_r, g_c)·180/π) mod 180
  ///    in [0, 180) (Python's floating-point modulo);
  /// 3. cell (r, c) of c_s × c_s pixels, orientation bin k: the sum of the magnitudes of the
  ///    cell's pixels with 180k/B ≤ θ < 180(k+1)/B (B bins; scikit-image's `cell_hog` visits rows
  ///    y − ⌊c_s/2⌋ ..< y + ⌊c_s/2⌋ around the centre y = ⌊c_s/2⌋ + r·c_s, which is the whole cell
  ///    for the even default 8);
  /// 4. every block of b × b cells (stride one cell) normalised by L2-Hys:
  ///    v ← v/√(Σv² + ε²), v ← min(v, clip), v ← v/√(Σv² + ε²);
  /// 5. concatenated in the order (block row, block column, cell row, cell column, bin).
  ///
  /// The loops are scikit-image's: per bin, per cell, per pixel, with the bin's two
  /// comparisons. (scikit-image sums a cell in C `float`; this sums in T: see
  /// Reference/evaluation_reliability/README.md for the size of that difference.)
  /// - Precondition: image.count == height·width; height, width ≥ block·cell.
  /// - Complexity: O(B·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func orientedGradients<T: Real & BinaryFloatingPoint & Sendable>(
    _ image: [T], height: Int, width: Int, settings: OrientedGradientSettings = .init()
  ) -> [T] {
    precondition(image.count == height * width, "HOG of \(image.count) values as \(height)×\(width)")
    precondition(
      height >= settings.minimumSide && width >= settings.minimumSide,
      "HOG needs frames of at least \(settings.minimumSide)×\(settings.minimumSide), got \(height)×\(width)")
    let (bins, cs, bs) = (settings.orientations, settings.cell, settings.block)
    var magnitude = [T](repeating: 0, count: height * width)
    var orientation = [T](repeating: 0, count: height * width)
    for i in 0..<height {
      for j in 0..<width {
        let gr: T = (i == 0 || i == height - 1) ? 0 : image[(i + 1) * width + j] - image[(i - 1) * width + j]
        let gc: T = (j == 0 || j == width - 1) ? 0 : image[i * width + j + 1] - image[i * width + j - 1]
        magnitude[i * width + j] = T.hypot(gr, gc)
        orientation[i * width + j] = pythonModulo(T.atan2(y: gr, x: gc) * (180 / T.pi), 180)
      }
    }
    let (cellRows, cellColumns) = (settings.cells(height), settings.cells(width))
    var histogram = [T](repeating: 0, count: cellRows * cellColumns * bins)
    for k in 0..<bins {
      let upper = T(180) / T(bins) * T(k + 1)
      let lower = T(180) / T(bins) * T(k)
      for r in 0..<cellRows {
        for c in 0..<cellColumns {
          let (y, x) = (cs / 2 + r * cs, cs / 2 + c * cs)
          var total: T = 0
          for dy in -(cs / 2)..<(cs / 2) {
            for dx in -(cs / 2)..<(cs / 2) {
              let (i, j) = (y + dy, x + dx)
              guard i >= 0, i < height, j >= 0, j < width else { continue }
              let o = orientation[i * width + j]
              if o >= upper || o < lower { continue }
              total += magnitude[i * width + j]
            }
          }
          histogram[(r * cellColumns + c) * bins + k] = total
        }
      }
    }
    let eps = T(settings.epsilon)
    var descriptor: [T] = []
    descriptor.reserveCapacity(settings.descriptorLength(height: height, width: width))
    for br in 0..<settings.blocks(height) {
      for bc in 0..<settings.blocks(width) {
        var block: [T] = []
        for r in br..<(br + bs) {
          for c in bc..<(bc + bs) {
            for k in 0..<bins { block.append(histogram[(r * cellColumns + c) * bins + k]) }
          }
        }
        var norm = (block.reduce(0) { $0 + $1 * $1 } + eps * eps).squareRoot()
        block = block.map { min($0 / norm, T(settings.clip)) }
        norm = (block.reduce(0) { $0 + $1 * $1 } + eps * eps).squareRoot()
        descriptor += block.map { $0 / norm }
      }
    }
    return descriptor
  }

  /// x mod m with the sign of m, as Python's `%` on floats (`float_rem`: fmod, then + m when
  /// the signs differ, which can round up to m itself).
  static func pythonModulo<T: BinaryFloatingPoint>(_ x: T, _ m: T) -> T {
    var r = x.truncatingRemainder(dividingBy: m)
    if r != 0 && (r < 0) != (m < 0) { r += m }
    return r
  }

  /// HOG similarity of two videos of `frames` H × W frames: Pearson's correlation of their
  /// descriptors, each the concatenation of its frames' `orientedGradients` (Adebayo et al.
  /// 2018 compare the HOG features of two maps by Pearson's correlation; a video's descriptor
  /// is its frames' side by side). NaN when a descriptor is constant (e.g. an all-zero map).
  /// - Complexity: O(T·B·H·W).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func orientedGradientSimilarity<T: Real & BinaryFloatingPoint & Sendable>(
    _ a: [T], _ b: [T], frames: Int, height: Int, width: Int, settings: OrientedGradientSettings = .init()
  ) -> T {
    precondition(a.count == frames * height * width && b.count == a.count, "HOG of \(a.count) and \(b.count) values")
    var da: [T] = []
    var db: [T] = []
    let plane = height * width
    for t in 0..<frames {
      da += orientedGradients(
        Array(a[(t * plane)..<((t + 1) * plane)]), height: height, width: width, settings: settings)
      db += orientedGradients(
        Array(b[(t * plane)..<((t + 1) * plane)]), height: height, width: width, settings: settings)
    }
    return pearsonCorrelation(da, db)
  }
}
