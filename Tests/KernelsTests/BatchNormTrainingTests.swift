import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

@Suite("Batch norm, training form: batch statistics, output and the full backward, literal and fast")
struct BatchNormTrainingTests {
  static let u = Tolerance.floatUnitRoundoff

  /// M = N·S per channel from 2 (the minimum) to 9486; S on SIMD16 boundaries; rank 2 to 5;
  /// one input above the 64 K parallel threshold.
  static let shapes: [[Int]] = [
    [2, 3], [17, 4], [3, 16, 1, 1, 1], [1, 2, 31], [2, 3, 7, 9, 17], [2, 5, 1, 4, 4], [1, 3, 15], [2, 8, 9, 31, 17],
  ]

  /// Per-channel quantities of the Double reference.
  struct Channel {
    var m: Double  // M = N·S
    var absSum: Double  // Σ|x|
    var mean: Double
    var squares: Double  // Q = Σ(x − μ)²
    var invstd: Double
  }

  static func channels(_ x: Tensor<Double>, epsilon: Double) -> [Channel] {
    let (N, C) = (x.shape[0], x.shape[1]), S = x.count / (N * C)
    return (0..<C).map { c in
      var sum = 0.0, absSum = 0.0
      for n in 0..<N {
        for s in 0..<S { sum += x.scalars[(n * C + c) * S + s]; absSum += abs(x.scalars[(n * C + c) * S + s]) }
      }
      let m = Double(N * S), mean = sum / m
      var q = 0.0
      for n in 0..<N { for s in 0..<S { let d = x.scalars[(n * C + c) * S + s] - mean; q += d * d } }
      return Channel(m: m, absSum: absSum, mean: mean, squares: q, invstd: 1 / (q / m + epsilon).squareRoot())
    }
  }

  /// Error bounds of the Fast statistics, per channel (first order, times 1.01 for the
  /// second-order products of relative errors, all < 10⁻³ here):
  /// - mean: Σx within γ_M·Σ|x|, the division u·|μ| ≤ u·Σ|x|/M: δμ = γ_(M+1)·Σ|x|/M;
  /// - Σ(x − μ̃)² = Q + M·δμ² exactly (Σ(x − μ) = 0); each term carries 3u (difference, square),
  ///   the sum of positive terms γ_M more, the division by M or M − 1 one u:
  ///   relative error of the variances ε_v = γ_(M+4)·(1 + M·δμ²/Q) + M·δμ²/Q;
  /// - invstd = 1/√(v + ε): (ε_v + u)/2 from the sum and square root, 2u from the root's and the
  ///   division's roundings.
  static func statisticsBounds(_ ch: Channel) -> (mean: Double, variance: Double, invstd: Double) {
    let M = Int(ch.m)
    let dMu = Tolerance.gamma(M + 1) * ch.absSum / ch.m
    let shift = ch.m * dMu * dMu / ch.squares
    let epsV = Tolerance.gamma(M + 4) * (1 + shift) + shift
    return (dMu, (epsV + u) * 1.01, ((epsV + u) / 2 + 2 * u) * 1.01)
  }

  @Test(
    "Fast batchNormTraining statistics and output are within the derived bounds of the Double literal",
    arguments: shapes)
  func forward(shape: [Int]) {
    let x: Tensor<Float> = Fill.weyl(shape, offset: 0.3)
    let gamma: Tensor<Float> = Fill.uniform([shape[1]], 0.5, 2, seed: 60)
    let beta: Tensor<Float> = Fill.uniform([shape[1]], -1, 1, seed: 61)
    let eps: Float = 1e-5
    let xd = x.asDouble
    let reference = Literal.batchNormTraining(xd, scale: gamma.asDouble, shift: beta.asDouble, epsilon: Double(eps))
    let fast = Fast.batchNormTraining(x, scale: gamma, shift: beta, epsilon: eps)
    let ch = Self.channels(xd, epsilon: Double(eps))
    let bounds = ch.map(Self.statisticsBounds)
    let C = shape[1], S = x.count / (shape[0] * C)

    let mean = compare(fast.mean, reference.mean, bound: Tensor(shape: [C]) { bounds[$0].mean })
    #expect(mean.passed, "mean: \(mean)")
    let inv = compare(
      fast.inverseStd, reference.inverseStd,
      bound: Tensor(shape: [C]) { bounds[$0].invstd * reference.inverseStd.scalars[$0] })
    #expect(inv.passed, "inverseStd: \(inv)")
    let unbiased = compare(
      fast.unbiasedVariance, reference.unbiasedVariance,
      bound: Tensor(shape: [C]) { bounds[$0].variance * reference.unbiasedVariance.scalars[$0] })
    #expect(unbiased.passed, "unbiasedVariance: \(unbiased)")

    // y = fl(fl(x − μ̃)·fl(γ·invstd) + β): the mean's error moves every element by |γ|·invstd·δμ;
    // x − μ one u; invstd its bound; γ·invstd and the product one u each; + β one u of |y|.
    let bound = Tensor<Double>(shape: shape) { i in
      let c = (i / S) % C, g = abs(Double(gamma.scalars[c]))
      let xHat = abs(xd.scalars[i] - ch[c].mean) * ch[c].invstd
      let u = Self.u
      let first =
        g * ch[c].invstd * bounds[c].mean + g * xHat * (bounds[c].invstd + 3 * u)
        + u * (g * xHat + abs(Double(beta.scalars[c])))
      return first * 1.01
    }
    let y = compare(fast.output, reference.output, bound: bound)
    #expect(y.passed, "output: \(y)")
  }

