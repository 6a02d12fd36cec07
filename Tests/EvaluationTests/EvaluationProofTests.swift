import Attribution
import Evaluation
import Kernels
import Networks
import PropertyBased
import TensorCore
import Testing
import _TestSupport

/// The claims of Proofs/evaluation-metrics.md.
@Suite("Proofs: evaluation metrics")
struct EvaluationProofTests {
  static let u = 0x1p-53

  @Test(
    "P-EVAL-1: the AUC is the trapezoid rule on [0, 1]: a constant curve's AUC is its value, the endpoints weigh half")
  func aucTrapezoid() {
    for m in [1, 2, 7, 100, 128] {
      for c in [0.0, 0.3, 1.0 / 3, 0.9, 1.0] {
        let auc = InsertionDeletion.auc(Array(repeating: c, count: m + 1))
        // m + 1 additions, a subtraction, a halving and a division: ≤ (m + 4)·u·c.
        #expect(abs(auc - c) <= Double(m + 4) * Self.u * c, "m \(m), c \(c): \(auc)")
      }
      // One point of 1 at either end and 0 elsewhere: half an interval, 1/(2m) (a mean of the
      // points would give 1/(m + 1); dividing by the point count, m/(m + 1) for a constant).
      var first = Array(repeating: 0.0, count: m + 1)
      first[0] = 1
      #expect(InsertionDeletion.auc(first) == 0.5 / Double(m))
      #expect(InsertionDeletion.auc(Array(first.reversed())) == 0.5 / Double(m))
      if m >= 2 {
        var middle = Array(repeating: 0.0, count: m + 1)
        middle[1] = 1
        #expect(InsertionDeletion.auc(middle) == 1 / Double(m))
      }
    }
  }

  @Test(
    "P-EVAL-2: insertion-MoRF and deletion-LeRF are mirror curves when s divides U, even on plateaus; not otherwise")
  func mirrorCurves() throws {
    let net: Network<FastBackend> = try EvalFixture.zoo(.r3d_mini, FastBackend.self)
    let x = EvalFixture.benchmark(count: 1, start: 6).clips
    // A map with plateaus: 4 levels, so ties between units decide much of the order.
    var maps = EvalFixture.map([1, 1, 16, 32, 32], seed: 42)
    maps = maps.map { ($0 * 4).rounded(.down) / 4 }
    // 1024 blocks of 4×4, 16 steps: s = 64 divides U.
    let insertion = try InsertionDeletion(.insertion, order: .morf, unit: .block(4), steps: 16)
      .curves(network: net, clips: x, targets: [6], maps: maps)[0]
    let deletion = try InsertionDeletion(.deletion, order: .lerf, unit: .block(4), steps: 16)
      .curves(network: net, clips: x, targets: [6], maps: maps)[0]
    #expect(insertion.curve == Array(deletion.curve.reversed()))
    // The same 17 points summed in the opposite order: each AUC errs by ≤ (m + 3)·u·Σp/m ≤ 20u.
    #expect(abs(insertion.auc - deletion.auc) <= 40 * Self.u)
    #expect(insertion.curve.max()! - insertion.curve.min()! > 0.1, "flat curve")

    // 1936 blocks of 3×3 (11×11 per frame, the last row and column narrower), 10 steps: s = 194
    // does not divide 1936, so deletion-LeRF keeps 1936 − 194k units where insertion-MoRF shows
    // 194(m − k).
    let i2 = try InsertionDeletion(.insertion, order: .morf, unit: .block(3), steps: 10)
      .curves(network: net, clips: x, targets: [6], maps: maps)[0]
    let d2 = try InsertionDeletion(.deletion, order: .lerf, unit: .block(3), steps: 10)
      .curves(network: net, clips: x, targets: [6], maps: maps)[0]
    #expect(i2.units == 1936 && i2.unitsPerStep == 194 && i2.curve.count == 11)
    #expect(i2.curve.first == d2.curve.last && i2.curve.last == d2.curve.first)
    #expect(i2.curve != Array(d2.curve.reversed()))
  }

