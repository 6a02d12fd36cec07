import PropertyBased
import Imaging
import SyntheticVideo
import TensorCore
import _TestSupport

/// FNV-1a over the bytes of every value, for "same bytes" comparisons (NaN boxes included).
func fingerprint(_ clip: Synthetic.Clip) -> UInt64 {
  var h = Hasher64()
  h.add(clip.pixels.scalars.map(\.bitPattern))
  h.add(clip.boxes.scalars.map(\.bitPattern))
  h.add(clip.evidence.scalars.map(UInt32.init))
  h.add(clip.keyFrames.scalars.map(UInt32.init))
  h.add([UInt32(clip.label)])
  return h.value
}

func fingerprint(_ batch: Synthetic.Batch) -> UInt64 {
  var h = Hasher64()
  h.add(batch.input.scalars.map(\.bitPattern))
  h.add(batch.boxes.scalars.map(\.bitPattern))
  h.add(batch.evidence.scalars.map(UInt32.init))
  h.add(batch.keyFrames.scalars.map(UInt32.init))
  h.add(batch.labels.map(UInt32.init))
  return h.value
}

struct Hasher64 {
  var value: UInt64 = 0xCBF2_9CE4_8422_2325
  mutating func add(_ words: [UInt32]) {
    for w in words {
      for k in 0..<4 {
        value ^= UInt64((w >> (8 * UInt32(k))) & 0xFF)
        value = value &* 0x0000_0100_0000_01B3
      }
    }
  }
}

/// The motion classes: the actor is visible in every frame.
let motionClasses: [Synthetic.ActionClass] = [
  .translateRight, .translateLeft, .translateUp, .translateDown, .rotateClockwise, .rotateAnticlockwise,
  .grow, .shrink,
]

/// Centroid (x, y) of frame t's evidence mask in pixel-centre coordinates, and its area.
func maskMoments(_ clip: Synthetic.Clip, frame t: Int) -> (x: Double, y: Double, area: Int) {
  let size = clip.evidence.shape[1]
  var sx = 0.0, sy = 0.0, n = 0
  for y in 0..<size {
    for x in 0..<size where clip.evidence.scalars[(t * size + y) * size + x] != 0 {
      sx += Double(x) + 0.5
      sy += Double(y) + 0.5
      n += 1
    }
  }
  return (n > 0 ? sx / Double(n) : .nan, n > 0 ? sy / Double(n) : .nan, n)
}
