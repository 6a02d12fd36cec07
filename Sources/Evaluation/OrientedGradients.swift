/// The settings of the histogram of oriented gradients as scikit-image's `feature.hog` uses
/// them by default (Dalal & Triggs 2005 with 3 × 3-cell blocks): 9 unsigned orientation bins
/// of 20°, cells of 8 × 8 pixels, blocks of 3 × 3 cells normalised by L2-Hys (L2, clip at 0.2,
/// L2 again, ε = 10⁻⁵), no power-law compression.
public struct OrientedGradientSettings: Sendable, Hashable, Codable {
  public var orientations: Int
  /// Pixels per cell, along both axes.
  public var cell: Int
  /// Cells per block, along both axes.
  public var block: Int
  /// L2-Hys clipping value.
  public var clip: Double
  /// ε of the block norms √(Σv² + ε²).
  public var epsilon: Double

  public init(orientations: Int = 9, cell: Int = 8, block: Int = 3, clip: Double = 0.2, epsilon: Double = 1e-5) {
    self.orientations = orientations
    self.cell = cell
    self.block = block
    self.clip = clip
    self.epsilon = epsilon
  }

  /// The smallest frame side with one block: block · cell pixels.
  public var minimumSide: Int { block * cell }

  /// Cells along a side of `side` pixels (the last partial cell is dropped).
  public func cells(_ side: Int) -> Int { side / cell }

  /// Blocks along a side of `side` pixels.
  public func blocks(_ side: Int) -> Int { max(0, cells(side) - block + 1) }

  /// Length of one frame's descriptor.
  public func descriptorLength(height: Int, width: Int) -> Int {
    blocks(height) * blocks(width) * block * block * orientations
  }
}
