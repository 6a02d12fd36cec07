import Testing
import TensorCore

import Imaging

@Suite("Contact sheets: layout, boxes outside the evidence, clear errors")
struct ContactSheetTests {
  /// N clips of 3 × T × H × W with distinct flat gray frames (value (n·T + t + 1)/32).
  static func clips(n: Int, t: Int, h: Int, w: Int) -> Tensor<Float> {
    Tensor(shape: [n, 3, t, h, w]) { i in
      let frame = (i / (h * w)) % t, clip = i / (3 * t * h * w)
      return Float(clip * t + frame + 1) / 32
    }
  }

  @Test("an R × C sheet is (g + C·(W·s + g)) × (g + R·(H·s + g)) pixels with frames in their cells")
  func layout() throws {
    let sheet = ContactSheet(scale: 3, gutter: 2)
    let image = try sheet.render(clips: Self.clips(n: 2, t: 3, h: 4, w: 5))
    #expect(image.width == 2 + 3 * (15 + 2) && image.height == 2 + 2 * (12 + 2))
    #expect(sheet.size(rows: 2, columns: 3, frameWidth: 5, frameHeight: 4) == (image.width, image.height))
    // Cell (row 1, column 2) starts at (2 + 2·17, 2 + 1·14) and shows clip 1, frame 2.
    let v = RGB.quantise(Double(Float(1 * 3 + 2 + 1) / 32))
    #expect(image[36, 16] == RGB(v, v, v) && image[36 + 14, 16 + 11] == RGB(v, v, v))
    #expect(image[35, 16] == sheet.gutterColour && image[0, 0] == sheet.gutterColour)
  }

  @Test("a box is outlined just outside its pixels, in the box colour; NaN boxes are not drawn")
  func boxes() throws {
    let clips = Self.clips(n: 1, t: 2, h: 8, w: 8)
    // Frame 0: pixels 2 ≤ x < 4, 3 ≤ y < 6. Frame 1: absent.
    let boxes = Tensor<Float>(shape: [1, 2, 4], scalars: [2, 3, 4, 6, .nan, .nan, .nan, .nan])
    let sheet = ContactSheet(scale: 2, gutter: 1)
    let image = try sheet.render(clips: clips, boxes: boxes)
    let plain = try sheet.render(clips: clips)
    // In cell 0 (origin (1, 1)) the covered area is x ∈ [4, 8), y ∈ [6, 12) at scale 2; the
    // outline is the ring x ∈ {3, 8}, y ∈ {5, 12} around it.
    for y in 0..<16 {
      for x in 0..<16 {
        let onRing = (x == 3 || x == 8) && (5...12).contains(y) || (y == 5 || y == 12) && (3...8).contains(x)
        let expected = onRing ? sheet.boxColour : plain[1 + x, 1 + y]
        #expect(image[1 + x, 1 + y] == expected, "(\(x), \(y))")
      }
    }
    // Frame 1 (cell origin (18, 1)) is untouched.
    for y in 0..<16 { for x in 0..<16 { #expect(image[18 + x, 1 + y] == plain[18 + x, 1 + y]) } }
  }

  @Test("normalised clips are denormalised before drawing")
  func normalised() throws {
    let clips = Self.clips(n: 1, t: 1, h: 2, w: 2)
    let n = ChannelNormalization.kinetics
    let a = try ContactSheet(scale: 1, gutter: 0).render(clips: n.normalized(clips, channelAxis: 1), normalization: n)
    let b = try ContactSheet(scale: 1, gutter: 0).render(clips: clips)
    #expect(a == b)
  }

  @Test("bad inputs are errors that name the problem")
  func errors() {
    let clips = Self.clips(n: 2, t: 3, h: 4, w: 4)
    #expect(throws: ImagingError.self) {
      try ContactSheet().render(clips: Tensor<Float>(shape: [2, 3, 4, 4], repeating: 0))
    }
    #expect(throws: ImagingError.invalidContactSheet("boxes have shape [2, 3, 3]; expected [2, 3, 4]")) {
      try ContactSheet().render(clips: clips, boxes: Tensor(shape: [2, 3, 3], repeating: 0))
    }
    #expect(throws: ImagingError.invalidContactSheet("example 2 outside a batch of 2")) {
      try ContactSheet().render(clips: clips, examples: [0, 2])
    }
    #expect(throws: ImagingError.invalidContactSheet("frame 3 outside clips of 3 frames")) {
      try ContactSheet().render(clips: clips, frames: [3])
    }
    #expect(throws: ImagingError.self) { try ContactSheet(scale: 0).render(clips: clips) }
    #expect(throws: ImagingError.invalidContactSheet("no frames to draw")) { try ContactSheet().render(rows: []) }
    #expect(throws: ImagingError.self) {
      try ContactSheet().render(rows: [[RGBImage(width: 2, height: 2)], [RGBImage(width: 3, height: 2)]])
    }
  }
}
