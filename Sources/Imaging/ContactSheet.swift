import TensorCore

/// A grid of video frames — one row per example, one column per frame — with evidence boxes
/// drawn on them, so a person can look at clips.
///
/// Layout: each frame is enlarged by the integer `scale` (nearest neighbour) into a cell of
/// (W·scale) × (H·scale) pixels; cells are separated from each other and from the border by
/// `gutter` pixels of `gutterColour`. A sheet of R rows and C columns is therefore
/// (gutter + C·(W·scale + gutter)) × (gutter + R·(H·scale + gutter)) pixels (width × height).
///
/// Boxes are (x0, y0, x1, y1) in frame pixel coordinates, covering the pixels
/// x0 ≤ x < x1, y0 ≤ y < y1 (inclusive–exclusive, as the benchmark's ground truth). The
/// outline is drawn `boxThickness` pixels wide just *outside* the covered pixels (so it hides
/// no evidence), clamped to the cell. A box with a NaN coordinate is absent and not drawn.
public struct ContactSheet: Sendable {
  /// Integer enlargement of every frame (≥ 1).
  public var scale: Int
  /// Pixels between cells and around the border (≥ 0).
  public var gutter: Int
  public var gutterColour: RGB
  public var boxColour: RGB
  /// Outline width in sheet pixels (≥ 1).
  public var boxThickness: Int

  public init(
    scale: Int = 4, gutter: Int = 2, gutterColour: RGB = RGB(24, 24, 24), boxColour: RGB = .boxGreen,
    boxThickness: Int = 1
  ) {
    self.scale = scale
    self.gutter = gutter
    self.gutterColour = gutterColour
    self.boxColour = boxColour
    self.boxThickness = boxThickness
  }

  /// (width, height) in pixels of a sheet of `rows` × `columns` frames of W × H pixels.
  public func size(rows: Int, columns: Int, frameWidth: Int, frameHeight: Int) -> (width: Int, height: Int) {
    (gutter + columns * (frameWidth * scale + gutter), gutter + rows * (frameHeight * scale + gutter))
  }

  /// Draws a sheet from frames already converted to images.
  /// - Parameters:
  ///   - rows: rows[i][j] = frame j of example i; all frames of one size, every row as long.
  ///   - boxes: optional, boxes[i][j] = (x0, y0, x1, y1) for that frame or nil.
  /// - Throws: `ImagingError.invalidContactSheet` if there are no frames, rows differ in length,
  ///   frames differ in size, the box grid does not match, or scale/gutter/thickness are out of range.
  /// - Complexity: O(sheet area).
  public func render(rows: [[RGBImage]], boxes: [[(Double, Double, Double, Double)?]]? = nil) throws -> RGBImage {
    guard scale >= 1, gutter >= 0, boxThickness >= 1 else {
      throw ImagingError.invalidContactSheet(
        "scale must be ≥ 1, gutter ≥ 0 and box thickness ≥ 1 (got \(scale), \(gutter), \(boxThickness))")
    }
    guard let first = rows.first?.first else { throw ImagingError.invalidContactSheet("no frames to draw") }
    let columns = rows[0].count
    let (fw, fh) = (first.width, first.height)
    for (i, row) in rows.enumerated() {
      guard row.count == columns else {
        throw ImagingError.invalidContactSheet("row \(i) has \(row.count) frames, row 0 has \(columns)")
      }
      for frame in row where frame.width != fw || frame.height != fh {
        throw ImagingError.invalidContactSheet(
          "row \(i) holds a \(frame.width)×\(frame.height) frame; the first is \(fw)×\(fh)")
      }
    }
    if let boxes {
      guard boxes.count == rows.count, boxes.allSatisfy({ $0.count == columns }) else {
        throw ImagingError.invalidContactSheet("the box grid does not match the \(rows.count)×\(columns) frames")
      }
    }
    let (w, h) = size(rows: rows.count, columns: columns, frameWidth: fw, frameHeight: fh)
    var sheet = RGBImage(width: w, height: h, fill: gutterColour)
    for (i, row) in rows.enumerated() {
      for (j, frame) in row.enumerated() {
        let cx = gutter + j * (fw * scale + gutter)
        let cy = gutter + i * (fh * scale + gutter)
        var cell = frame.upscaled(by: scale)
        if let box = boxes?[i][j] { drawBox(box, on: &cell) }
        sheet.draw(cell, atX: cx, y: cy)
      }
    }
    return sheet
  }

