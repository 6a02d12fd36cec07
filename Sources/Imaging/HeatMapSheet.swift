import TensorCore

/// A contact sheet of clips with heat maps laid over their frames: one row per clip, one
/// column per frame (the pictures `vidattr attribute --picture` and the study write).
public struct HeatMapSheet: Sendable {
  public var sheet: ContactSheet
  public var colorMap: ColorMap
  public var opacity: Double

  public init(sheet: ContactSheet = ContactSheet(), colorMap: ColorMap = .heat, opacity: Double = 0.6) {
    self.sheet = sheet
    self.colorMap = colorMap
    self.opacity = opacity
  }

  /// - Parameters:
  ///   - clips: N×3×T×H×W, normalised with `normalization` (mapped back to pixels to draw).
  ///   - heat: N×1×T×H×W in [0, 1] (the post-processed maps).
  ///   - boxes: optional N×T×4 evidence boxes (NaN where absent), drawn as outlines.
  /// - Throws: `ImagingError.invalidContactSheet` naming the shapes that do not fit.
  public func render(
    clips: Tensor<Float>, normalization: ChannelNormalization, heat: Tensor<Float>, boxes: Tensor<Float>? = nil
  ) throws -> RGBImage {
    guard clips.rank == 5, clips.shape[1] == 3 else {
      throw ImagingError.invalidContactSheet("clips must be N×3×T×H×W, got \(Shape.describe(clips.shape))")
    }
    let (n, t, h, w) = (clips.shape[0], clips.shape[2], clips.shape[3], clips.shape[4])
    guard heat.shape == [n, 1, t, h, w] else {
      throw ImagingError.invalidContactSheet(
        "heat maps have shape \(Shape.describe(heat.shape)); expected \(Shape.describe([n, 1, t, h, w]))")
    }
    if let boxes, boxes.shape != [n, t, 4] {
      throw ImagingError.invalidContactSheet(
        "boxes have shape \(Shape.describe(boxes.shape)); expected \(Shape.describe([n, t, 4]))")
    }
    var rows: [[RGBImage]] = []
    var boxGrid: [[(Double, Double, Double, Double)?]] = []
    for i in 0..<n {
      let clip = normalization.denormalized(clips.slice(i), channelAxis: 0)
      let maps = heat.slice(i)
      rows.append(
        (0..<t).map { f in
          let frameHeat = Tensor(shape: [h, w], scalars: Array(maps.scalars[(f * h * w)..<((f + 1) * h * w)]))
          return RGBImage(clip: clip, frame: f).overlaying(
            heat: frameHeat, colorMap: colorMap, opacity: opacity, weighting: .byValue)
        })
      if let boxes {
        boxGrid.append(
          (0..<t).map { f in
            let k = (i * t + f) * 4
            let b = (0..<4).map { Double(boxes.scalars[k + $0]) }
            return b.contains(where: \.isNaN) ? nil : (b[0], b[1], b[2], b[3])
          })
      }
    }
    return try sheet.render(rows: rows, boxes: boxes == nil ? nil : boxGrid)
  }
}
