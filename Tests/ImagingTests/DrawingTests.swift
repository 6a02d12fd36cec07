import Testing
import TensorCore

import Imaging

@Suite("Imaging: canvas drawing, colour maps, heat-map overlays, normalisation")
struct DrawingTests {
  @Test("strokeRectangle draws exactly the outer ring of the rectangle, clipped to the canvas")
  func stroke() {
    var image = RGBImage(width: 8, height: 6)
    image.strokeRectangle(x0: 1, y0: 1, x1: 5, y1: 4, colour: .white)
    for y in 0..<6 {
      for x in 0..<8 {
        let inside = x >= 1 && x < 5 && y >= 1 && y < 4
        let border = inside && (x == 1 || x == 4 || y == 1 || y == 3)
        #expect(image[x, y] == (border ? RGB.white : RGB.black), "(\(x), \(y))")
      }
    }
    var clipped = RGBImage(width: 4, height: 4)
    clipped.strokeRectangle(x0: -2, y0: -2, x1: 2, y1: 2, colour: .white, thickness: 1)
    #expect(clipped[1, 0] == .white && clipped[0, 1] == .white && clipped[0, 0] == .black)
    #expect(clipped[1, 1] == .white && clipped[2, 2] == .black)
  }

  @Test("upscaled(by:) repeats each pixel in a factor × factor block; draw(_:atX:y:) clips")
  func upscaleAndDraw() {
    let image = RGBImage(width: 2, height: 1, bytes: [1, 2, 3, 4, 5, 6])
    let big = image.upscaled(by: 3)
    #expect(big.width == 6 && big.height == 3)
    for y in 0..<3 {
      for x in 0..<6 { #expect(big[x, y] == (x < 3 ? RGB(1, 2, 3) : RGB(4, 5, 6))) }
    }
    var canvas = RGBImage(width: 3, height: 2, fill: RGB(9, 9, 9))
    canvas.draw(big, atX: 1, y: -1)
    #expect(canvas[0, 0] == RGB(9, 9, 9) && canvas[1, 0] == RGB(1, 2, 3) && canvas[2, 1] == RGB(1, 2, 3))
  }

  @Test("a clip's frame becomes an image by clamping and rounding each value to 8 bits")
  func clipFrame() {
    // 3 × 2 × 1 × 2: frame 1 holds (r, g, b) = (0.5, −1, 2) and (1/255, NaN, 0.998).
    let clip = Tensor<Float>(shape: [3, 2, 1, 2], scalars: [0, 0, 0.5, 1.0 / 255, 0, 0, -1, .nan, 0, 0, 2, 0.998])
    let frame = RGBImage(clip: clip, frame: 1)
    #expect(frame[0, 0] == RGB(128, 0, 255))
    #expect(frame[1, 0] == RGB(1, 0, 254))
  }

  @Test("colour maps: endpoints, jet's formula, clamping and NaN, and heat's monotone luminance")
  func colourMaps() {
    #expect(ColorMap.gray(0) == .black && ColorMap.gray(1) == .white && ColorMap.gray(0.5) == RGB(128, 128, 128))
    for k in 0...200 {
      let v = Double(k) / 200
      func clamp(_ x: Double) -> Double { min(max(x, 0), 1) }
      let (r, g, b) = ColorMap.jet.components(v)
      #expect(abs(r - clamp(1.5 - abs(4 * v - 3))) < 1e-12)
      #expect(abs(g - clamp(1.5 - abs(4 * v - 2))) < 1e-12)
      #expect(abs(b - clamp(1.5 - abs(4 * v - 1))) < 1e-12)
    }
    #expect(ColorMap.heat(-3) == ColorMap.heat(0) && ColorMap.heat(.nan) == ColorMap.heat(0))
    #expect(ColorMap.heat(7) == ColorMap.heat(1))
    var previous = -1.0
    for k in 0...1000 {
      let (r, g, b) = ColorMap.heat.components(Double(k) / 1000)
      let luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
      #expect(luminance > previous, "heat luminance not increasing at \(Double(k) / 1000)")
      previous = luminance
    }
  }

  @Test("overlaying a heat map: opacity 0 keeps the frame, 1 gives the map, ½ the rounded mean")
  func overlay() {
    let frame = RGBImage(width: 2, height: 1, bytes: [201, 99, 1, 0, 0, 0])
    let heat = Tensor<Float>(shape: [1, 2], scalars: [1, 0])
    #expect(frame.overlaying(heat: heat, colorMap: .gray, opacity: 0) == frame)
    #expect(frame.overlaying(heat: heat, colorMap: .gray, opacity: 1) == RGBImage(heat: heat, colorMap: .gray))
    let half = frame.overlaying(heat: heat, colorMap: .gray, opacity: 0.5)
    // (201 + 255)/2, (99 + 255)/2, (1 + 255)/2: exact means, no rounding tie.
    #expect(half[0, 0] == RGB(228, 177, 128) && half[1, 0] == .black)
    // Weighted by value: the cold pixel (v = 0) keeps the frame.
    let weighted = frame.overlaying(heat: heat, colorMap: .heat, opacity: 1, weighting: .byValue)
    #expect(weighted[1, 0] == frame[1, 0] && weighted[0, 0] == ColorMap.heat(1))
  }

  @Test("Kinetics normalisation: (x − μ)/σ per channel, inverse by denormalize, black is −μ/σ")
  func normalisation() {
    let n = ChannelNormalization.kinetics
    #expect(n.mean == [0.43216, 0.394666, 0.37645] && n.std == [0.22803, 0.22145, 0.216989])
    #expect(n.black(channel: 1) == -0.394666 / 0.22145)
    // N × C × T × H × W = 1 × 3 × 1 × 1 × 2.
    let x = Tensor<Float>(shape: [1, 3, 1, 1, 2], scalars: [0, 1, 0.5, 0.25, 1, 0])
    let y = n.normalized(x, channelAxis: 1)
    for c in 0..<3 {
      for k in 0..<2 {
        let v = Double(x.scalars[2 * c + k])
        #expect(y.scalars[2 * c + k] == Float((v - n.mean[c]) / n.std[c]))
      }
    }
    let back = n.denormalized(y, channelAxis: 1)
    for i in 0..<6 { #expect(abs(back.scalars[i] - x.scalars[i]) < 1e-6) }
  }
}
