import Imaging
import TensorCore
import Testing

/// Animated GIF output, read back by a decoder written from the GIF89a specification here.
@Suite("GIF: frames in, the same palette indices out")
struct GIFTests {
  /// A GIF89a decoder for what `GIF.encode` writes: the global table, then image blocks whose LZW
  /// data it decodes (clear code, growing widths up to 12 bits, the end code).
  static func decode(_ bytes: [UInt8]) throws -> (
    width: Int, height: Int, frames: [[UInt8]], delays: [Int], palette: [RGB]
  ) {
    struct Bad: Error {}
    var i = 0
    func u8() throws -> Int {
      guard i < bytes.count else { throw Bad() }
      defer { i += 1 }
      return Int(bytes[i])
    }
    func u16() throws -> Int { try u8() | (try u8() << 8) }
    guard Array(bytes.prefix(6)) == Array("GIF89a".utf8) else { throw Bad() }
    i = 6
    let w = try u16(), h = try u16()
    let flags = try u8()
    _ = try u8()
    _ = try u8()
    var palette: [RGB] = []
    if flags & 0x80 != 0 {
      for _ in 0..<(1 << ((flags & 7) + 1)) { palette.append(RGB(UInt8(try u8()), UInt8(try u8()), UInt8(try u8()))) }
    }
    var frames: [[UInt8]] = [], delays: [Int] = [], delay = 0
    while true {
      let tag = try u8()
      if tag == 0x3B { break }
      if tag == 0x21 {
        let label = try u8()
        var blocks: [[UInt8]] = []
        while true {
          let n = try u8()
          if n == 0 { break }
          blocks.append(Array(bytes[i..<(i + n)]))
          i += n
        }
        if label == 0xF9, let b = blocks.first { delay = Int(b[1]) | Int(b[2]) << 8 }
        continue
      }
      guard tag == 0x2C else { throw Bad() }
      _ = try u16()
      _ = try u16()
      let fw = try u16(), fh = try u16()
      _ = try u8()
      let minimum = try u8()
      var data: [UInt8] = []
      while true {
        let n = try u8()
        if n == 0 { break }
        data += bytes[i..<(i + n)]
        i += n
      }
      // LZW decoding.
      let clear = 1 << minimum, end = clear + 1
      var width = minimum + 1, table: [[UInt8]] = [], previous: [UInt8]? = nil, out: [UInt8] = []
      func reset() {
        table = (0..<clear).map { [UInt8($0)] } + [[], []]
        width = minimum + 1
        previous = nil
      }
      reset()
      var bit = 0
      while bit + width <= data.count * 8 {
        var code = 0
        for k in 0..<width where data[(bit + k) / 8] & (1 << ((bit + k) % 8)) != 0 { code |= 1 << k }
        bit += width
        if code == clear { reset(); continue }
        if code == end { break }
        let entry: [UInt8]
        if code < table.count {
          entry = table[code]
          if let p = previous { table.append(p + [entry[0]]) }
        } else {
          guard let p = previous, code == table.count else { throw Bad() }
          entry = p + [p[0]]
          table.append(entry)
        }
        out += entry
        previous = entry
        if table.count == (1 << width) && width < 12 { width += 1 }
      }
      guard out.count == fw * fh else { throw Bad() }
      frames.append(out)
      delays.append(delay)
    }
    return (w, h, frames, delays, palette)
  }

  /// Frames whose colours cover the palette and long repetitive runs (so the dictionary fills
  /// and is cleared), 37×23 (odd sides).
  static func frames(_ count: Int) -> [RGBImage] {
    (0..<count).map { f in
      var image = RGBImage(width: 37, height: 23)
      for y in 0..<23 {
        for x in 0..<37 {
          let v = (x * 7 + y * 13 + f * 31) % 256
          image.plot(
            x, y,
            y < 8 ? RGB(UInt8(v), UInt8(255 - v), UInt8((v * 3) % 256)) : RGB(UInt8(x % 2 * 255), 0, UInt8(f * 40)))
        }
      }
      return image
    }
  }

  @Test("a decoder following the specification reads back every frame's palette indices and delays")
  func roundTrip() throws {
    let frames = Self.frames(5)
    let bytes = try GIF.encode(frames, delay: 12)
    let d = try Self.decode(bytes)
    #expect(d.width == 37 && d.height == 23 && d.frames.count == 5 && d.delays == [12, 12, 12, 12, 12])
    for (f, frame) in frames.enumerated() {
      let expected = (0..<(37 * 23)).map { p in
        GIF.index(of: RGB(frame.bytes[3 * p], frame.bytes[3 * p + 1], frame.bytes[3 * p + 2]))
      }
      #expect(d.frames[f] == expected, "frame \(f)")
    }
    #expect(d.palette == (0..<256).map(GIF.colour))
  }

  @Test("a frame of 300×300 noise fills the dictionary past 4096 codes and still reads back")
  func dictionaryResets() throws {
    var image = RGBImage(width: 300, height: 300)
    var state: UInt32 = 12345
    for y in 0..<300 {
      for x in 0..<300 {
        state = state &* 1_664_525 &+ 1_013_904_223
        image.plot(x, y, GIF.colour(Int(state >> 24) % 252))
      }
    }
    let d = try Self.decode(try GIF.encode([image]))
    #expect(
      d.frames[0]
        == (0..<90000).map { p in GIF.index(of: RGB(image.bytes[3 * p], image.bytes[3 * p + 1], image.bytes[3 * p + 2]))
        })
  }

  @Test("the palette's nearest colour is within half a level per channel, and palette colours map to themselves")
  func palette() {
    for i in 0..<252 { #expect(GIF.index(of: GIF.colour(i)) == UInt8(i)) }
    for v in stride(from: 0, through: 255, by: 5) {
      let c = GIF.colour(Int(GIF.index(of: RGB(UInt8(v), UInt8(v), UInt8(v)))))
      #expect(abs(Int(c.r) - v) <= 26 && abs(Int(c.g) - v) <= 22 && abs(Int(c.b) - v) <= 26)
    }
  }

  @Test("no frames, or frames of different sizes, are refused")
  func refusals() {
    #expect(throws: ImagingError.self) { try GIF.encode([]) }
    #expect(throws: ImagingError.self) {
      try GIF.encode([RGBImage(width: 2, height: 2), RGBImage(width: 3, height: 2)])
    }
  }
}

extension GIFTests {
  @Test("enlarging repeats every pixel k×k times; an animation of a clip has one enlarged overlay per frame")
  func scaledFrames() throws {
    var image = RGBImage(width: 2, height: 1)
    image.plot(1, 0, RGB(9, 8, 7))
    let big = image.scaled(by: 3)
    #expect(big.width == 6 && big.height == 3 && big[4, 2] == RGB(9, 8, 7) && big[2, 1] == RGB.black)
    let clips = Tensor<Float>(shape: [2, 3, 3, 4, 5], repeating: 0)
    let heat = Tensor<Float>(shape: [2, 1, 3, 4, 5], repeating: 0.5)
    let frames = try HeatMapSheet().frames(clips: clips, normalization: .kinetics, heat: heat, index: 1, scale: 2)
    #expect(frames.count == 3 && frames.allSatisfy { $0.width == 10 && $0.height == 8 })
    #expect(throws: ImagingError.self) {
      try HeatMapSheet().frames(clips: clips, normalization: .kinetics, heat: heat, index: 2)
    }
  }
}
