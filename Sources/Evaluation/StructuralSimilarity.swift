/// The settings of the structural similarity index (Wang et al. 2004) as scikit-image's
/// `structural_similarity` uses them by default: a uniform 7×7 window, K₁ = 0.01, K₂ = 0.03,
/// sample covariances (divided by N_P − 1, N_P = 49 pixels), the mean over the windows that
/// lie entirely inside the frame (scikit-image filters the whole image and then crops
/// (7 − 1)/2 pixels from every side, which leaves exactly those windows).
public struct StructuralSimilaritySettings: Sendable, Hashable, Codable {
  /// Side of the square window, odd.
  public var window: Int
  /// The dynamic range L of the values (C₁ = (K₁L)², C₂ = (K₂L)²).
  public var dataRange: Double
  public var k1: Double
  public var k2: Double

  public init(window: Int = 7, dataRange: Double = 1, k1: Double = 0.01, k2: Double = 0.03) {
    self.window = window
    self.dataRange = dataRange
    self.k1 = k1
    self.k2 = k2
  }

  public var c1: Double { (k1 * dataRange) * (k1 * dataRange) }
  public var c2: Double { (k2 * dataRange) * (k2 * dataRange) }
}