  @Test(
    "P-EVAL-3: the endpoints are the base and the clip, every voxel changes once, and m ≤ n with m = n when n divides U"
  )
  func endpoints() throws {
    let net: Network<FastBackend> = try EvalFixture.zoo(.r2plus1d_mini, FastBackend.self)
    let x = EvalFixture.clips([2, 3, 4, 16, 16], seed: 51)
    let maps = EvalFixture.map([2, 1, 4, 16, 16], seed: 52)
    for base in PerturbationBase.allCases {
      let b = base.make(x, backend: FastBackend.self)
      let onClip = ScoreGradient.scores(network: net, input: x, targets: [1, 9], score: .probability)
      let onBase = ScoreGradient.scores(network: net, input: b, targets: [1, 9], score: .probability)
      for unit in [PerturbationUnit.voxel, .block(5)] {
        for order in RankingOrder.allCases {
          let i = try InsertionDeletion(.insertion, order: order, unit: unit, base: base, steps: 7)
            .curves(network: net, clips: x, targets: [1, 9], maps: maps)
          let d = try InsertionDeletion(.deletion, order: order, unit: unit, base: base, steps: 7)
            .curves(network: net, clips: x, targets: [1, 9], maps: maps)
          for n in 0..<2 {
            #expect(i[n].curve.first == onBase[n] && i[n].curve.last == onClip[n], "\(base) \(unit) \(order)")
            #expect(d[n].curve.first == onClip[n] && d[n].curve.last == onBase[n], "\(base) \(unit) \(order)")
          }
        }
      }
    }
    // Steps: every voxel's first step lies in 1…m and the last step takes all U units.
    for (units, n) in [(1024, 128), (1024, 7), (100, 128), (5, 3), (1, 1)] {
      let s = StepSchedule(units: units, requested: n)
      #expect(s.steps <= n && (units % n != 0 || s.steps == n) && s.taken(after: s.steps) == units)
      #expect(s.taken(after: s.steps - 1) < units)
    }
    let p = try UnitPartition.make(.block(5), size: Size3(4, 16, 16))
    let first = UnitRanking.firstSteps(
      partition: p, ranked: UnitRanking.order(p.importance(maps.scalars[0..<1024]), .morf), unitsPerStep: 10)
    #expect(first.min() == 1 && Int(first.max()!) == StepSchedule(units: p.count, requested: 7).steps)
  }

