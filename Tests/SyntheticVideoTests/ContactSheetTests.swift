import Foundation
import Imaging
import Testing
import TensorCore

import SyntheticVideo

@Suite("Synthetic contact sheets")
struct SyntheticContactSheetTests {
  @Test("a sheet of one clip per class has rows × frames cells of the scaled frame size")
  func sheetDimensions() throws {
    let generator = try Synthetic.Generator(Synthetic.Configuration())
    let batch = try generator.batch(split: .validation, count: 11)
    let sheet = ContactSheet(scale: 3, gutter: 1)
    let image = try batch.contactSheet(sheet)
    // 1 + 16·(32·3 + 1) wide, 1 + 11·(32·3 + 1) high.
    #expect(image.width == 1 + 16 * 97)
    #expect(image.height == 1 + 11 * 97)
    let png = try PNG.encode(image)
    // IHDR width and height, big endian, at bytes 16…23.
    let w = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
    let h = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
    #expect(w == image.width && h == image.height)
  }

  /// Writes sheets for a person to look at when VIDATTR_SHEET_DIR names a directory:
  /// one clip per class (rows in label order), at 32×32 and 112×112, several seeds.
  @Test("sheets for viewing are written only when VIDATTR_SHEET_DIR is set")
  func writeSheetsForViewing() throws {
    guard let dir = ProcessInfo.processInfo.environment["VIDATTR_SHEET_DIR"] else { return }
    for (size, scale) in [(32, 4), (112, 1), (16, 6), (64, 2)] {
      for seed: UInt64 in [0, 1] {
        let generator = try Synthetic.Generator(Synthetic.Configuration(size: size, seed: seed))
        let batch = try generator.batch(split: .train, count: 11)
        let image = try batch.contactSheet(ContactSheet(scale: scale, gutter: 2))
        try PNG.write(image, to: "\(dir)/synthetic-\(size)-seed\(seed).png")
        let plain = try Synthetic.Generator(
          Synthetic.Configuration(size: size, distractors: .none, seed: seed)
        ).batch(split: .train, count: 11)
        try PNG.write(
          try plain.contactSheet(ContactSheet(scale: scale, gutter: 2)),
          to: "\(dir)/synthetic-\(size)-seed\(seed)-plain.png")
      }
    }
  }
}