  @Test(
    "Fast batchNormTrainingBackward is within γ_(M+12) of the Double literal on the same saved statistics",
    arguments: shapes)
  func backward(shape: [Int]) {
    let x: Tensor<Float> = Fill.weyl(shape, offset: -0.2)
    let gamma: Tensor<Float> = Fill.uniform([shape[1]], 0.5, 2, seed: 62)
    let beta: Tensor<Float> = Fill.uniform([shape[1]], -1, 1, seed: 63)
    let dy: Tensor<Float> = Fill.normal(shape, seed: 64)
    let saved = Fast.batchNormTraining(x, scale: gamma, shift: beta, epsilon: 1e-5)
    let savedD = BatchNormTrainingResult(
      output: saved.output.asDouble, mean: saved.mean.asDouble, inverseStd: saved.inverseStd.asDouble,
      unbiasedVariance: saved.unbiasedVariance.asDouble)
    let reference = Literal.batchNormTrainingBackward(
      dy.asDouble, input: x.asDouble, scale: gamma.asDouble, saved: savedD)
    let fast = Fast.batchNormTrainingBackward(dy, input: x, scale: gamma, saved: saved)

    let C = shape[1], S = x.count / (shape[0] * C), N = shape[0], M = N * S
    var absDy = [Double](repeating: 0, count: C), absDyCentred = [Double](repeating: 0, count: C)
    for n in 0..<N {
      for c in 0..<C {
        for s in 0..<S {
          let i = (n * C + c) * S + s
          absDy[c] += abs(Double(dy.scalars[i]))
          absDyCentred[c] += abs(Double(dy.scalars[i]) * (Double(x.scalars[i]) - savedD.mean.scalars[c]))
        }
      }
    }
    // dβ: M additions. dγ = invstd·Σ dy·(x − μ): difference, product, M − 1 additions, the
    // final product: γ_(M+3).
    let shift = compare(fast.shift, reference.shift, bound: Tensor(shape: [C]) { Tolerance.gamma(M) * absDy[$0] })
    #expect(shift.passed, "dβ: \(shift)")
    let scale = compare(
      fast.scale, reference.scale,
      bound: Tensor(shape: [C]) { Tolerance.gamma(M + 3) * savedD.inverseStd.scalars[$0] * absDyCentred[$0] })
    #expect(scale.passed, "dγ: \(scale)")
    // dx = k·dy − k·dβ/M − (k·invstd·dγ/M)·(x − μ), k = γ·invstd: every term's chain of roundings
    // (the sums' γ_(M+3) and at most 9 further operations) is within γ_(M+12) of the term's
    // magnitude, the sums' magnitudes taken with |·| inside.
    let bound = Tensor<Double>(shape: shape) { i in
      let c = (i / S) % C
      let inv = savedD.inverseStd.scalars[c], k = abs(Double(gamma.scalars[c])) * inv
      let centred = abs(Double(x.scalars[i]) - savedD.mean.scalars[c])
      let magnitude =
        k * abs(Double(dy.scalars[i])) + k * absDy[c] / Double(M)
        + k * inv * inv * absDyCentred[c] * centred / Double(M)
      return Tolerance.gamma(M + 12) * magnitude
    }
    let input = compare(fast.input, reference.input, bound: bound)
    #expect(input.passed, "dx: \(input)")
  }

