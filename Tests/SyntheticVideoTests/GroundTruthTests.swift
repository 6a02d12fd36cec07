import PropertyBased
import Testing
import _TestSupport
import TensorCore

import SyntheticVideo

@Suite("Synthetic ground truth: boxes, evidence mask and key frames agree with what is drawn")
struct GroundTruthTests {
  /// Sizes and lengths the property tests range over (all valid configurations).
  static let shapes = [(16, 16), (24, 12), (32, 16), (32, 8), (48, 20), (64, 16)]

  @Test("each box is the tight bounding box of its frame's mask, NaN exactly where the mask is empty")
  func boxesAreTight() {
    pinnedPropertyCheck(
      count: 60, seed: (1, 2, 3, 4),
      input: zip(Gen.uint64(), Gen.int(in: 0...10_000), Gen.int(in: 0...2), Gen.int(in: 0...5))
    ) { seed, index, s, j in
      let (size, frames) = Self.shapes[j]
      let split = Synthetic.Split.allCases[s]
      let configuration = Synthetic.Configuration(frames: frames, size: size, seed: seed)
      let generator = try! Synthetic.Generator(configuration)
      let clip = generator.clip(index: index, split: split)
      let drawn = generator.scene(index: index, split: split).sprites.map { !$0.isEmpty }
      let context = "seed \(seed), \(split) clip \(index), \(size)² × \(frames)"
      #expect(clip.boxes.shape == [frames, 4])
      #expect(clip.evidence.shape == [frames, size, size])
      #expect(clip.keyFrames.shape == [frames])
      for t in 0..<frames {
        var x0 = Int.max, y0 = Int.max, x1 = Int.min, y1 = Int.min
        for y in 0..<size {
          for x in 0..<size where clip.evidence.scalars[(t * size + y) * size + x] != 0 {
            (x0, y0, x1, y1) = (min(x0, x), min(y0, y), max(x1, x + 1), max(y1, y + 1))
          }
        }
        let box = (0..<4).map { clip.boxes.scalars[4 * t + $0] }
        // Key frames are the frames in which evidence is drawn.
        #expect(clip.keyFrames.scalars[t] == (drawn[t] ? 1 : 0), "\(context), frame \(t)")
        if x1 == Int.min {
          #expect(box.allSatisfy { $0.isNaN }, "\(context), frame \(t): empty mask but box \(box)")
          // From 24 pixels on, every drawn frame has mask pixels.
          #expect(size < 24 || !drawn[t], "\(context), frame \(t): evidence drawn but the mask is empty")
        } else {
          // Every mask pixel (x, y) satisfies x0 ≤ x < x1 and y0 ≤ y < y1, and each side
          // touches a mask pixel.
          #expect(box == [Float(x0), Float(y0), Float(x1), Float(y1)], "\(context), frame \(t): \(box)")
          #expect(drawn[t], "\(context), frame \(t): mask pixels where nothing is drawn")
        }
      }
    }
  }

  @Test("the evidence mask is exactly the pixels the actor covers more than half of")
  func maskEqualsActorPixels() {
    // Without distractors the background is one flat gray g and a pixel covered to a fraction
    // c by a sprite of colour a is g + c·(a − g) (one rounding to Float). Coverage comes in
    // sixteenths, so c > ½ ⇔ c ≥ 9/16 ⇔ |pixel − g| > (17/32)·|a − g| in the channel where
    // |a − g| is largest (≥ 0.2 for a saturated actor on gray) — a margin of 1/32·0.2 far
    // above Float rounding. This reads the mask back from the picture alone.
    pinnedPropertyCheck(
      count: 40, seed: (5, 6, 7, 8), input: zip(Gen.uint64(), Gen.int(in: 0...500), Gen.int(in: 0...5))
    ) { seed, index, j in
      let (size, frames) = Self.shapes[j]
      let configuration = Synthetic.Configuration(frames: frames, size: size, distractors: .none, seed: seed)
      let generator = try! Synthetic.Generator(configuration)
      let clip = generator.clip(index: index, split: .train)
      let scene = generator.scene(index: index, split: .train)
      let g = Double(clip.pixels.scalars[0])  // the corner is never covered (margin)
      let plane = size * size
      var mismatches = 0
      for t in 0..<frames {
        let sprite = scene.sprites[t].first
        for p in 0..<plane {
          var actor = false
          if let sprite {
            let a = [sprite.colour.r, sprite.colour.g, sprite.colour.b]
            let c = (0..<3).max { abs(a[$0] - g) < abs(a[$1] - g) }!
            let v = Double(clip.pixels.scalars[(c * frames + t) * plane + p])
            actor = abs(v - g) > 17.0 / 32.0 * abs(a[c] - g)
          }
          if actor != (clip.evidence.scalars[t * plane + p] == 1) { mismatches += 1 }
        }
      }
      #expect(mismatches == 0, "seed \(seed), clip \(index), \(size)² × \(frames)")
    }
  }

  @Test("key frames: every frame for motion classes, the flash frames, the marker frames")
  func keyFrames() throws {
    let generator = try Synthetic.Generator(Synthetic.Configuration(seed: 99))
    for index in 0..<44 {
      let clip = generator.clip(index: index, split: .test)
      let on = clip.keyFrames.scalars.reduce(0) { $0 + Int($1) }
      switch clip.actionClass {
      case .flash: #expect((1...3).contains(on))
      case .aThenB, .bThenA: #expect((4...8).contains(on))
      default: #expect(on == 16, "\(clip.actionClass) clip \(index) has \(on) key frames")
      }
    }
  }

  @Test("inputs are finite and inside the normalised image of [0, 1] per channel")
  func normalisedRange() throws {
    var d = Synthetic.Distractors.standard
    d.noise = 0.2  // the largest noise, so that clamping is exercised
    d.backgroundContrast = 0.3
    let generator = try Synthetic.Generator(Synthetic.Configuration(distractors: d, seed: 4))
    let batch = try generator.batch(split: .train, count: 22)
    #expect(batch.input.shape == [22, 3, 16, 32, 32])
    let norm = Synthetic.normalization
    let perChannel = 16 * 32 * 32
    var hitZero = false, hitOne = false
    for n in 0..<22 {
      for c in 0..<3 {
        let lo = Float(norm.normalize(0, channel: c)), hi = Float(norm.normalize(1, channel: c))
        for k in 0..<perChannel {
          let v = batch.input.scalars[(n * 3 + c) * perChannel + k]
          #expect(v.isFinite && v >= lo && v <= hi)
          hitZero = hitZero || v == lo
          hitOne = hitOne || v == hi
        }
      }
    }
    #expect(hitZero && hitOne, "noise 0.2 should reach both ends of [0, 1]")
  }

  @Test("a batch stacks the clips: same pixels (normalised), boxes, masks, key frames and labels")
  func batchMatchesClips() throws {
    let generator = try Synthetic.Generator(Synthetic.Configuration(frames: 8, size: 16, seed: 2))
    let batch = try generator.batch(split: .validation, count: 5, startIndex: 9)
    for n in 0..<5 {
      let clip = generator.clip(index: 9 + n, split: .validation)
      #expect(batch.labels[n] == clip.label)
      #expect(batch.input.slice(n).scalars == clip.input.scalars)
      #expect(batch.evidence.slice(n).scalars == clip.evidence.scalars)
      #expect(batch.keyFrames.slice(n).scalars == clip.keyFrames.scalars)
      #expect(batch.boxes.slice(n).scalars.map(\.bitPattern) == clip.boxes.scalars.map(\.bitPattern))
    }
  }
}
