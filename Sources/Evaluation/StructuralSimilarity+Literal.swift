import Kernels
import RealModule

extension Literal {
  /// The mean structural similarity of two videos of `frames` frames of height × width
  /// (row-major T×H×W): for every frame and every window W of s × s pixels inside it,
  ///
  ///   SSIM(W) = (2μₐμ_b + C₁)(2σ_ab + C₂) / ((μₐ² + μ_b² + C₁)(σₐ² + σ_b² + C₂)),
  ///
  /// μ the window's means, σ² and σ_ab its sample variances and covariance (Σ/(N_P − 1),
  /// N_P = s²); the result is the mean over the windows of a frame, averaged over the frames
  /// (every frame has the same number of windows, so this is also the mean over all windows
  /// of the video). Wang, Bovik, Sheikh & Simoncelli 2004, eq. 13, with the uniform window of
  /// scikit-image's `structural_similarity` (its defaults: `StructuralSimilaritySettings`).
  ///
  /// The video version is the one-frame index applied frame by frame: attribution maps of a
  /// clip are compared as the images they are shown as.
  /// - Precondition: a.count == b.count == frames·height·width; window odd, ≤ height, ≤ width.
  /// - Complexity: O(T·H·W·s²).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func structuralSimilarity<T: Real & BinaryFloatingPoint & Sendable>(
    _ a: [T], _ b: [T], frames: Int, height: Int, width: Int, settings: StructuralSimilaritySettings = .init()
  ) -> T {
    let s = settings.window
    precondition(a.count == frames * height * width && b.count == a.count, "SSIM of \(a.count) and \(b.count) values")
    precondition(s % 2 == 1 && s <= height && s <= width, "SSIM window \(s) on \(height)×\(width) frames")
    let np = T(s * s)
    let c1 = T(settings.c1), c2 = T(settings.c2)
    var total: T = 0
    for t in 0..<frames {
      var frameTotal: T = 0
      for top in 0...(height - s) {
        for left in 0...(width - s) {
          var meanA: T = 0
          var meanB: T = 0
          for i in top..<(top + s) {
            for j in left..<(left + s) {
              meanA += a[(t * height + i) * width + j]
              meanB += b[(t * height + i) * width + j]
            }
          }
          meanA /= np
          meanB /= np
          var varA: T = 0
          var varB: T = 0
          var cov: T = 0
          for i in top..<(top + s) {
            for j in left..<(left + s) {
              let da = a[(t * height + i) * width + j] - meanA
              let db = b[(t * height + i) * width + j] - meanB
              varA += da * da
              varB += db * db
              cov += da * db
            }
          }
          varA /= np - 1
          varB /= np - 1
          cov /= np - 1
          let numerator = (2 * meanA * meanB + c1) * (2 * cov + c2)
          let denominator = (meanA * meanA + meanB * meanB + c1) * (varA + varB + c2)
          frameTotal += numerator / denominator
        }
      }
      total += frameTotal / T((height - s + 1) * (width - s + 1))
    }
    return total / T(frames)
  }
}