  @Test(
    "batchNormTrainingBackward is the VJP of batchNormTraining in x, γ and β (finite differences)",
    arguments: [[4, 2], [2, 3, 2, 3, 2]])
  func vjp(shape: [Int]) {
    var rng = SeededRNG(seed: 65)
    let x: Tensor<Double> = Fill.normal(shape, seed: 66)
    let g: Tensor<Double> = Fill.uniform([shape[1]], 0.5, 2, seed: 67)
    let b: Tensor<Double> = Fill.uniform([shape[1]], -1, 1, seed: 68)
    let eps = 1e-5
    func gradients(_ x: Tensor<Double>, _ g: Tensor<Double>, _ b: Tensor<Double>, _ dy: Tensor<Double>)
      -> BatchNormTrainingGradients<Double>
    {
      let saved = Literal.batchNormTraining(x, scale: g, shift: b, epsilon: eps)
      return Literal.batchNormTrainingBackward(dy, input: x, scale: g, saved: saved)
    }
    let dx = checkVJP(
      { Literal.batchNormTraining($0, scale: g, shift: b, epsilon: eps).output },
      vjp: { x, dy in gradients(x, g, b, dy).input }, at: x, rng: &rng)
    #expect(dx.passed, "x: \(dx)")
    let dg = checkVJP(
      { Literal.batchNormTraining(x, scale: $0, shift: b, epsilon: eps).output },
      vjp: { g, dy in gradients(x, g, b, dy).scale }, at: g, rng: &rng)
    #expect(dg.passed, "γ: \(dg)")
    let db = checkVJP(
      { Literal.batchNormTraining(x, scale: g, shift: $0, epsilon: eps).output },
      vjp: { b, dy in gradients(x, g, b, dy).shift }, at: b, rng: &rng)
    #expect(db.passed, "β: \(db)")
  }

  @Test("hand-computed: one channel [1, 2, 3, 4], ε = 0: μ = 2.5, σ² = 1.25, unbiased 5/3")
  func handValues() {
    let x = Tensor<Float>(shape: [4, 1], scalars: [1, 2, 3, 4])
    let one = Tensor<Float>(shape: [1], scalars: [1]), zero = Tensor<Float>(shape: [1], scalars: [0])
    for r in [
      Fast.batchNormTraining(x, scale: one, shift: zero, epsilon: 0),
      Literal.batchNormTraining(x, scale: one, shift: zero, epsilon: 0),
    ] {
      // Σx = 10 and Σ(x − μ)² = 5 are exact; each result is one correctly rounded operation away.
      #expect(r.mean.scalars == [2.5])
      #expect(r.unbiasedVariance.scalars == [Float(5) / 3])
      #expect(r.inverseStd.scalars == [1 / Float(1.25).squareRoot()])
      #expect(r.output.scalars[0] == -1.5 * r.inverseStd.scalars[0])
    }
    let d = Literal.batchNormTraining(x.asDouble, scale: one.asDouble, shift: zero.asDouble, epsilon: 0)
    #expect(d.unbiasedVariance.scalars == [5.0 / 3] && d.mean.scalars == [2.5])
  }

