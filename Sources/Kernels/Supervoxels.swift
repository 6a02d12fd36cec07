import TensorCore

/// A partition of a clip's T×H×W voxels into labelled supervoxels: what `Literal.slic` and
/// `Fast.slic` return, and what a segment-based metric or method takes.
///
/// `labels[(t·H + h)·W + w]` is the label of voxel (t, h, w); labels lie in
/// `startLabel ..< startLabel + count` and the largest one occurs. After SLIC's connectivity
/// enforcement (the default) every label in that range occurs and each labels one 6-connected
/// region (Proofs/supervoxels.md, P-SLIC-1 and P-SLIC-2); without it a label whose seed lost
/// every voxel is absent and a label may cover several regions.
public struct Supervoxels: Sendable, Hashable, Codable {
  /// T, H, W.
  public let frames: Int, height: Int, width: Int
  /// T·H·W labels in row-major (t, h, w) order.
  public let labels: [Int32]
  /// The first label (0 or 1 from SLIC).
  public let startLabel: Int
  /// The size of the label range: the largest label is `startLabel + count − 1`.
  public let count: Int

  /// A label map of T×H×W voxels; `count` is its largest label − `startLabel` + 1.
  /// - Throws: `SLICError.labelMap` when an extent is < 1, `labels` does not hold T·H·W
  ///   values, or a label is below `startLabel`.
  /// - Complexity: O(T·H·W).
  public init(frames: Int, height: Int, width: Int, labels: [Int32], startLabel: Int = 1) throws(SLICError) {
    guard frames >= 1, height >= 1, width >= 1 else {
      throw .labelMap(reason: "extents \(frames)×\(height)×\(width) must be ≥ 1")
    }
    guard labels.count == frames * height * width else {
      throw .labelMap(reason: "\(labels.count) labels for \(frames)×\(height)×\(width) voxels")
    }
    var largest = Int(labels[0])
    for l in labels {
      guard Int(l) >= startLabel else { throw .labelMap(reason: "label \(l) is below the first label \(startLabel)") }
      largest = max(largest, Int(l))
    }
    self.init(
      frames: frames, height: height, width: width, labels: labels, startLabel: startLabel,
      count: largest - startLabel + 1)
  }

  /// Assembles a result the caller has checked (SLIC's own labels).
  package init(frames: Int, height: Int, width: Int, labels: [Int32], startLabel: Int, count: Int) {
    self.frames = frames
    self.height = height
    self.width = width
    self.labels = labels
    self.startLabel = startLabel
    self.count = count
  }

  /// [T, H, W].
  public var shape: [Int] { [frames, height, width] }

  /// The label of voxel (t, h, w).
  public subscript(t: Int, h: Int, w: Int) -> Int32 { labels[(t * height + h) * width + w] }

  /// The number of voxels of each label, index label − `startLabel` (`count` entries; 0 for
  /// a label that does not occur).
  /// - Complexity: O(T·H·W + count).
  public var sizes: [Int] {
    var n = [Int](repeating: 0, count: count)
    for l in labels { n[Int(l) - startLabel] += 1 }
    return n
  }
}
