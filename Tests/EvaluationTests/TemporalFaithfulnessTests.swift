import Attribution
import Evaluation
import Kernels
import Networks
import TensorCore
import Testing
import _TestSupport

/// Temporal faithfulness on both paths.
@Suite("Temporal faithfulness")
struct TemporalFaithfulnessTests {
  @Test("fast (Float) and literal (Double) drops agree within the network's rounding; both bases")
  func literalEqualsFast() throws {
    let fastNet: Network<FastBackend> = try EvalFixture.zoo(.r2plus1d_mini, FastBackend.self)
    let literalNet: Network<LiteralBackend<Double>> = try EvalFixture.zoo(.r2plus1d_mini, LiteralBackend<Double>.self)
    let x = EvalFixture.benchmark(count: 1, start: 10, frames: 8, size: 16).clips
    let maps = EvalFixture.map([1, 1, 8, 16, 16], seed: 82)
    let logitScale = literalNet.logits(x.asDouble).scalars.map(abs).max()!
    for base in PerturbationBase.allCases {
      // Logits: their drops are large against the bound, so the comparison is not vacuous.
      let m = TemporalFaithfulness(base: base, batch: 2, score: .logit)
      let fast = try m.evaluate(network: fastNet, clips: x, targets: [10], maps: maps)[0]
      let literal = try m.evaluate(network: literalNet, clips: x.asDouble, targets: [10], maps: maps)[0]
      // A drop is a difference of two scores, each within the bound. The blurred base of the two
      // paths differs by the blur's rounding (≤ γ₂₂·|x|, far below the network's own).
      let bound = 2 * EvalFixture.scoreBound(literalNet, frames: 8, logitScale: logitScale, score: .logit)
      #expect(
        zip(fast.drops, literal.drops).allSatisfy { abs($0 - $1) <= bound },
        "\(base): \(fast.drops) vs \(literal.drops)")
      #expect(fast.frameAttribution == literal.frameAttribution)
      #expect(literal.drops.map(abs).max()! > 100 * bound, "\(base): no drop to compare")
    }
  }

  @Test("fading replaces exactly one frame of every channel with the base; constant frame masses give no ρ")
  func fadingOneFrame() throws {
    let x: Tensor<Float> = Fill.weyl([1, 3, 5, 4, 6])
    let base: Tensor<Float> = Fill.weyl([1, 3, 5, 4, 6], offset: 3)
    let z = TemporalFaithfulness.fading(x, frame: 2, base: base)
    for i in 0..<x.count {
      let frame = (i / 24) % 5
      #expect(z.scalars[i] == (frame == 2 ? base.scalars[i] : x.scalars[i]), "element \(i)")
    }
    let net = EvalFixture.hashFill(.r3d_mini, FastBackend.self)
    let clip = EvalFixture.clips([1, 3, 4, 16, 16], seed: 83)
    let flat = Tensor<Double>(shape: [1, 1, 4, 16, 16], repeating: 1)
    let r = try TemporalFaithfulness().evaluate(network: net, clips: clip, targets: [0], maps: flat)[0]
    #expect(r.drops.count == 4 && r.frameAttribution == [256, 256, 256, 256] && r.correlation == nil)
    #expect(throws: MetricError.invalidSetting(name: "batch", value: "0", expected: "an integer ≥ 1")) {
      try TemporalFaithfulness(batch: 0).evaluate(network: net, clips: clip, targets: [0], maps: flat)
    }
    #expect(throws: MetricError.mapShape(expected: "[1, 1, 4, 16, 16]", actual: [1, 1, 4, 16, 8])) {
      try TemporalFaithfulness().evaluate(
        network: net, clips: clip, targets: [0], maps: Tensor(shape: [1, 1, 4, 16, 8], repeating: 1))
    }
  }

  @Test("Pearson's ρ: symmetric, invariant to affine rescaling, centred per series, nil without variance")
  func pearson() {
    let a = [0.3, -1.2, 2.5, 0.0, 0.7], b = [1.0, 0.1, 4.0, 0.2, 2.0]
    let r = TemporalFaithfulness.pearson(a, b)!
    #expect(abs(r - TemporalFaithfulness.pearson(b, a)!) < 1e-15)
    #expect(abs(r - TemporalFaithfulness.pearson(a.map { 3 * $0 - 7 }, b.map { 0.5 * $0 + 100 })!) < 1e-12)
    #expect(abs(r + TemporalFaithfulness.pearson(a.map { -$0 }, b)!) < 1e-15)
    // By hand: centred a = (−0.16, −1.66, 2.04, −0.46, 0.24), b = (−0.46, −1.36, 2.54, −1.26, 0.54).
    let ca: [Double] = a.map { $0 - 0.46 }, cb: [Double] = b.map { $0 - 1.46 }
    let sab: Double = zip(ca, cb).map { $0 * $1 }.reduce(0, +)
    let saa: Double = ca.map { $0 * $0 }.reduce(0, +), sbb: Double = cb.map { $0 * $0 }.reduce(0, +)
    let expected = sab / (saa * sbb).squareRoot()
    #expect(abs(r - expected) < 1e-14)
    #expect(TemporalFaithfulness.pearson([1, 1, 1], [1, 2, 3]) == nil)
    #expect(TemporalFaithfulness.pearson([2], [5]) == nil)
  }
}
