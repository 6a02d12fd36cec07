import Foundation
import PropertyBased
import Testing
import _TestSupport
import TensorCore

import SyntheticVideo

@Suite("Synthetic classes: each class shows the motion or timing it is named after")
struct ClassSemanticsTests {
  @Test("a growing sprite angle turns the shape clockwise on screen (y points down)")
  func clockwiseConvention() {
    // The triangle (apex (0, −1.05), base corners (±0.48, 0.85)) has its centroid at local
    // (0, 0.217): 4.3 px below the centre at angle 0 with half-size 20 (6 o'clock). A quarter
    // turn clockwise on screen (6 → 9 o'clock) must bring it 4.3 px to the left.
    func centroid(_ angle: Double) -> (dx: Double, dy: Double) {
      let sprite = Sprite(
        kind: .triangle, centreX: 32, centreY: 32, halfSize: 20, angle: angle, colour: Colour(1, 0, 0))
      var sx = 0.0, sy = 0.0, n = 0.0
      for (p, samples) in sprite.coverage(size: 64) {
        sx += Double(samples) * (Double(p % 64) + 0.5 - 32)
        sy += Double(samples) * (Double(p / 64) + 0.5 - 32)
        n += Double(samples)
      }
      return (sx / n, sy / n)
    }
    let down = centroid(0), left = centroid(Double.pi / 2)
    #expect(abs(down.dy - 4.33) < 0.2 && abs(down.dx) < 0.2, "centroid at angle 0: \(down)")
    #expect(abs(left.dx + 4.33) < 0.2 && abs(left.dy) < 0.2, "centroid at angle π/2: \(left)")
  }

  @Test("translation classes move the evidence's centroid along their direction, never across it")
  func translation() throws {
    let cases: [(Synthetic.ActionClass, Double, Double)] = [
      (.translateRight, 1, 0), (.translateLeft, -1, 0), (.translateUp, 0, -1), (.translateDown, 0, 1),
    ]
    let sizes = [32, 48, 112]
    pinnedPropertyCheck(
      count: 20, seed: (11, 12, 13, 14), input: zip(Gen.uint64(), Gen.int(in: 0...3), Gen.int(in: 0...2))
    ) {
      seed, k, j in
      let (c, dx, dy) = cases[k]
      let size = sizes[j]
      let configuration = Synthetic.Configuration(size: size, classes: [c], seed: seed)
      let clip = try! Synthetic.Generator(configuration).clip(index: 0, split: .train)
      let t = configuration.frames
      let a = maskMoments(clip, frame: 0), b = maskMoments(clip, frame: t - 1)
      let along = (b.x - a.x) * dx + (b.y - a.y) * dy
      let across = abs((b.x - a.x) * dy - (b.y - a.y) * dx)
      // The slowest drawn speed is 0.8·0.028·size px/frame; a centroid of a rasterised mask
      // moves with the shape to within about a pixel.
      let slowest = configuration.slowestTranslation * Double(t - 1)
      #expect(along > slowest - 1.5, "\(c) at \(size)², seed \(seed): moved \(along) px, slowest travel \(slowest)")
      #expect(across < 1.5, "\(c) drifted \(across) px across its direction")
    }
  }

  @Test("grow enlarges and shrink reduces the evidence's area more than 2.5-fold over the clip")
  func growShrink() {
    pinnedPropertyCheck(count: 16, seed: (21, 22, 23, 24), input: zip(Gen.uint64(), Gen.bool())) { seed, grows in
      let c: Synthetic.ActionClass = grows ? .grow : .shrink
      let configuration = Synthetic.Configuration(size: 48, classes: [c], seed: seed)
      let clip = try! Synthetic.Generator(configuration).clip(index: 0, split: .test)
      let first = maskMoments(clip, frame: 0).area, last = maskMoments(clip, frame: 15).area
      // Areas scale with G² ≥ 4; rasterisation loses some of that on small shapes, so ask for 2.5.
      let ratio = grows ? Double(last) / Double(first) : Double(first) / Double(last)
      #expect(ratio > 2.5, "\(c), seed \(seed): area \(first) → \(last)")
    }
  }

  @Test("rotation classes turn the actor at 0.24–0.30 rad per frame in their direction")
  func rotationScenes() throws {
    for c in [Synthetic.ActionClass.rotateClockwise, .rotateAnticlockwise] {
      let generator = try Synthetic.Generator(Synthetic.Configuration(classes: [c], seed: 5))
      for index in 0..<20 {
        let angles = generator.scene(index: index, split: .train).sprites.map { $0[0].angle }
        for f in 1..<angles.count {
          let step = (angles[f] - angles[f - 1]) * (c == .rotateClockwise ? 1 : -1)
          #expect(step >= 0.24 - 1e-12 && step <= 0.30 + 1e-12)
        }
      }
    }
  }

