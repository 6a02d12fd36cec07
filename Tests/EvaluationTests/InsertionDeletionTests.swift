import Attribution
import Evaluation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// Insertion and deletion curves on both paths: perturbed clips, bases, batching, refusals.
@Suite("Insertion and deletion curves")
struct InsertionDeletionTests {
  @Test("the fast path's perturbed clips equal the literal ones bit for bit (odd extents, both modes)")
  func perturbedClipsFastEqualsLiteral() {
    let x: Tensor<Float> = Fill.weyl([1, 3, 5, 7, 9])
    let base: Tensor<Float> = Fill.weyl([1, 3, 5, 7, 9], offset: 0.25)
    var rng = SeededRNG(seed: 4)
    let first = (0..<(5 * 7 * 9)).map { _ in Int32(1 + Int(rng.uniform() * 6)) }
    let steps = [0, 1, 3, 6, 2]
    for mode in PerturbedClips.Mode.allCases {
      let f = PerturbedClips.fast(x: x, base: base, firstSteps: first, steps: steps, mode: mode)
      let l = PerturbedClips.literal(x: x, base: base, firstSteps: first, steps: steps, mode: mode)
      #expect(f.shape == [5, 3, 5, 7, 9])
      #expect(f.scalars.map(\.bitPattern) == l.scalars.map(\.bitPattern), "\(mode)")
      // Insertion at step 0 is the base, at the last step the clip; deletion the other way round.
      let whole = x.count
      let (start, end) = (Array(f.scalars[0..<whole]), Array(f.scalars[(3 * whole)..<(4 * whole)]))
      #expect(start == (mode == .insertion ? base.scalars : x.scalars))
      #expect(end == (mode == .insertion ? x.scalars : base.scalars))
    }
  }

  @Test("fast (Float) and literal (Double) curves agree within the network's rounding, on both scores, modes and bases")
  func literalEqualsFast() throws {
    let fastNet: Network<FastBackend> = try EvalFixture.zoo(.r3d_mini, FastBackend.self)
    let literalNet: Network<LiteralBackend<Double>> = try EvalFixture.zoo(.r3d_mini, LiteralBackend<Double>.self)
    // 8 × 16² clips keep the literal path quick; the zoo model's probabilities hardly move at
    // that size, so the curves' shape is required of the logits only.
    let (x, labels) = EvalFixture.benchmark(count: 2, start: 2, frames: 8, size: 16)
    let maps = EvalFixture.map([2, 1, 8, 16, 16], seed: 12)
    let logitScale = literalNet.logits(x.asDouble).scalars.map(abs).max()!
    for (score, base) in [(ExplainedScore.logit, PerturbationBase.fade), (.probability, .fade), (.logit, .blur)] {
      for mode in PerturbedClips.Mode.allCases {
        let s = InsertionDeletion(mode, unit: .block(4), base: base, steps: 16, batch: 6, score: score)
        let fast = try s.curves(network: fastNet, clips: x, targets: labels, maps: maps)
        let literal = try s.curves(network: literalNet, clips: x.asDouble, targets: labels, maps: maps)
        let bound = EvalFixture.scoreBound(literalNet, frames: 8, logitScale: logitScale, score: score)
        for (f, l) in zip(fast, literal) {
          #expect(f.curve.count == 17 && l.curve.count == 17)
          let worst = zip(f.curve, l.curve).map { abs($0 - $1) }.max()!
          #expect(worst <= bound, "\(mode), \(score), \(base): |fast − literal| = \(worst) > \(bound)")
          #expect(abs(f.auc - l.auc) <= bound)
          #expect(f.units == 128 && f.unitsPerStep == 8)
        }
        // The curves are not flat: the comparison has something to compare.
        let spans = literal.map { $0.curve.max()! - $0.curve.min()! }
        if score == .logit {
          #expect(spans.allSatisfy { $0 > 100 * bound }, "\(mode), \(base): flat curve, spans \(spans), bound \(bound)")
        }
      }
    }
  }

  @Test("a curve does not depend on how many perturbed clips go through the network at once")
  func batchIndependence() throws {
    let net: Network<FastBackend> = try EvalFixture.zoo(.r2plus1d_mini, FastBackend.self)
    let x = EvalFixture.clips([1, 3, 4, 16, 16], seed: 21)
    let maps = EvalFixture.map([1, 1, 4, 16, 16], seed: 22)
    let reference = try InsertionDeletion(.deletion, unit: .voxel, steps: 10, batch: 1)
      .curves(network: net, clips: x, targets: [5], maps: maps)[0]
    for batch in [3, 11, 64] {
      let c = try InsertionDeletion(.deletion, unit: .voxel, steps: 10, batch: batch)
        .curves(network: net, clips: x, targets: [5], maps: maps)[0]
      #expect(c.curve == reference.curve, "batch \(batch)")
    }
  }

