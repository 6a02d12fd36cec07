import TensorCore

extension RGBImage {
  /// The image with every pixel repeated k×k times (nearest-neighbour enlargement).
  /// - Precondition: k ≥ 1.
  /// - Complexity: O(width·height·k²).
  public func scaled(by k: Int) -> RGBImage {
    precondition(k >= 1, "scale \(k) must be ≥ 1")
    if k == 1 { return self }
    var out = RGBImage(width: width * k, height: height * k)
    for y in 0..<(height * k) {
      for x in 0..<(width * k) { out.plot(x, y, self[x / k, y / k]) }
    }
    return out
  }
}

extension HeatMapSheet {
  /// Clip `index`'s frames with its map laid over them, each enlarged `scale` times: the frames
  /// of an animation (`GIF.encode`).
  /// - Parameters: as `render`.
  /// - Throws: `ImagingError.invalidContactSheet` naming the shapes that do not fit.
  public func frames(
    clips: Tensor<Float>, normalization: ChannelNormalization, heat: Tensor<Float>, index: Int, scale: Int = 4
  ) throws -> [RGBImage] {
    guard clips.rank == 5, clips.shape[1] == 3, index >= 0, index < clips.shape[0] else {
      throw ImagingError.invalidContactSheet(
        "clips must be N×3×T×H×W with clip \(index), got \(Shape.describe(clips.shape))")
    }
    let (n, t, h, w) = (clips.shape[0], clips.shape[2], clips.shape[3], clips.shape[4])
    guard heat.shape == [n, 1, t, h, w] else {
      throw ImagingError.invalidContactSheet(
        "heat maps have shape \(Shape.describe(heat.shape)); expected \(Shape.describe([n, 1, t, h, w]))")
    }
    let clip = normalization.denormalized(clips.slice(index), channelAxis: 0)
    let maps = heat.slice(index)
    return (0..<t).map { f in
      let frameHeat = Tensor(shape: [h, w], scalars: Array(maps.scalars[(f * h * w)..<((f + 1) * h * w)]))
      return RGBImage(clip: clip, frame: f).overlaying(
        heat: frameHeat, colorMap: colorMap, opacity: opacity, weighting: .byValue
      )
      .scaled(by: scale)
    }
  }
}