  @Test("flash shows the actor in 1–3 consecutive frames only")
  func flash() throws {
    let generator = try Synthetic.Generator(Synthetic.Configuration(classes: [.flash], seed: 8))
    var lengths = Set<Int>()
    for index in 0..<40 {
      let key = generator.clip(index: index, split: .train).keyFrames.scalars
      let on = key.indices.filter { key[$0] == 1 }
      #expect((1...3).contains(on.count))
      #expect(on.last! - on.first! + 1 == on.count, "flash frames \(on) are not consecutive")
      lengths.insert(on.count)
    }
    #expect(lengths == [1, 2, 3])
  }

  @Test("order classes show the ring (A) and the disk (B) one after the other, first as the class says")
  func order() throws {
    for c in [Synthetic.ActionClass.aThenB, .bThenA] {
      let generator = try Synthetic.Generator(Synthetic.Configuration(classes: [c], seed: 3))
      for index in 0..<30 {
        let scene = generator.scene(index: index, split: .validation)
        var runs: [(ShapeKind, Int)] = []
        for sprites in scene.sprites {
          #expect(sprites.count <= 1, "two markers in one frame")
          guard let s = sprites.first else { continue }
          if runs.last?.0 == s.kind && runs.last != nil {
            runs[runs.count - 1].1 += 1
          } else {
            runs.append((s.kind, 1))
          }
        }
        #expect(runs.count == 2)
        #expect(runs.map(\.0) == (c == .aThenB ? [.ring, .disk] : [.disk, .ring]))
        #expect(runs.allSatisfy { (2...4).contains($0.1) })
      }
    }
  }

  @Test("an actor's appearance is drawn before, and independently of, its class")
  func appearanceIndependentOfClass() {
    pinnedPropertyCheck(count: 30, seed: (31, 32, 33, 34), input: Gen.uint64()) { seed in
      var firsts: [Sprite] = []
      for c in motionClasses + [.flash] {
        var rng = SeededRNG(seed: seed)
        let scene = Scene.sample(c, frames: 16, size: 32, using: &rng)
        firsts.append(scene.sprites.first { !$0.isEmpty }![0])
      }
      let kinds = Set(firsts.map(\.kind.rawValue))
      #expect(kinds.count == 1)
      #expect(Set(firsts.map { [$0.colour.r, $0.colour.g, $0.colour.b] }).count == 1)
    }
  }

  @Test("actors are saturated (max − min channel ≥ 0.6) and every actor shape fits the bounding radius")
  func actorsAreSaturatedAndBounded() {
    var rng = SeededRNG(seed: 77)
    for _ in 0..<1000 {
      let c = Colour.saturated(using: &rng)
      #expect(max(c.r, c.g, c.b) - min(c.r, c.g, c.b) >= 0.6 - 1e-12)
    }
    for kind in ShapeKind.actors { #expect(kind.boundingRadius <= Geometry.maximumBoundingRadius) }
  }

  @Test("the evidence never leaves the frame: every sprite's bounding circle stays inside the margin")
  func staysInside() {
    let shapes = [(16, 16), (32, 16), (32, 24), (64, 8), (112, 40)]
    pinnedPropertyCheck(
      count: 40, seed: (41, 42, 43, 44), input: zip(Gen.uint64(), Gen.int(in: 0...10), Gen.int(in: 0...4))
    ) {
      seed, k, j in
      let (size, frames) = shapes[j]
      let c = Synthetic.ActionClass(rawValue: k)!
      var rng = SeededRNG(seed: seed)
      let scene = Scene.sample(c, frames: frames, size: size, using: &rng)
      let margin = Geometry.margin * Double(size) - 1e-9
      for sprites in scene.sprites {
        for s in sprites {
          let reach = s.kind.boundingRadius * s.halfSize
          #expect(s.centreX - reach >= margin && s.centreX + reach <= Double(size) - margin, "\(c) x, seed \(seed)")
          #expect(s.centreY - reach >= margin && s.centreY + reach <= Double(size) - margin, "\(c) y, seed \(seed)")
        }
      }
    }
  }

  @Test("distractors are gray: with no noise, every pixel the evidence does not touch has r = g = b")
  func distractorsAreGray() throws {
    var d = Synthetic.Distractors.standard
    d.noise = 0
    d.blobs = 8
    let generator = try Synthetic.Generator(Synthetic.Configuration(distractors: d, seed: 12))
    for index in 0..<11 {
      let clip = generator.clip(index: index, split: .train)
      let scene = generator.scene(index: index, split: .train)
      let plane = 32 * 32, t = 16
      for f in 0..<t {
        let touched = Set(scene.sprites[f].flatMap { $0.coverage(size: 32).map(\.index) })
        for p in 0..<plane where !touched.contains(p) {
          let r = clip.pixels.scalars[f * plane + p]
          let g = clip.pixels.scalars[(t + f) * plane + p]
          let b = clip.pixels.scalars[(2 * t + f) * plane + p]
          #expect(r == g && g == b)
        }
      }
    }
  }
}