  @Test("the blur base: RISE's taps, and the fast blur equals the literal one within the convolution's rounding")
  func blurBase() {
    // scipy.ndimage.gaussian_filter of an 11-pixel delta with σ = 5 (reflect mode), to 8 digits.
    let scipy = [
      0.08795815, 0.08889612, 0.0904742, 0.09219112, 0.09348939, 0.09398206, 0.09348939, 0.09219112, 0.0904742,
      0.08889612, 0.08795815,
    ]
    let taps = PerturbationBase.blurTaps()
    #expect(zip(taps, scipy).allSatisfy { abs($0 - $1) < 5e-9 }, "\(taps)")
    #expect(abs(taps.reduce(0, +) - 1) < 1e-15)

    let x: Tensor<Float> = Fill.weyl([2, 3, 3, 13, 17])
    let fast = PerturbationBase.blur.make(x, backend: FastBackend.self)
    let literal = PerturbationBase.blur.make(x.asDouble, backend: LiteralBackend<Double>.self)
    // Two passes of 11 non-negative taps: Σ|terms| is the blur of |x|; 22 products per element.
    let magnitude = PerturbationBase.blur.make(x.asDouble.magnitudes, backend: LiteralBackend<Double>.self)
    let c = compare(fast, literal, bound: Tolerance.reduction(magnitude: magnitude, terms: 22))
    #expect(c.passed, "\(c)")
    // Away from the borders a constant frame stays constant; next to them the zero padding darkens it.
    let ones = Tensor<Double>(shape: [1, 1, 1, 12, 12], repeating: 1)
    let b = PerturbationBase.blur.make(ones, backend: LiteralBackend<Double>.self)
    let halfTaps = taps[5...].reduce(0, +)  // the taps that fall inside the frame at its corner
    #expect(abs(b.scalars[6 * 12 + 6] - 1) < 1e-14 && abs(b.scalars[0] - halfTaps * halfTaps) < 1e-14)
    #expect(PerturbationBase.fade.make(x, backend: FastBackend.self).scalars.allSatisfy { $0 == 0 })
  }

  @Test("settings, targets, maps and segments that do not fit are refused before any network pass")
  func refusals() throws {
    let net = EvalFixture.hashFill(.r3d_mini, FastBackend.self)
    let x = EvalFixture.clips([1, 3, 4, 16, 16], seed: 1)
    let maps = EvalFixture.map([1, 1, 4, 16, 16], seed: 2)
    func run(_ s: InsertionDeletion, targets: [Int] = [0], maps m: Tensor<Double>? = nil) throws {
      _ = try s.curves(network: net, clips: x, targets: targets, maps: m ?? maps)
    }
    #expect(throws: MetricError.invalidSetting(name: "steps", value: "0", expected: "an integer ≥ 1")) {
      try run(InsertionDeletion(.insertion, steps: 0))
    }
    #expect(throws: MetricError.invalidSetting(name: "batch", value: "0", expected: "an integer ≥ 1")) {
      try run(InsertionDeletion(.insertion, batch: 0))
    }
    #expect(throws: MetricError.invalidSetting(name: "block", value: "-2", expected: "an integer ≥ 1")) {
      try run(InsertionDeletion(.insertion, unit: .block(-2)))
    }
    #expect(throws: MetricError.countMismatch(name: "targets", count: 2, clips: 1)) {
      try run(InsertionDeletion(.insertion), targets: [0, 1])
    }
    #expect(throws: MetricError.targetOutOfRange(target: 11, classes: 11)) {
      try run(InsertionDeletion(.insertion), targets: [11])
    }
    #expect(throws: MetricError.mapShape(expected: "[1, 1, 4, 16, 16]", actual: [1, 1, 4, 16, 15])) {
      try run(InsertionDeletion(.insertion), maps: EvalFixture.map([1, 1, 4, 16, 15], seed: 3))
    }
    #expect(throws: MetricError.countMismatch(name: "segment label maps", count: 0, clips: 1)) {
      try run(InsertionDeletion(.insertion, unit: .segments(perFrame: true)))
    }
  }

  @Test("segments: labels equal to voxel numbers give the voxel curve; labels equal to block numbers the block curve")
  func segmentsGeneraliseVoxelsAndBlocks() throws {
    let net: Network<FastBackend> = try EvalFixture.zoo(.tsm_mini, FastBackend.self)
    let x = EvalFixture.benchmark(count: 1, start: 4).clips
    let maps = EvalFixture.map([1, 1, 16, 32, 32], seed: 32)
    let size = Size3(16, 32, 32)
    let voxelLabels = (0..<size.product).map { Int64($0) }
    let blockLabels = try UnitPartition.make(.block(4), size: size).unitOfVoxel.map { Int64($0) * 7 + 3 }
    for mode in PerturbedClips.Mode.allCases {
      let voxel = try InsertionDeletion(mode, unit: .voxel, steps: 8)
        .curves(network: net, clips: x, targets: [4], maps: maps)[0]
      let viaVoxelLabels = try InsertionDeletion(mode, unit: .segments(perFrame: false), steps: 8)
        .curves(network: net, clips: x, targets: [4], maps: maps, segments: [voxelLabels])[0]
      #expect(voxel.curve == viaVoxelLabels.curve)
      let block = try InsertionDeletion(mode, unit: .block(4), steps: 8)
        .curves(network: net, clips: x, targets: [4], maps: maps)[0]
      // Blocks of equal size rank alike by mean and by sum (sum = 16·mean, exactly in binary).
      let viaBlockLabels = try InsertionDeletion(mode, unit: .segments(perFrame: true), steps: 8)
        .curves(network: net, clips: x, targets: [4], maps: maps, segments: [blockLabels])[0]
      #expect(block.curve == viaBlockLabels.curve)
      #expect(block.curve != voxel.curve)
    }
  }
}