  @Test("training output has per-channel mean β and variance γ²·σ²/(σ² + ε), literal and fast, random shapes")
  func normalisedMoments() {
    let shapes = zip(Gen.int(in: 1...3), Gen.int(in: 1...4), Gen.int(in: 1...40))
    OpsTesting.propertyCheck(seed: (0xB7_0001, 0xB7_0002, 0xB7_0003, 0xB7_0004), count: 40, input: shapes) { k, input in
      let (N, C, S) = input
      guard N * S > 1 else { return }
      let x: Tensor<Float> = Fill.uniform([N, C, S], -2, 5, seed: UInt64(k))
      let one = Tensor<Float>(shape: [C], repeating: 1), zero = Tensor<Float>(shape: [C], repeating: 0)
      let eps = 1e-5
      let reference = Literal.batchNormTraining(x.asDouble, scale: one.asDouble, shift: zero.asDouble, epsilon: eps)
      let fast = Fast.batchNormTraining(x, scale: one, shift: zero, epsilon: Float(eps)).output.asDouble
      let ch = Self.channels(x.asDouble, epsilon: eps)
      let xd = x.asDouble, y = reference.output
      for c in 0..<C {
        var idx: [Int] = []
        for n in 0..<N { idx += Array(((n * C + c) * S)..<((n * C + c + 1) * S)) }
        let M = Double(idx.count), v = ch[c].squares / M
        let target = v / (v + eps)
        let bounds = Self.statisticsBounds(ch[c])
        var sum = 0.0, second = 0.0, fSum = 0.0, fSecond = 0.0, sumB = 0.0, secondB = 0.0
        for i in idx {
          sum += y.scalars[i]
          second += y.scalars[i] * y.scalars[i]
          fSum += fast.scalars[i]
          fSecond += fast.scalars[i] * fast.scalars[i]
          // The forward bound of element i with γ = 1, β = 0.
          let xHat = abs(xd.scalars[i] - ch[c].mean) * ch[c].invstd
          let b = (ch[c].invstd * bounds.mean + xHat * (bounds.invstd + 4 * Self.u)) * 1.01
          sumB += b
          secondB += 2 * abs(y.scalars[i]) * b + b * b
        }
        // Double literal: sums of M = N·S ≤ 120 terms of size ≤ |x̂| ≤ √M: 1e-12 is ≥ 100× their rounding.
        let mean = sum / M, variance = second / M - mean * mean
        #expect(abs(mean) <= 1e-12 && abs(variance - target) <= 1e-12, "case \(k) channel \(c)")
        // Fast: element errors e_i with |e_i| ≤ b_i (the forward bound) change the mean by ≤ mean(b)
        // and the second moment by ≤ mean(2|y|·b + b²).
        let meanB = sumB / M, fMean = fSum / M
        fSecond /= M
        secondB /= M
        #expect(abs(fMean) <= meanB + 1e-12, "case \(k) channel \(c): fast mean \(fMean)")
        #expect(abs(fSecond - target) <= secondB + 1e-12, "case \(k) channel \(c): fast second moment \(fSecond)")
      }
    }
  }

  @Test("the parallel path (75 888 elements, channels in parallel) equals per-channel serial runs bit for bit")
  func threadIndependence() {
    // Thread independence by construction: each channel's statistics are one task in a fixed
    // order. Running each channel alone (9 486 elements: below the parallel threshold, so on
    // the calling thread) must therefore give the same bits as the parallel run.
    let shape = [2, 8, 9, 31, 17], C = 8, S = 9 * 31 * 17
    let x: Tensor<Float> = Fill.weyl(shape, offset: 0.4)
    let gamma: Tensor<Float> = Fill.uniform([C], 0.5, 2, seed: 69), beta: Tensor<Float> = Fill.uniform([C], seed: 70)
    let dy: Tensor<Float> = Fill.normal(shape, seed: 71)
    let all = Fast.batchNormTraining(x, scale: gamma, shift: beta, epsilon: 1e-5)
    let grads = Fast.batchNormTrainingBackward(dy, input: x, scale: gamma, saved: all)
    for c in 0..<C {
      func channel(_ t: Tensor<Float>) -> Tensor<Float> {
        let first: ArraySlice<Float> = t.scalars[(c * S)..<((c + 1) * S)]
        let second: ArraySlice<Float> = t.scalars[((C + c) * S)..<((C + c + 1) * S)]
        return Tensor(shape: [2, 1, 9, 31, 17], scalars: Array(first) + Array(second))
      }
      let g1 = Tensor<Float>(shape: [1], scalars: [gamma.scalars[c]]),
        b1 = Tensor<Float>(shape: [1], scalars: [beta.scalars[c]])
      let one = Fast.batchNormTraining(channel(x), scale: g1, shift: b1, epsilon: 1e-5)
      #expect(one.mean.scalars[0] == all.mean.scalars[c] && one.inverseStd.scalars[0] == all.inverseStd.scalars[c])
      #expect(one.unbiasedVariance.scalars[0] == all.unbiasedVariance.scalars[c])
      #expect(OpsTesting.identical(one.output, channel(all.output)))
      let oneGrads = Fast.batchNormTrainingBackward(channel(dy), input: channel(x), scale: g1, saved: one)
      #expect(
        oneGrads.scale.scalars[0] == grads.scale.scalars[c] && oneGrads.shift.scalars[0] == grads.shift.scalars[c])
      #expect(OpsTesting.identical(oneGrads.input, channel(grads.input)))
    }
  }
}
