import Imaging
import TensorCore

extension Synthetic {
  /// One generated clip with its ground truth.
  public struct Clip: Sendable {
    /// The class's position in `Configuration.classes`.
    public var label: Int
    public var actionClass: ActionClass
    /// 3 × T × H × W RGB pixel values in [0, 1], not normalised.
    public var pixels: Tensor<Float>
    /// T × 4: per frame the tight bounding box (x0, y0, x1, y1) of the evidence mask, in pixel
    /// coordinates, inclusive–exclusive (the mask's pixels satisfy x0 ≤ x < x1, y0 ≤ y < y1);
    /// all four NaN in frames where the mask is empty.
    public var boxes: Tensor<Float>
    /// T × H × W, 1 on the evidence's pixels — those of the actor (order classes: the
    /// markers) covering more than half of the pixel's area (> 8 of 16 sub-samples) — else 0.
    public var evidence: Tensor<UInt8>
    /// T: 1 in the frames that carry evidence — in which the actor (or a marker) is drawn —
    /// else 0: all frames for the motion classes, the flash frames, the frames showing a
    /// marker. Wherever the mask is non-empty the frame is a key frame; the converse holds at
    /// sizes ≥ 24, while below that the smallest frames of grow/shrink can draw an actor so
    /// thin that no pixel is more than half covered (a key frame with an empty mask).
    public var keyFrames: Tensor<UInt8>

    /// The pixels normalised with the Kinetics mean and std: 3 × T × H × W.
    public var input: Tensor<Float> { Synthetic.normalization.normalized(pixels, channelAxis: 0) }
  }

  /// Clips stacked along a new first axis, ready for a network.
  public struct Batch: Sendable {
    public var split: Split
    /// Index of the first clip in its split.
    public var startIndex: Int
    /// N × 3 × T × H × W, Kinetics-normalised (pixels in [0, 1] first).
    public var input: Tensor<Float>
    /// N labels (positions in `Configuration.classes`).
    public var labels: [Int]
    /// N × T × 4 boxes (x0, y0, x1, y1), inclusive–exclusive, NaN where the evidence is absent.
    public var boxes: Tensor<Float>
    /// N × T × H × W evidence masks (0/1).
    public var evidence: Tensor<UInt8>
    /// N × T key-frame masks (0/1).
    public var keyFrames: Tensor<UInt8>

    /// Number of clips.
    public var count: Int { labels.count }

    /// A contact sheet of the batch: one row per chosen example, one column per chosen frame,
    /// with the evidence boxes drawn (see `ContactSheet`).
    /// - Throws: `ImagingError.invalidContactSheet` for an example or frame out of range.
    public func contactSheet(
      _ sheet: ContactSheet = ContactSheet(), examples: [Int]? = nil, frames: [Int]? = nil
    ) throws -> RGBImage {
      try sheet.render(
        clips: input, normalization: Synthetic.normalization, boxes: boxes, examples: examples, frames: frames)
    }
  }

  /// Generates clips of a configuration. Clip `index` of a split is a pure function of
  /// (configuration, split, index): its random streams are
  /// `SeededRNG(seed: configuration.seed).split(split.name).split(UInt64(index))` and children
  /// of that for the evidence, the distractors and the noise. Its class is
  /// `configuration.classes[index % K]`, so any K consecutive clips hold every class once.
  public struct Generator: Sendable {
    public let configuration: Configuration

    /// - Throws: `ConfigurationError` if the configuration does not validate.
    public init(_ configuration: Configuration) throws {
      try configuration.validate()
      self.configuration = configuration
    }

    /// The label of clip `index` (its position in `configuration.classes`).
    public func label(index: Int) -> Int { index % configuration.classes.count }

    /// The random stream of clip `index` of `split`.
    package func stream(index: Int, split: Split) -> SeededRNG {
      precondition(index >= 0, "clip index must be ≥ 0, got \(index)")
      return SeededRNG(seed: configuration.seed).split(split.name).split(UInt64(index))
    }

    /// The evidence of clip `index` (what `clip(index:split:)` draws on top of its distractors).
    package func scene(index: Int, split: Split) -> Scene {
      var rng = stream(index: index, split: split).split("evidence")
      let c = configuration.classes[label(index: index)]
      return Scene.sample(c, frames: configuration.frames, size: configuration.size, using: &rng)
    }

    /// The distractors of clip `index`.
    package func backdrop(index: Int, split: Split) -> Backdrop {
      var rng = stream(index: index, split: split).split("distractors")
      return Backdrop.sample(
        configuration.distractors, frames: configuration.frames, size: configuration.size, using: &rng)
    }

