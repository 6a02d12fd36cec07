import Kernels
import TensorCore
import Testing
import _TestSupport

import Networks

/// Modified backward rules are not gradients, so they are checked against their defining
/// formulas (the papers cited at each `BackwardRule`), written here with the layer as an explicit matrix M (row k = output k,
/// M[k][j] the weight from input j to output k, built by applying the layer to unit vectors)
/// and evaluated by plain loops: a second, independent implementation of each rule.
@Suite("Backward rules equal their formulas on small layers (explicit matrices, Double)")
struct BackwardRuleFormulaTests {
  /// Both sides compute the same sums of at most n terms in different orders, in Double:
  /// they agree within γₙ(Double)·Σ|terms|; 1e-12 relative to the magnitude is far above that
  /// for n < 10⁴ (γ ≈ n·1.1e-16) and far below any error of substance.
  static func close(_ a: [Double], _ b: [Double], scale: Double) -> Bool {
    zip(a, b).allSatisfy { abs($0 - $1) <= 1e-12 * scale + 1e-300 }
  }

  /// Relevance by formula: R_j = Σ_k a_j·W[k][j]·R_k / D_k (0 where D_k = 0), the shape shared
  /// by all rules (they differ in W and D).
  static func spread(a: [Double], weights w: [[Double]], relevance r: [Double], denominators d: [Double]) -> [Double] {
    var out = [Double](repeating: 0, count: a.count)
    for k in 0..<w.count where d[k] != 0 {
      for j in 0..<a.count { out[j] += a[j] * w[k][j] * r[k] / d[k] }
    }
    return out
  }

  static func rowDot(_ w: [[Double]], _ a: [Double]) -> [Double] {
    w.map { row in zip(row, a).reduce(0) { $0 + $1.0 * $1.1 } }
  }

  /// The small conv layer used throughout: 2→3 channels, kernel (2,3,3), padding (1,1,1),
  /// stride (1,2,1), batch norm folded in (so it has a bias).
  static func layer() -> Convolution<LB> {
    Make.convolution(
      2, 3, kernel: Size3(2, 3, 3), geometry: Conv3DGeometry(stride: Size3(1, 2, 1), padding: .cube(1)), bias: false,
      batchNorm: true, seed: 100)
  }
  static let inputShape = [1, 2, 2, 4, 3]

  /// M and b of the folded layer (b = response to the zero input).
  static func matrixAndBias(_ m: Convolution<LB>) -> ([[Double]], [Double]) {
    let (w, b) = m.effectiveWeightAndBias()
    let g = m.geometry
    let matrix = explicitMatrix(inputShape: inputShape) { Literal.conv3d($0, weight: w, bias: nil, geometry: g) }
    let bias = Literal.conv3d(Tensor(shape: inputShape, repeating: 0), weight: w, bias: b, geometry: g).scalars
    return (matrix, bias)
  }

  @Test("P-RULES-1: excitation backprop: p_j = Σ_k a_j w⁺_kj p_k / Σ_j′ a_j′ w⁺_kj′ (a ≥ 0), and Σp is conserved")
  func excitation() {
    let m = Self.layer()
    let (matrix, _) = Self.matrixAndBias(m)
    let a: Tensor<Double> = Fill.uniform(Self.inputShape, 0, 1, seed: 101)
    let (y, tape) = run(m, a, rule: .excitation)
    let p: Tensor<Double> = Fill.uniform(y.shape, 0, 1, seed: 102)
    let got = m.backward(p, tape: tape).scalars
    let wPlus = matrix.map { $0.map { max($0, 0) } }
    let expected = Self.spread(
      a: a.scalars, weights: wPlus, relevance: p.scalars, denominators: Self.rowDot(wPlus, a.scalars))
    let total: Double = p.scalars.reduce(0, +)
    #expect(Self.close(got, expected, scale: total))
    // Conservation: every output here has z > 0 (a > 0 and each row has a positive weight).
    let passedDown: Double = got.reduce(0, +)
    #expect(abs(passedDown - total) <= 1e-12 * total)
  }

