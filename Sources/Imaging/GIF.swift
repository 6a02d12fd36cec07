/// Animated GIF (GIF89a) output: frames of equal size, a fixed 252-colour palette, looping.
///
/// The format (the GIF89a specification, CompuServe 1990): header, logical screen descriptor with
/// a global colour table of 256 entries, the NETSCAPE2.0 application extension (loop forever),
/// then per frame a graphic control extension (delay in hundredths of a second) and an image
/// descriptor followed by the LZW-compressed indices in sub-blocks of at most 255 bytes, and the
/// trailer 0x3B.
///
/// **Palette.** Levels 0, 51, …, 255 of red and blue (6 each) and 0, 42, …, 255 of green (7):
/// 252 colours; every pixel takes the nearest level per channel, so a pixel's error is at most
/// 25.5 in red and blue and 21.25 in green — enough for heat-map overlays, which is what the
/// package draws (`HeatMapSheet`'s colours), and free of per-image palette choices, so an
/// animation encodes the same way on every machine.
///
/// **Checked** by a decoder written from the specification in the tests (ImagingTests/GIFTests),
/// and once against Pillow 12 (`PIL.Image.open` + `ImageSequence`, the peer environment of
/// Reference/setup-peers.sh): four 300×200 frames of noise and stripes read back identically,
/// with their 70 ms delay and infinite loop.
///
/// **LZW.** Minimum code size 8; codes start at 9 bits with the clear code (256) first; the
/// table grows to 4096 codes (12 bits), then a clear code resets it.
public enum GIF {
  /// Levels of the palette's channels.
  static let redLevels = 6, greenLevels = 7, blueLevels = 6

  /// The palette index of the colour nearest to `c`, channel by channel.
  public static func index(of c: RGB) -> UInt8 {
    func level(_ v: UInt8, _ n: Int) -> Int { (Int(v) * (n - 1) + 127) / 255 }
    return UInt8(
      level(c.r, redLevels) * greenLevels * blueLevels + level(c.g, greenLevels) * blueLevels + level(c.b, blueLevels))
  }

  /// The colour of palette entry `i` (entries from 252 on are black).
  public static func colour(_ i: Int) -> RGB {
    guard i < redLevels * greenLevels * blueLevels else { return .black }
    let r = i / (greenLevels * blueLevels), g = (i / blueLevels) % greenLevels, b = i % blueLevels
    func value(_ l: Int, _ n: Int) -> UInt8 { UInt8((l * 255 + (n - 1) / 2) / (n - 1)) }
    return RGB(value(r, redLevels), value(g, greenLevels), value(b, blueLevels))
  }

  /// The bytes of a looping animation of `frames` shown `delay` hundredths of a second each.
  /// - Throws: `ImagingError.unencodableSize` for no frames, frames of different sizes, or a side
  ///   outside 1…65535.
  public static func encode(_ frames: [RGBImage], delay: Int = 10) throws -> [UInt8] {
    guard let first = frames.first else { throw ImagingError.unencodableSize(width: 0, height: 0) }
    let (w, h) = (first.width, first.height)
    guard (1...65535).contains(w), (1...65535).contains(h), frames.allSatisfy({ $0.width == w && $0.height == h })
    else {
      throw ImagingError.unencodableSize(width: w, height: h)
    }
    var out: [UInt8] = Array("GIF89a".utf8)
    func u16(_ v: Int) { out += [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    u16(w)
    u16(h)
    out += [0xF7, 0, 0]  // global table of 2^(7+1) entries, 8 bits per primary; background 0; no aspect
    for i in 0..<256 {
      let c = colour(i)
      out += [c.r, c.g, c.b]
    }
    out += [0x21, 0xFF, 11] + Array("NETSCAPE2.0".utf8) + [3, 1, 0, 0, 0]  // loop forever
    for frame in frames {
      out += [0x21, 0xF9, 4, 0]  // graphic control: no disposal, no transparency
      u16(max(0, min(delay, 65535)))
      out += [0, 0]
      out += [0x2C]
      u16(0)
      u16(0)
      u16(w)
      u16(h)
      out += [0]  // no local table, not interlaced
      var indices = [UInt8](repeating: 0, count: w * h)
      for p in 0..<(w * h) {
        indices[p] = index(of: RGB(frame.bytes[3 * p], frame.bytes[3 * p + 1], frame.bytes[3 * p + 2]))
      }
      out += [8]
      let data = lzw(indices)
      var start = 0
      while start < data.count {
        let n = min(255, data.count - start)
        out.append(UInt8(n))
        out += data[start..<(start + n)]
        start += n
      }
      out += [0]
    }
    out.append(0x3B)
    return out
  }

  /// Encodes and writes `frames` to `path` atomically.
  public static func write(_ frames: [RGBImage], to path: String, delay: Int = 10) throws {
    try writeAtomically(bytes: encode(frames, delay: delay), to: path)
  }

  /// GIF's variable-width LZW of 8-bit indices, codes packed least significant bit first.
  /// - Complexity: O(n) dictionary look-ups.
  static func lzw(_ indices: [UInt8]) -> [UInt8] {
    let clear = 256, end = 257
    var out: [UInt8] = []
    var bitBuffer = 0, bitCount = 0
    var width = 9
    func emit(_ code: Int) {
      bitBuffer |= code << bitCount
      bitCount += width
      while bitCount >= 8 {
        out.append(UInt8(bitBuffer & 0xFF))
        bitBuffer >>= 8
        bitCount -= 8
      }
    }
    var table: [Int: Int] = [:]  // (prefix code << 8 | byte) → code
    var next = 258
    emit(clear)
    var prefix = -1
    for byte in indices {
      let b = Int(byte)
      if prefix < 0 {
        prefix = b
        continue
      }
      let key = prefix << 8 | b
      if let code = table[key] {
        prefix = code
        continue
      }
      emit(prefix)
      if next < 4096 {
        table[key] = next
        next += 1
        // The decoder widens its codes once the table reaches 2^width entries.
        if next > (1 << width) && width < 12 { width += 1 }
      } else {
        emit(clear)
        table.removeAll(keepingCapacity: true)
        next = 258
        width = 9
      }
      prefix = b
    }
    if prefix >= 0 { emit(prefix) }
    emit(end)
    if bitCount > 0 { out.append(UInt8(bitBuffer & 0xFF)) }
    return out
  }
}