  @Test("P-EVAL-4: every score stays in its range: curves and AUC in [0, 1], pointing and mass in [0, 1], ρ in [−1, 1]")
  func bounds() throws {
    let net: Network<FastBackend> = try EvalFixture.zoo(.tsm_mini, FastBackend.self)
    try pinnedPropertyCheck(count: 6, seed: (7, 8, 9, 10), input: Gen.int(in: 0...1_000_000)) { seed in
      let s = UInt64(seed)
      let x = EvalFixture.clips([1, 3, 4, 16, 16], seed: s)
      let signed = Tensor<Double>(converting: Fill.uniform([1, 1, 4, 16, 16], -1, 1, seed: s + 1) as Tensor<Float>)
      let c = try InsertionDeletion(.insertion, unit: .block(4), steps: 8)
        .curves(network: net, clips: x, targets: [seed % 11], maps: signed)[0]
      #expect(c.curve.allSatisfy { (0...1).contains($0) } && (0...1).contains(c.auc))
      let f = try TemporalFaithfulness().evaluate(network: net, clips: x, targets: [seed % 11], maps: signed)[0]
      if let rho = f.correlation { #expect((-1...1).contains(rho)) }
      var boxes = Tensor<Float>(shape: [1, 4, 4], repeating: 0)
      var rng = SeededRNG(seed: s + 2)
      for t in 0..<4 {
        let (x0, y0) = (Float(rng.uniform(-4, 14)), Float(rng.uniform(-4, 14)))
        boxes.scalars.replaceSubrange((4 * t)..<(4 * t + 4), with: [x0, y0, x0 + 5, y0 + 3])
      }
      let g = try PointingGame().evaluate(maps: signed, boxes: boxes, labels: [seed % 11])
      if let a = g.accuracy.accuracy { #expect((0...1).contains(a)) }
      let evidence = Tensor<Float>(converting: Fill.uniform([1, 4, 16, 16], 0, 1, seed: s + 3) as Tensor<Float>)
      if let share = try EvidenceMass.evaluate(maps: signed, evidence: evidence)[0].share {
        #expect((0...1).contains(share))
      }
    }
  }

  /// A 1×1×T×H×W map, 0 except `value` on the pixels listed for each frame.
  static func map(t: Int, h: Int, w: Int, _ pixels: [(t: Int, u: Int, v: Int)], value: Double = 1) -> Tensor<Double> {
    var m = Tensor<Double>(shape: [1, 1, t, h, w], repeating: 0)
    for p in pixels { m.scalars[(p.t * h + p.v) * w + p.u] = value }
    return m
  }

  @Test(
    "P-EVAL-5: a map inside the box scores 1, outside by more than τ scores 0, inside in half the frames 0.5 (x is the column)"
  )
  func boxFixtures() throws {
    // A wide, low box: columns 2…9, rows 20…23 of a 32×32 frame, in all 4 frames; τ = 2.
    let boxes = Tensor<Float>(shape: [1, 4, 4]) { [2, 20, 10, 24][$0 % 4] }
    let game = PointingGame()
    let inside = Self.map(t: 4, h: 32, w: 32, (0..<4).map { ($0, 5, 21) })
    #expect(try game.evaluate(maps: inside, boxes: boxes, labels: [0]).accuracy.accuracy == 1)
    // (u 21, v 5) is (5, 21) with the axes swapped: far outside (Li et al.'s code would call it a hit).
    let swapped = Self.map(t: 4, h: 32, w: 32, (0..<4).map { ($0, 21, 5) })
    #expect(try game.evaluate(maps: swapped, boxes: boxes, labels: [0]).accuracy.accuracy == 0)
    // Three pixels right of the last column (Chebyshev distance 3 > τ = 2): a miss; two: a hit.
    let three = Self.map(t: 4, h: 32, w: 32, (0..<4).map { ($0, 12, 22) })
    let two = Self.map(t: 4, h: 32, w: 32, (0..<4).map { ($0, 11, 25) })
    #expect(try game.evaluate(maps: three, boxes: boxes, labels: [0]).accuracy.accuracy == 0)
    #expect(try game.evaluate(maps: two, boxes: boxes, labels: [0]).accuracy.accuracy == 1)
    let half = Self.map(t: 4, h: 32, w: 32, [(0, 5, 21), (1, 30, 2), (2, 9, 23), (3, 0, 0)])
    #expect(try game.evaluate(maps: half, boxes: boxes, labels: [0]).clips[0].score == 0.5)

    // Evidence mass: the evidence is the box; a map on it only scores 1, off it only 0.
    var evidence = Tensor<Float>(shape: [1, 4, 32, 32], repeating: 0)
    for t in 0..<4 { for v in 20..<24 { for u in 2..<10 { evidence.scalars[(t * 32 + v) * 32 + u] = 1 } } }
    #expect(try EvidenceMass.evaluate(maps: inside, evidence: evidence)[0].share == 1)
    #expect(try EvidenceMass.evaluate(maps: swapped, evidence: evidence)[0].share == 0)
    let ones = Tensor<Double>(shape: [1, 1, 4, 32, 32], repeating: 1)
    let uniform = try EvidenceMass.evaluate(maps: ones, evidence: evidence)[0]
    #expect(uniform.share == uniform.chance && uniform.chance == 32.0 / 1024)
  }

  @Test("P-EVAL-6: a hand-made spatio-temporal tube: pointing per frame, the pointed frame, and the mass share by hand")
  func tube() throws {
    // 8 frames of 24×24. The evidence: a 6×4 box moving right by 2 px a frame (columns 2+2t …
    // 7+2t, rows 8…11), present in frames 2…5 only (key frames). The map: a peak moving down the
    // diagonal, (u, v) = (3t, 3t), plus a faint copy of the box shifted 3 px right (1/128: every
    // sum below is exact).
    let (t, h, w) = (8, 24, 24)
    let present = 2...5
    let boxes = Tensor<Float>(shape: [1, t, 4]) { i in
      let f = i / 4
      return present.contains(f) ? [Float(2 + 2 * f), 8, Float(8 + 2 * f), 12][i % 4] : .nan
    }
    var maps = Tensor<Double>(shape: [1, 1, t, h, w], repeating: 0)
    var evidence = Tensor<Float>(shape: [1, t, h, w], repeating: 0)
    for f in present {
      for v in 8..<12 {
        for u in (2 + 2 * f)..<(8 + 2 * f) { evidence.scalars[(f * h + v) * w + u] = 1 }
        for u in (5 + 2 * f)..<(11 + 2 * f) { maps.scalars[(f * h + v) * w + u] = 1.0 / 128 }
      }
    }
    for f in 0..<t { maps.scalars[(f * h + 3 * f) * w + 3 * f] = 1 }
    // Peaks in the annotated frames: (6, 6), (9, 9), (12, 12), (15, 15) against the boxes'
    // columns 6…11, 8…13, 10…15, 12…17 and rows 8…11. Offsets to the box (du, dv): (0, 2),
    // (0, 0), (0, 1), (0, 4) → Chebyshev 2, 0, 1, 4 and squared distances 4, 0, 1, 16.
    func score(_ tau: Double, _ a: PointingGame.Acceptance) throws -> Double? {
      try PointingGame(tolerance: tau, acceptance: a).evaluate(maps: maps, boxes: boxes, labels: [3]).clips[0].score
    }
    #expect(try score(0, .box) == 0.25)  // frame 3 only
    #expect(try score(1, .box) == 0.5)  // frames 3, 4
    #expect(try score(2, .box) == 0.75)  // frames 2, 3, 4
    #expect(try score(2, .disc) == 0.5)  // 4 < 4 fails: frames 3, 4
    #expect(try score(4.5, .disc) == 1)
    #expect(try score(0, .disc) == 0)  // TorchRay's strict test at τ = 0 hits nothing
    // Mass: the faint box copy overlaps the evidence in 3 of 6 columns per row, the peaks never
    // lie on evidence except frame 3's (9, 9): inside = 4·(4·3)/128 + 1, total = 4·24/128 + 8.
    let share = try EvidenceMass.evaluate(maps: maps, evidence: evidence)[0].share!
    #expect(share == (0.375 + 1) / (0.75 + 8))
    // Frame masses: 1 in frames 0, 1, 6, 7 and 1.1875 in 2…5 (ties: the first, frame 2, a key frame).
    let keys = Tensor<Float>(shape: [1, t]) { present.contains($0) ? 1 : 0 }
    let temporal = try TemporalPointingGame.evaluate(maps: maps, keyframes: keys, labels: [3])
    #expect(temporal.clips[0].frame == 2 && temporal.clips[0].hit && temporal.clips[0].tied)
    maps.scalars[(7 * h + 0) * w + 0] = 2  // frame 7 now weighs most: a miss
    #expect(try TemporalPointingGame.evaluate(maps: maps, keyframes: keys, labels: [3]).clips[0].score == 0)
  }

  @Test("P-EVAL-7: box acceptance is Chebyshev distance ≤ τ, TorchRay's disc is Euclidean distance < τ")
  func acceptanceGeometry() {
    let region = (columns: 10...14, rows: 10...12)
    for tau in [0.0, 1, 2, 3.5, 7] {
      for du in -9...9 {
        for dv in -9...9 {
          let (u, v) = (12 + du, 11 + dv)
          let ex = max(10 - u, 0, u - 14), ey = max(10 - v, 0, v - 12)
          let box = PointingGame(acceptance: .box).accepts(u: u, v: v, region: region, tolerance: tau)
          let disc = PointingGame(acceptance: .disc).accepts(u: u, v: v, region: region, tolerance: tau)
          #expect(box == (Double(max(ex, ey)) <= tau))
          #expect(disc == (Double(ex * ex + ey * ey) < tau * tau))
          #expect(!disc || box, "the disc lies inside the grown box")
        }
      }
    }
    // The points that tell them apart at τ = 2: exactly 2 px out, and the corner (2, 2).
    let box = PointingGame(acceptance: .box), disc = PointingGame(acceptance: .disc)
    #expect(
      box.accepts(u: 16, v: 11, region: region, tolerance: 2)
        && !disc.accepts(u: 16, v: 11, region: region, tolerance: 2))
    #expect(
      box.accepts(u: 16, v: 14, region: region, tolerance: 2)
        && !disc.accepts(u: 16, v: 14, region: region, tolerance: 2))
    #expect(
      !disc.accepts(u: 12, v: 11, region: region, tolerance: 0)
        && box.accepts(u: 12, v: 11, region: region, tolerance: 0))
  }

  @Test("P-EVAL-8: curves depend on the map only through the unit ranking: affine and min–max rescaling keep them")
  func rankingInvariance() throws {
    let net: Network<FastBackend> = try EvalFixture.zoo(.cnn_lstm_mini, FastBackend.self)
    let x = EvalFixture.benchmark(count: 1, start: 1).clips
    let maps = EvalFixture.map([1, 1, 16, 32, 32], seed: 62)
    let lo = maps.scalars.min()!, hi = maps.scalars.max()!
    let rescaled = [maps.map { 2 * $0 + 0.5 }, maps.map { ($0 - lo) / (hi - lo) }]
    for unit in [PerturbationUnit.voxel, .block(4)] {
      let s = InsertionDeletion(.insertion, unit: unit, steps: 8)
      let reference = try s.curves(network: net, clips: x, targets: [4], maps: maps)[0].curve
      for m in rescaled {
        #expect(try s.curves(network: net, clips: x, targets: [4], maps: m)[0].curve == reference, "\(unit)")
      }
      // A decreasing transformation reverses the ranking: MoRF of −m is LeRF of m.
      let negated = try s.curves(network: net, clips: x, targets: [4], maps: maps.map { -$0 })[0].curve
      let lerf = try InsertionDeletion(.insertion, order: .lerf, unit: unit, steps: 8)
        .curves(network: net, clips: x, targets: [4], maps: maps)[0].curve
      #expect(negated == lerf)
      #expect(negated != reference)
    }
  }

  @Test(
    "P-EVAL-9: temporal faithfulness is 1 for frame masses increasing in the drops, −1 for decreasing, nil when constant"
  )
  func temporalFaithfulness() throws {
    let net: Network<FastBackend> = try EvalFixture.zoo(.r3d_mini, FastBackend.self)
    let x = EvalFixture.benchmark(count: 1, start: 9).clips
    let flat = Tensor<Double>(shape: [1, 1, 16, 32, 32], repeating: 0.5)
    let probe = try TemporalFaithfulness(batch: 3).evaluate(network: net, clips: x, targets: [9], maps: flat)[0]
    #expect(probe.correlation == nil)
    let drops = probe.drops
    #expect(drops.max()! - drops.min()! > 1e-3, "the network ignores every frame alike: \(drops)")
    // Frame masses a·d_t + b spread uniformly over the frame.
    func map(_ a: Double, _ b: Double) -> Tensor<Double> {
      Tensor(shape: [1, 1, 16, 32, 32]) { i in (a * drops[i / 1024] + b) / 1024 }
    }
    let up = try TemporalFaithfulness(batch: 5).evaluate(network: net, clips: x, targets: [9], maps: map(3, 2))[0]
    let down = try TemporalFaithfulness().evaluate(network: net, clips: x, targets: [9], maps: map(-0.5, 4))[0]
    #expect(up.drops == drops && down.drops == drops)  // independent of the batch
    #expect(abs(up.correlation! - 1) < 1e-12 && abs(down.correlation! + 1) < 1e-12)
    // Pearson's ρ of two series, by the definition, on a hand case: (1, 2, 3) against (1, 3, 2).
    #expect(abs(TemporalFaithfulness.pearson([1, 2, 3], [1, 3, 2])! - 0.5) < 1e-15)
  }

  @Test("P-EVAL-10: the class mean leaves out classes without annotated frames (TorchRay counts them as 0)")
  func classMean() {
    // Class 0: 3 of 3 frames hit; class 5: 2 of 4; class 7: a clip without annotated frames.
    let a = ClassMeanAccuracy([(0, 2, 2), (5, 1, 3), (0, 1, 1), (5, 1, 1), (7, 0, 0)])
    #expect(a.classes.map(\.label) == [0, 5])
    #expect(a.accuracy == 0.75)
    // TorchRay's PointingGame(num_classes: 8).accuracy: hits/(hits + misses).clamp(min=1) over all 8.
    let torchray = (1.0 + 0.5) / 8
    #expect(a.accuracy != torchray)
    #expect(ClassMeanAccuracy([(3, 0, 0)]).accuracy == nil)
  }

  @Test("P-EVAL-11: RISE's blur kernel gkern(11, 5) is σ = 5's Gaussian folded into 11 taps by reflection, nearly flat")
  func riseKernel() {
    let g = PerturbationBase.blurTaps()
    // The folding by hand. Index q of the reflected line lands on pixel 5 for q ∈ {…, −17, −6, 5,
    // 16, 27, …}; the centre tap reads q = 5 + j for |j| ≤ 20: j ∈ {0, 11, −11}.
    let weights = (-20...20).map { Double.exp(-Double($0 * $0) / 50) }
    let total = weights.reduce(0, +)
    func w(_ j: Int) -> Double { abs(j) <= 20 ? weights[j + 20] / total : 0 }
    #expect(abs(g[5] - (w(0) + w(11) + w(-11))) < 1e-16)
    // g[0]: i + j reflects to 5 for i + j ∈ {5, −6, 16, −17}: j ∈ {5, −6, 16, −17}.
    #expect(abs(g[0] - (w(5) + w(-6) + w(16) + w(-17))) < 1e-16)
    #expect(g.max()! / g.min()! < 1.07)  // an 11-tap Gaussian of σ 5 would span a factor e^{1/2} ≈ 1.65
    #expect(abs(g.reduce(0, +) - 1) < 1e-15 && zip(g, g.reversed()).allSatisfy { abs($0 - $1) <= 4 * Self.u * $0 })
  }
}
