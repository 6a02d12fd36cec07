import TensorCore

extension RGBImage {
  /// Frame `t` of a clip C×T×H×W of pixel values in [0, 1] (C = 3: RGB; C = 1: gray), each
  /// value clamped and rounded to 8 bits (`RGB.quantise`).
  /// - Precondition: rank 4, C ∈ {1, 3}, 0 ≤ t < T.
  /// - Complexity: O(H·W).
  public init(clip: Tensor<Float>, frame t: Int) {
    precondition(
      clip.rank == 4 && (clip.shape[0] == 3 || clip.shape[0] == 1),
      "expected a clip C×T×H×W with C = 1 or 3, got \(Shape.describe(clip.shape))")
    let (c, tCount, h, w) = (clip.shape[0], clip.shape[1], clip.shape[2], clip.shape[3])
    precondition(t >= 0 && t < tCount, "frame \(t) outside a clip of \(tCount) frames")
    self.init(width: w, height: h)
    let plane = h * w
    for y in 0..<h {
      for x in 0..<w {
        let p = y * w + x
        var v: (UInt8, UInt8, UInt8)
        if c == 3 {
          v = (
            RGB.quantise(Double(clip.scalars[(0 * tCount + t) * plane + p])),
            RGB.quantise(Double(clip.scalars[(1 * tCount + t) * plane + p])),
            RGB.quantise(Double(clip.scalars[(2 * tCount + t) * plane + p]))
          )
        } else {
          let g = RGB.quantise(Double(clip.scalars[t * plane + p]))
          v = (g, g, g)
        }
        bytes[3 * p] = v.0
        bytes[3 * p + 1] = v.1
        bytes[3 * p + 2] = v.2
      }
    }
  }
}