    /// Clip `index` (≥ 0) of `split`.
    /// - Complexity: O(T·H·W) plus the actor's area · 16 per frame.
    public func clip(index: Int, split: Split) -> Clip {
      let t = configuration.frames, size = configuration.size
      let plane = size * size
      let scene = scene(index: index, split: split)
      let backdrop = backdrop(index: index, split: split)
      var noise = stream(index: index, split: split).split("noise")

      var planes = [Double](repeating: 0, count: 3 * t * plane)  // C × T × H × W
      var mask = [UInt8](repeating: 0, count: t * plane)  // T × H × W
      let channelStride = t * plane
      for f in 0..<t {
        backdrop.paint(frame: f, size: size, into: &planes, offset: f * plane, planeStride: channelStride)
        for sprite in scene.sprites[f] {
          let colour = [sprite.colour.r, sprite.colour.g, sprite.colour.b]
          for (p, samples) in sprite.coverage(size: size) {
            let a = Double(samples) / Double(Sprite.samplesPerPixel)
            for c in 0..<3 {
              let q = c * channelStride + f * plane + p
              planes[q] += a * (colour[c] - planes[q])
            }
            if 2 * samples > Sprite.samplesPerPixel { mask[f * plane + p] = 1 }
          }
        }
      }

      // Per-pixel noise: triangular, σ·√6·(u₁ + u₂ − 1) with u's from 16-bit slices of one
      // 64-bit draw (two values per draw); then clamp to [0, 1].
      var pixels = [Float](repeating: 0, count: planes.count)
      let sigma = backdrop.noise
      let scale = sigma * 6.0.squareRoot()
      var i = 0
      while i < planes.count {
        var bits: UInt64 = 0
        if sigma > 0 { bits = noise.next() }
        for k in 0..<2 where i + k < planes.count {
          var v = planes[i + k]
          if sigma > 0 {
            let u1 = (Double((bits >> (32 * UInt64(k))) & 0xFFFF) + 0.5) / 65536
            let u2 = (Double((bits >> (32 * UInt64(k) + 16)) & 0xFFFF) + 0.5) / 65536
            v += scale * (u1 + u2 - 1)
          }
          pixels[i + k] = Float(min(max(v, 0), 1))
        }
        i += 2
      }

      var boxes = [Float](repeating: .nan, count: 4 * t)
      var keyFrames = [UInt8](repeating: 0, count: t)
      for f in 0..<t {
        var x0 = size, y0 = size, x1 = -1, y1 = -1
        for y in 0..<size {
          for x in 0..<size where mask[f * plane + y * size + x] != 0 {
            x0 = min(x0, x)
            x1 = max(x1, x)
            y0 = min(y0, y)
            y1 = max(y1, y)
          }
        }
        if x1 >= 0 {
          boxes[4 * f] = Float(x0)
          boxes[4 * f + 1] = Float(y0)
          boxes[4 * f + 2] = Float(x1 + 1)
          boxes[4 * f + 3] = Float(y1 + 1)
        }
        if !scene.sprites[f].isEmpty { keyFrames[f] = 1 }
      }
      return Clip(
        label: label(index: index), actionClass: scene.actionClass,
        pixels: Tensor(shape: [3, t, size, size], scalars: pixels),
        boxes: Tensor(shape: [t, 4], scalars: boxes),
        evidence: Tensor(shape: [t, size, size], scalars: mask),
        keyFrames: Tensor(shape: [t], scalars: keyFrames))
    }

    /// Clips startIndex ..< startIndex + count of `split`, stacked and normalised.
    /// - Throws: `ConfigurationError.invalidVideoCount` for count < 1, `.invalidStartIndex`
    ///   for a negative start, `.batchTooLarge` if the batch cannot be addressed.
    /// - Complexity: count × the cost of `clip(index:split:)`.
    public func batch(split: Split, count: Int, startIndex: Int = 0) throws -> Batch {
      guard count >= 1 else { throw ConfigurationError.invalidVideoCount(count) }
      guard startIndex >= 0 else { throw ConfigurationError.invalidStartIndex(startIndex) }
      let t = configuration.frames, size = configuration.size
      let perClip = 3 * t * size * size
      guard Shape.checkedElementCount([count, perClip]) != nil, startIndex <= Int.max - count else {
        throw ConfigurationError.batchTooLarge(count: count, elementsPerClip: perClip)
      }
      let norm = Synthetic.normalization
      var input: [Float] = []
      var boxes: [Float] = []
      var evidence: [UInt8] = []
      var keyFrames: [UInt8] = []
      var labels: [Int] = []
      input.reserveCapacity(count * perClip)
      evidence.reserveCapacity(count * t * size * size)
      for index in startIndex..<(startIndex + count) {
        let clip = clip(index: index, split: split)
        let plane = t * size * size
        for c in 0..<3 {
          for k in 0..<plane {
            input.append(Float(norm.normalize(Double(clip.pixels.scalars[c * plane + k]), channel: c)))
          }
        }
        boxes += clip.boxes.scalars
        evidence += clip.evidence.scalars
        keyFrames += clip.keyFrames.scalars
        labels.append(clip.label)
      }
      return Batch(
        split: split, startIndex: startIndex,
        input: Tensor(shape: [count, 3, t, size, size], scalars: input), labels: labels,
        boxes: Tensor(shape: [count, t, 4], scalars: boxes),
        evidence: Tensor(shape: [count, t, size, size], scalars: evidence),
        keyFrames: Tensor(shape: [count, t], scalars: keyFrames))
    }
  }
}
