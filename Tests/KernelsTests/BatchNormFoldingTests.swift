import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

@Suite("Folding an inference batch norm into the preceding linear or 1×1×1 convolution")
struct BatchNormFoldingTests {
  /// A 1×1×1 convolution written out: y[n, o, s] = Σ_i w[o, i, 0, 0, 0]·x[n, i, s] + b[o]
  /// (this branch has no conv3d; folding only uses that the layer is linear per output channel).
  static func pointwiseConv(_ x: Tensor<Double>, weight: Tensor<Double>, bias: Tensor<Double>?) -> Tensor<Double> {
    let (N, I, O) = (x.shape[0], x.shape[1], weight.shape[0]), S = x.count / (N * I)
    var y = Tensor<Double>.zeros([N, O] + Array(x.shape.dropFirst(2)))
    for n in 0..<N {
      for o in 0..<O {
        for s in 0..<S {
          var sum = bias?.scalars[o] ?? 0
          for i in 0..<I { sum += weight.scalars[o * I + i] * x.scalars[(n * I + i) * S + s] }
          y.scalars[(n * O + o) * S + s] = sum
        }
      }
    }
    return y
  }

  struct BN {
    var scale, shift, mean, variance: Tensor<Double>
    static func random(_ c: Int, seed: UInt64) -> BN {
      BN(
        scale: Fill.uniform([c], -2, 2, seed: seed), shift: Fill.uniform([c], -1, 1, seed: seed + 1),
        mean: Fill.uniform([c], -1, 1, seed: seed + 2), variance: Fill.uniform([c], 0.01, 4, seed: seed + 3))
    }
  }

  /// Both sides compute the same real number with different Double roundings: I products and
  /// sums, the bias, then at most 6 more operations (subtract μ, √, divide, multiply, add β), on
  /// terms bounded by f·(Σ|w·x| + |b| + |μ|) + |β| with f = |γ|/√(σ² + ε). With ε = 2⁻⁵³ and
  /// γₙ = nε/(1 − nε), each side is within γ_(I+8) of that magnitude: the bound is twice that.
  static func bound(magnitude: Double, terms: Int) -> Double {
    let e = 0x1p-53 * Double(terms + 8)
    return 2 * e / (1 - e) * magnitude
  }

  @Test("linear(x; w′, b′) = batchNorm(linear(x; w, b)) for O×I weights, with and without bias")
  func linearIdentity() {
    OpsTesting.propertyCheck(
      seed: (0xF0_1D01, 0xF0_1D02, 0xF0_1D03, 0xF0_1D04), count: 30,
      input: zip(Gen.int(in: 1...5), Gen.int(in: 1...33), Gen.int(in: 1...17))
    ) { k, input in
      let (N, I, O) = input
      let x: Tensor<Double> = Fill.normal([N, I], seed: UInt64(3 * k))
      let w: Tensor<Double> = Fill.normal([O, I], seed: UInt64(3 * k + 1))
      let b: Tensor<Double> = Fill.normal([O], seed: UInt64(3 * k + 2))
      let bn = BN.random(O, seed: UInt64(1000 + k))
      for bias in [Optional(b), nil] {
        let folded = Literal.foldBatchNorm(
          convWeight: w, convBias: bias, scale: bn.scale, shift: bn.shift, mean: bn.mean, variance: bn.variance,
          epsilon: 1e-5)
        #expect(folded.weight.shape == w.shape && folded.bias.shape == [O])
        let lhs = Literal.linear(x, weight: folded.weight, bias: folded.bias)
        let rhs = Literal.batchNorm(
          Literal.linear(x, weight: w, bias: bias), scale: bn.scale, shift: bn.shift, mean: bn.mean,
          variance: bn.variance, epsilon: 1e-5)
        let raw = Literal.linear(x.magnitudes, weight: w.magnitudes, bias: bias?.magnitudes)
        for n in 0..<N {
          for o in 0..<O {
            let f = abs(bn.scale.scalars[o]) / (bn.variance.scalars[o] + 1e-5).squareRoot()
            let m = f * (raw.scalars[n * O + o] + abs(bn.mean.scalars[o])) + abs(bn.shift.scalars[o])
            #expect(
              abs(lhs.scalars[n * O + o] - rhs.scalars[n * O + o]) <= Self.bound(magnitude: m, terms: I),
              "case \(k) bias \(bias != nil) [\(n), \(o)]: \(lhs.scalars[n * O + o]) vs \(rhs.scalars[n * O + o])")
          }
        }
      }
    }
  }

  @Test("conv(x; w′, b′) = batchNorm(conv(x; w, b)) for a 1×1×1 convolution on N×C×T×H×W")
  func pointwiseConvIdentity() {
    let (N, I, O) = (2, 5, 7), spatial = [3, 4, 5]
    let x: Tensor<Double> = Fill.normal([N, I] + spatial, seed: 80)
    let w: Tensor<Double> = Fill.normal([O, I, 1, 1, 1], seed: 81)
    let bn = BN.random(O, seed: 82)
    let folded = Literal.foldBatchNorm(
      convWeight: w, convBias: nil, scale: bn.scale, shift: bn.shift, mean: bn.mean, variance: bn.variance,
      epsilon: 1e-5)
    #expect(folded.weight.shape == [O, I, 1, 1, 1])
    let lhs = Self.pointwiseConv(x, weight: folded.weight, bias: folded.bias)
    let rhs = Literal.batchNorm(
      Self.pointwiseConv(x, weight: w, bias: nil), scale: bn.scale, shift: bn.shift, mean: bn.mean,
      variance: bn.variance, epsilon: 1e-5)
    let raw = Self.pointwiseConv(x.magnitudes, weight: w.magnitudes, bias: nil)
    let S = 60
    for i in 0..<lhs.count {
      let o = (i / S) % O
      let f = abs(bn.scale.scalars[o]) / (bn.variance.scalars[o] + 1e-5).squareRoot()
      let m = f * (raw.scalars[i] + abs(bn.mean.scalars[o])) + abs(bn.shift.scalars[o])
      #expect(abs(lhs.scalars[i] - rhs.scalars[i]) <= Self.bound(magnitude: m, terms: I), "element \(i)")
    }
  }

  @Test("hand-computed: w = [[1, 2]], b = [3], γ = 2, β = 1, μ = 1, σ² = 3, ε = 1 → w′ = [[1, 2]], b′ = 3")
  func handValues() {
    // f = 2/√(3 + 1) = 1; w′ = w·1; b′ = (3 − 1)·1 + 1 = 3.
    let one = { (v: Double) in Tensor<Double>(shape: [1], scalars: [v]) }
    let folded = Literal.foldBatchNorm(
      convWeight: Tensor(shape: [1, 2], scalars: [1, 2]), convBias: one(3), scale: one(2), shift: one(1), mean: one(1),
      variance: one(3), epsilon: 1)
    #expect(folded.weight.scalars == [1, 2] && folded.bias.scalars == [3])
  }
}
