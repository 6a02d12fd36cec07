import TensorCore

/// Per-channel affine normalisation x̂ = (x − μ_c)/σ_c of pixel values in [0, 1], the way video
/// networks are fed (torchvision's `Normalize`).
///
/// `kinetics` holds the Kinetics-400 statistics the papers use (Reference/SOURCES.md): pixels
/// are first scaled to [0, 1], then normalised per RGB channel. "Black" in normalised space is
/// (0 − μ_c)/σ_c per channel, not 0.
public struct ChannelNormalization: Sendable, Equatable {
  /// μ_c, one per channel.
  public let mean: [Double]
  /// σ_c > 0, one per channel.
  public let std: [Double]

  /// Kinetics-400 mean (0.43216, 0.394666, 0.37645) and std (0.22803, 0.22145, 0.216989).
  public static let kinetics = ChannelNormalization(
    mean: [0.43216, 0.394666, 0.37645], std: [0.22803, 0.22145, 0.216989])

  /// - Precondition: as many means as stds, at least one, every std > 0 and finite.
  public init(mean: [Double], std: [Double]) {
    precondition(!mean.isEmpty && mean.count == std.count, "normalisation needs one mean and one std per channel")
    precondition(std.allSatisfy { $0 > 0 && $0.isFinite }, "normalisation stds must be positive, got \(std)")
    self.mean = mean
    self.std = std
  }

  /// Number of channels.
  public var channels: Int { mean.count }

  /// (x − μ_c)/σ_c, evaluated in Double.
  @inlinable
  public func normalize(_ x: Double, channel c: Int) -> Double { (x - mean[c]) / std[c] }

  /// μ_c + σ_c·x̂, evaluated in Double (the inverse of `normalize` up to rounding).
  @inlinable
  public func denormalize(_ x: Double, channel c: Int) -> Double { mean[c] + std[c] * x }

  /// The normalised value of a pixel value 0 ("black") in channel c: −μ_c/σ_c.
  public func black(channel c: Int) -> Double { normalize(0, channel: c) }

  /// The tensor with every element of channel c mapped by `normalize`; `channelAxis` is the
  /// axis holding the channels (1 for N×C×T×H×W, 0 for C×T×H×W). Each element is computed in
  /// Double and rounded once to Float.
  /// - Precondition: `x.shape[channelAxis] == channels`.
  /// - Complexity: O(x.count).
  public func normalized(_ x: Tensor<Float>, channelAxis: Int) -> Tensor<Float> {
    mapChannels(x, channelAxis: channelAxis) { v, c in normalize(v, channel: c) }
  }

  /// The inverse of `normalized` (pixel values, not clamped).
  /// - Complexity: O(x.count).
  public func denormalized(_ x: Tensor<Float>, channelAxis: Int) -> Tensor<Float> {
    mapChannels(x, channelAxis: channelAxis) { v, c in denormalize(v, channel: c) }
  }

  private func mapChannels(
    _ x: Tensor<Float>, channelAxis: Int, _ f: (Double, Int) -> Double
  ) -> Tensor<Float> {
    precondition(
      channelAxis >= 0 && channelAxis < x.rank && x.shape[channelAxis] == channels,
      "tensor of shape \(Shape.describe(x.shape)) has no \(channels)-channel axis at \(channelAxis)")
    let outer = Shape.elementCount(Array(x.shape[..<channelAxis]))
    let inner = Shape.elementCount(Array(x.shape[(channelAxis + 1)...]))
    var out = x.scalars
    for o in 0..<outer {
      for c in 0..<channels {
        let base = (o * channels + c) * inner
        for i in base..<(base + inner) { out[i] = Float(f(Double(out[i]), c)) }
      }
    }
    return Tensor(shape: x.shape, scalars: out)
  }
}