  @Test("P-RULES-5: LRP-ε: R_j = Σ_k a_j w_kj R_k / (z_k + ε·sign z_k), z = Ma + b", arguments: [1e-9, 0.25])
  func lrpEpsilon(epsilon: Double) {
    let m = Self.layer()
    let (matrix, bias) = Self.matrixAndBias(m)
    let a: Tensor<Double> = Fill.normal(Self.inputShape, seed: 103)
    let rule = BackwardRule.lrp(.uniform(.epsilon(epsilon)))
    let (y, tape) = run(m, a, rule: rule)
    let r: Tensor<Double> = Fill.normal(y.shape, seed: 104)
    let got = m.backward(r, tape: tape).scalars
    let z = zip(Self.rowDot(matrix, a.scalars), bias).map { $0 + $1 }
    let d = z.map { $0 + ($0 < 0 ? -epsilon : epsilon) }
    let expected = Self.spread(a: a.scalars, weights: matrix, relevance: r.scalars, denominators: d)
    let scale = zip(r.scalars, d).reduce(0) { $0 + abs($1.0) * max(1, 1 / abs($1.1)) } * 10
    #expect(Self.close(got, expected, scale: scale))
  }

  @Test("P-RULES-2: LRP-z⁺ on a ≥ 0 equals the excitation formula")
  func lrpZPlus() {
    let m = Self.layer()
    let (matrix, _) = Self.matrixAndBias(m)
    let a: Tensor<Double> = Fill.uniform(Self.inputShape, 0, 1, seed: 105)
    let (y, tape) = run(m, a, rule: .lrp(.uniform(.zPlus)))
    let r: Tensor<Double> = Fill.normal(y.shape, seed: 106)
    let got = m.backward(r, tape: tape).scalars
    let wPlus = matrix.map { $0.map { max($0, 0) } }
    let expected = Self.spread(
      a: a.scalars, weights: wPlus, relevance: r.scalars, denominators: Self.rowDot(wPlus, a.scalars))
    #expect(Self.close(got, expected, scale: r.scalars.reduce(0) { $0 + abs($1) } * 10))
  }

  @Test(
    "P-RULES-5: LRP-αβ: R_j = Σ_k (α(a_j w_kj)⁺/Σ(a w)⁺ − β(a_j w_kj)⁻/Σ(a w)⁻) R_k, inputs of both signs",
    arguments: [(1.0, 0.0), (2.0, 1.0)])
  func lrpAlphaBeta(alpha: Double, beta: Double) {
    let m = Self.layer()
    let (matrix, _) = Self.matrixAndBias(m)
    let a: Tensor<Double> = Fill.normal(Self.inputShape, seed: 107)
    let (y, tape) = run(m, a, rule: .lrp(.uniform(.alphaBeta(alpha: alpha, beta: beta))))
    let r: Tensor<Double> = Fill.normal(y.shape, seed: 108)
    let got = m.backward(r, tape: tape).scalars
    var expected = [Double](repeating: 0, count: a.count)
    for k in 0..<matrix.count {
      let contributions = (0..<a.count).map { a.scalars[$0] * matrix[k][$0] }
      let zPos = contributions.reduce(0) { $0 + max($1, 0) }
      let zNeg = contributions.reduce(0) { $0 + min($1, 0) }
      for j in 0..<a.count {
        if zPos != 0 { expected[j] += alpha * max(contributions[j], 0) / zPos * r.scalars[k] }
        if zNeg != 0 { expected[j] -= beta * min(contributions[j], 0) / zNeg * r.scalars[k] }
      }
    }
    #expect(Self.close(got, expected, scale: r.scalars.reduce(0) { $0 + abs($1) } * (alpha + beta) * 10))
  }

  @Test("fully connected layer: excitation and LRP-ε by the same formulas")
  func denseRules() {
    let l = Make.linear(5, 4, seed: 109)
    let w = (0..<4).map { k in (0..<5).map { j in l.weight.value.scalars[k * 5 + j] } }
    let b = l.bias!.value.scalars
    let a: Tensor<Double> = Fill.uniform([1, 5], 0, 1, seed: 110)
    let p: Tensor<Double> = Fill.uniform([1, 4], 0, 1, seed: 111)
    do {
      let (_, tape) = run(l, a, rule: .excitation)
      let wPlus = w.map { $0.map { max($0, 0) } }
      let expected = Self.spread(
        a: a.scalars, weights: wPlus, relevance: p.scalars, denominators: Self.rowDot(wPlus, a.scalars))
      #expect(Self.close(l.backward(p, tape: tape).scalars, expected, scale: 10))
    }
    do {
      let (_, tape) = run(l, a, rule: .lrp(.uniform(.epsilon(0.01))))
      let z = zip(Self.rowDot(w, a.scalars), b).map { $0 + $1 }
      let expected = Self.spread(
        a: a.scalars, weights: w, relevance: p.scalars, denominators: z.map { $0 + ($0 < 0 ? -0.01 : 0.01) })
      #expect(Self.close(l.backward(p, tape: tape).scalars, expected, scale: 1000))
    }
  }