  /// Draws a sheet from a batch of clips N×3×T×H×W (or N×1×T×H×W).
  /// - Parameters:
  ///   - clips: the batch; pixel values in [0, 1], or normalised if `normalization` is given
  ///     (then each value is mapped back by `denormalize` before drawing).
  ///   - boxes: optional N×T×4 boxes (x0, y0, x1, y1), NaN where absent.
  ///   - examples: which clips to draw, in row order (default: all).
  ///   - frames: which frames to draw, in column order (default: all).
  /// - Throws: `ImagingError.invalidContactSheet` naming the offending shape or index.
  /// - Complexity: O(sheet area).
  public func render(
    clips: Tensor<Float>, normalization: ChannelNormalization? = nil, boxes: Tensor<Float>? = nil,
    examples: [Int]? = nil, frames: [Int]? = nil
  ) throws -> RGBImage {
    guard clips.rank == 5, clips.shape[1] == 3 || clips.shape[1] == 1 else {
      throw ImagingError.invalidContactSheet(
        "clips must be N×C×T×H×W with C = 1 or 3, got \(Shape.describe(clips.shape))")
    }
    let (n, t) = (clips.shape[0], clips.shape[2])
    if let normalization, normalization.channels != clips.shape[1] {
      throw ImagingError.invalidContactSheet(
        "normalisation has \(normalization.channels) channels, clips have \(clips.shape[1])")
    }
    if let boxes, boxes.shape != [n, t, 4] {
      throw ImagingError.invalidContactSheet(
        "boxes have shape \(Shape.describe(boxes.shape)); expected \(Shape.describe([n, t, 4]))")
    }
    let rowsToDraw = examples ?? Array(0..<n)
    let framesToDraw = frames ?? Array(0..<t)
    if let bad = rowsToDraw.first(where: { $0 < 0 || $0 >= n }) {
      throw ImagingError.invalidContactSheet("example \(bad) outside a batch of \(n)")
    }
    if let bad = framesToDraw.first(where: { $0 < 0 || $0 >= t }) {
      throw ImagingError.invalidContactSheet("frame \(bad) outside clips of \(t) frames")
    }
    var images: [[RGBImage]] = []
    var boxGrid: [[(Double, Double, Double, Double)?]] = []
    for i in rowsToDraw {
      var clip = clips.slice(i)
      if let normalization { clip = normalization.denormalized(clip, channelAxis: 0) }
      images.append(framesToDraw.map { RGBImage(clip: clip, frame: $0) })
      if let boxes {
        boxGrid.append(
          framesToDraw.map { f in
            let k = (i * t + f) * 4
            let b = (0..<4).map { Double(boxes.scalars[k + $0]) }
            return b.contains(where: \.isNaN) ? nil : (b[0], b[1], b[2], b[3])
          })
      }
    }
    return try render(rows: images, boxes: boxes == nil ? nil : boxGrid)
  }

  private func drawBox(_ box: (Double, Double, Double, Double), on cell: inout RGBImage) {
    let s = Double(scale)
    guard [box.0, box.1, box.2, box.3].allSatisfy(\.isFinite) else { return }
    let t = boxThickness
    // Clamp to just beyond the cell first so that absurd coordinates cannot overflow Int.
    func px(_ v: Double, _ limit: Int) -> Double { min(max(v * s, -1), Double(limit + 1)) }
    let x0 = max(Int(px(box.0, cell.width).rounded(.down)) - t, 0)
    let y0 = max(Int(px(box.1, cell.height).rounded(.down)) - t, 0)
    let x1 = min(Int(px(box.2, cell.width).rounded(.up)) + t, cell.width)
    let y1 = min(Int(px(box.3, cell.height).rounded(.up)) + t, cell.height)
    cell.strokeRectangle(x0: x0, y0: y0, x1: x1, y1: y1, colour: boxColour, thickness: t)
  }
}
