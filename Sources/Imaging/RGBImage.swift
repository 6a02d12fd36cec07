/// An 8-bit sRGB colour.
public struct RGB: Sendable, Equatable, Hashable, CustomStringConvertible {
  public var r: UInt8
  public var g: UInt8
  public var b: UInt8

  public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) {
    self.r = r
    self.g = g
    self.b = b
  }

  /// The colour nearest to (r, g, b) ∈ [0, 1]³: each channel clamped to [0, 1], scaled by 255
  /// and rounded half away from zero. NaN maps to 0.
  public init(unit r: Double, _ g: Double, _ b: Double) {
    self.init(RGB.quantise(r), RGB.quantise(g), RGB.quantise(b))
  }

  /// x ∈ [0, 1] → round(255·x), clamped; NaN → 0.
  @inlinable
  public static func quantise(_ x: Double) -> UInt8 {
    guard x > 0 else { return 0 }
    guard x < 1 else { return 255 }
    return UInt8((x * 255).rounded(.toNearestOrAwayFromZero))
  }

  public static let black = RGB(0, 0, 0)
  public static let white = RGB(255, 255, 255)
  /// The colour evidence boxes are drawn in on contact sheets: a saturated green that the
  /// benchmark's gray distractors never take.
  public static let boxGreen = RGB(0, 255, 64)

  public var description: String { "RGB(\(r), \(g), \(b))" }
}

/// A width × height canvas of 8-bit RGB pixels, row-major from the top-left corner,
/// interleaved R, G, B (the layout PNG colour type 2 stores).
///
/// Coordinates are pixel indices: x ∈ 0..<width to the right, y ∈ 0..<height downwards.
/// Drawing operations clip to the canvas, so shapes may lie partly or wholly outside it.
public struct RGBImage: Sendable, Equatable {
  public let width: Int
  public let height: Int
  /// 3·width·height bytes: pixel (x, y) occupies bytes 3(y·width + x) ..< 3(y·width + x) + 3.
  public var bytes: [UInt8]

  /// A canvas filled with one colour.
  /// - Precondition: width ≥ 0, height ≥ 0.
  public init(width: Int, height: Int, fill: RGB = .black) {
    precondition(width >= 0 && height >= 0, "RGBImage needs non-negative extents, got \(width)×\(height)")
    self.width = width
    self.height = height
    var b = [UInt8](repeating: 0, count: 3 * width * height)
    if fill != .black {
      for i in 0..<(width * height) {
        b[3 * i] = fill.r
        b[3 * i + 1] = fill.g
        b[3 * i + 2] = fill.b
      }
    }
    self.bytes = b
  }

  /// A canvas from interleaved RGB bytes.
  /// - Precondition: `bytes.count == 3·width·height`.
  public init(width: Int, height: Int, bytes: [UInt8]) {
    precondition(width >= 0 && height >= 0, "RGBImage needs non-negative extents, got \(width)×\(height)")
    precondition(
      bytes.count == 3 * width * height,
      "RGBImage \(width)×\(height) needs \(3 * width * height) bytes, got \(bytes.count)")
    self.width = width
    self.height = height
    self.bytes = bytes
  }

  /// The pixel at (x, y).
  /// - Precondition: 0 ≤ x < width, 0 ≤ y < height.
  public subscript(x: Int, y: Int) -> RGB {
    get {
      precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
      let i = 3 * (y * width + x)
      return RGB(bytes[i], bytes[i + 1], bytes[i + 2])
    }
    set {
      precondition(x >= 0 && x < width && y >= 0 && y < height, "pixel (\(x), \(y)) outside \(width)×\(height)")
      let i = 3 * (y * width + x)
      bytes[i] = newValue.r
      bytes[i + 1] = newValue.g
      bytes[i + 2] = newValue.b
    }
  }

  /// Sets (x, y) if it lies on the canvas; does nothing otherwise.
  @inlinable
  public mutating func plot(_ x: Int, _ y: Int, _ colour: RGB) {
    guard x >= 0 && x < width && y >= 0 && y < height else { return }
    let i = 3 * (y * width + x)
    bytes[i] = colour.r
    bytes[i + 1] = colour.g
    bytes[i + 2] = colour.b
  }

  /// Fills the pixels x ∈ [x0, x1), y ∈ [y0, y1) (clipped to the canvas).
  /// - Complexity: O(area).
  public mutating func fillRectangle(x0: Int, y0: Int, x1: Int, y1: Int, colour: RGB) {
    let xa = max(x0, 0), xb = min(x1, width)
    let ya = max(y0, 0), yb = min(y1, height)
    guard xa < xb && ya < yb else { return }
    for y in ya..<yb {
      for x in xa..<xb { plot(x, y, colour) }
    }
  }

  /// Draws the outline of the pixel rectangle x ∈ [x0, x1), y ∈ [y0, y1): its outermost
  /// `thickness` rings of pixels (clipped to the canvas). An empty rectangle draws nothing.
  /// - Complexity: O(perimeter · thickness).
  public mutating func strokeRectangle(x0: Int, y0: Int, x1: Int, y1: Int, colour: RGB, thickness: Int = 1) {
    guard x0 < x1 && y0 < y1 && thickness > 0 else { return }
    let t = thickness
    fillRectangle(x0: x0, y0: y0, x1: x1, y1: min(y0 + t, y1), colour: colour)  // top
    fillRectangle(x0: x0, y0: max(y1 - t, y0), x1: x1, y1: y1, colour: colour)  // bottom
    fillRectangle(x0: x0, y0: y0, x1: min(x0 + t, x1), y1: y1, colour: colour)  // left
    fillRectangle(x0: max(x1 - t, x0), y0: y0, x1: x1, y1: y1, colour: colour)  // right
  }

  /// Copies `image` onto this canvas with its top-left corner at (x, y), clipped.
  /// - Complexity: O(image area).
  public mutating func draw(_ image: RGBImage, atX x: Int, y: Int) {
    let xa = max(x, 0), xb = min(x + image.width, width)
    let ya = max(y, 0), yb = min(y + image.height, height)
    guard xa < xb && ya < yb else { return }
    for yy in ya..<yb {
      let src = 3 * ((yy - y) * image.width + (xa - x))
      let dst = 3 * (yy * width + xa)
      let n = 3 * (xb - xa)
      for k in 0..<n { bytes[dst + k] = image.bytes[src + k] }
    }
  }

  /// The image enlarged by an integer factor, each pixel becoming a factor × factor block
  /// (nearest neighbour, so no colour is invented).
  /// - Precondition: factor ≥ 1.
  /// - Complexity: O(width · height · factor²).
  public func upscaled(by factor: Int) -> RGBImage {
    precondition(factor >= 1, "upscale factor must be ≥ 1, got \(factor)")
    if factor == 1 { return self }
    var out = RGBImage(width: width * factor, height: height * factor)
    for y in 0..<(height * factor) {
      let sy = y / factor
      for x in 0..<(width * factor) {
        let s = 3 * (sy * width + x / factor)
        let d = 3 * (y * out.width + x)
        out.bytes[d] = bytes[s]
        out.bytes[d + 1] = bytes[s + 1]
        out.bytes[d + 2] = bytes[s + 2]
      }
    }
    return out
  }
}