  @Test("average pool under excitation: each input gets its share a_j / Σ_bin a of its bin's p")
  func averagePoolExcitation() {
    let m = AdaptiveAveragePool<LB>(path: "pool", outputSize: Size3(1, 2, 1))
    let a: Tensor<Double> = Fill.uniform([1, 2, 2, 4, 3], 0.1, 1, seed: 112)
    let (y, tape) = run(m, a, rule: .excitation)
    let p: Tensor<Double> = Fill.uniform(y.shape, 0, 1, seed: 113)
    let matrix = explicitMatrix(inputShape: a.shape) { Literal.adaptiveAvgPool3d($0, outputSize: Size3(1, 2, 1)) }
    let expected = Self.spread(
      a: a.scalars, weights: matrix, relevance: p.scalars, denominators: Self.rowDot(matrix, a.scalars))
    #expect(Self.close(m.backward(p, tape: tape).scalars, expected, scale: 10))
  }

  @Test("P-RULES-4: ReLU rules: guided = g·[x>0]·[g>0], deconvnet = max(g, 0), LRP = identity")
  func reluRules() {
    let m = ReLU<LB>(path: "relu")
    let x: Tensor<Double> = Fill.normal([1, 2, 3, 4, 5], seed: 114)
    let g: Tensor<Double> = Fill.normal(x.shape, seed: 115)
    func backward(_ rule: BackwardRule) -> [Double] {
      let (_, tape) = run(m, x, rule: rule)
      return m.backward(g, tape: tape).scalars
    }
    let guided = zip(x.scalars, g.scalars).map { $0 > 0 && $1 > 0 ? $1 : 0 }
    #expect(backward(.guidedBackprop) == guided)
    #expect(backward(.deconvnet) == g.scalars.map { max($0, 0) })
    #expect(backward(.lrp(.uniform(.zPlus))) == g.scalars)
    #expect(backward(.gradient) == zip(x.scalars, g.scalars).map { $0 > 0 ? $1 : 0 })
  }

  @Test("P-RULES-3: residual sum: excitation splits p in proportion to h⁺ and s⁺, LRP in proportion to h and s")
  func residualSplit() {
    let h: Tensor<Double> = Fill.normal([1, 2, 2, 3, 3], seed: 116)
    let s: Tensor<Double> = Fill.normal(h.shape, seed: 117)
    let r: Tensor<Double> = Fill.uniform(h.shape, 0, 1, seed: 118)
    let (eh, es) = RelevanceRules<LB>.splitSum(r, h, s, rule: .excitation)
    for i in 0..<h.count {
      let hp = max(h.scalars[i], 0), sp = max(s.scalars[i], 0)
      let total = hp + sp
      #expect(abs(eh.scalars[i] - (total == 0 ? 0 : r.scalars[i] * hp / total)) <= 1e-15)
      #expect(abs(es.scalars[i] - (total == 0 ? 0 : r.scalars[i] * sp / total)) <= 1e-15)
    }
    let (lh, ls) = RelevanceRules<LB>.splitSum(r, h, s, rule: .lrp(.uniform(.zPlus, stabilizer: 1e-9)))
    for i in 0..<h.count {
      let z = h.scalars[i] + s.scalars[i]
      let d = z + (z < 0 ? -1e-9 : 1e-9)
      #expect(abs(lh.scalars[i] - r.scalars[i] * h.scalars[i] / d) <= 1e-12 * abs(r.scalars[i] / d))
      #expect(abs(ls.scalars[i] - r.scalars[i] * s.scalars[i] / d) <= 1e-12 * abs(r.scalars[i] / d))
    }
  }
}
