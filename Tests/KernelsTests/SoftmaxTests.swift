import Foundation
import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

@Suite("Softmax and log-softmax over the last axis: forward, VJPs, literal and fast")
struct SoftmaxTests {
  static let u = Tolerance.floatUnitRoundoff

  /// Row lengths on SIMD16 boundaries, rank 1 to 3, and one input above the 64 K parallel threshold.
  static let shapes: [[Int]] = [
    [1], [7], [3, 8], [2, 9], [4, 15], [16], [5, 17], [3, 31], [2, 3, 33], [600, 130],
  ]

  /// Logits spread over about ±8 around `offset` (offset 1000 checks the max-subtraction:
  /// without it exp overflows).
  static func logits(_ shape: [Int], offset: Double = 0, seed: UInt64) -> Tensor<Float> {
    Fill.uniform(shape, offset - 8, offset + 8, seed: seed)
  }

  /// Per row: z = x − m (m the row maximum) and the row sum's relative error bound
  /// σ = ρ + γ_K, ρ = max_j (|z_j| + 2)·u (see `softmaxBound`).
  static func rowErrors(_ x: Tensor<Double>) -> (z: Tensor<Double>, sigma: [Double]) {
    let K = x.shape.last!, rows = x.count / K
    var z = x, sigma: [Double] = []
    for r in 0..<rows {
      let m = x.scalars[(r * K)..<((r + 1) * K)].max()!
      var rho = 0.0
      for k in 0..<K {
        z.scalars[r * K + k] = x.scalars[r * K + k] - m
        rho = max(rho, (abs(z.scalars[r * K + k]) + 2) * u)
      }
      sigma.append(rho + Tolerance.gamma(K))
    }
    return (z, sigma)
  }

  /// Bound for Fast softmax against the Double literal, per element y_k:
  /// z_k = fl(x_k − m) has relative error ≤ u, which exp turns into a relative error ≤ |z_k|·u;
  /// `expf` adds ≤ 1 ulp ≤ 2u; so e_k is within (|z_k| + 2)·u relative. The row sum of positive
  /// terms is within ρ + γ_K relative (ρ the worst term, γ_K the additions), the division adds u:
  ///   |ỹ_k − y_k| ≤ y_k·((|z_k| + 2)·u + ρ + γ_K + u)·(1 + 10⁻³) + 2⁻¹⁴⁷.
  /// The factor 1 + 10⁻³ covers the second-order products of these relative errors (each < 10⁻³
  /// here); 2⁻¹⁴⁷ covers terms that underflow into the subnormal range, where relative bounds
  /// fail but absolute errors stay below a few subnormal spacings 2⁻¹⁴⁹ (the sum is ≥ 1).
  static func softmaxBound(_ x: Tensor<Double>, _ y: Tensor<Double>) -> Tensor<Double> {
    let (z, sigma) = rowErrors(x)
    let K = x.shape.last!
    return Tensor(shape: y.shape) { i in
      y.scalars[i] * ((abs(z.scalars[i]) + 2) * u + sigma[i / K] + u) * 1.001 + 0x1p-147
    }
  }

  /// Bound for Fast log-softmax: y_k = z_k − L with L = log S. z_k is within u·|z_k|; the sum
  /// S within σ relative (as for softmax), so log S moves by ≤ σ/(1 − σ) absolute; `logf` adds
  /// ≤ 2u·|L|; the final subtraction u·|y_k|:
  ///   |ỹ_k − y_k| ≤ u·|z_k| + σ/(1 − σ) + 2u·|L| + u·|y_k|, times 1 + 10⁻³ for second-order terms.
  static func logSoftmaxBound(_ x: Tensor<Double>, _ y: Tensor<Double>) -> Tensor<Double> {
    let (z, sigma) = rowErrors(x)
    let K = x.shape.last!
    return Tensor(shape: y.shape) { i in
      let logSum = z.scalars[i] - y.scalars[i]
      let s = sigma[i / K]
      return (u * abs(z.scalars[i]) + s / (1 - s) + 2 * u * abs(logSum) + u * abs(y.scalars[i])) * 1.001
    }
  }

  @Test(
    "Fast softmax and logSoftmax are within the derived exp/sum/division bound of the Double literal",
    arguments: shapes)
  func forward(shape: [Int]) {
    for offset in [0.0, 1000.0] {
      let x = Self.logits(shape, offset: offset, seed: 31)
      let xd = x.asDouble
      let y = Literal.softmax(xd)
      let c = compare(Fast.softmax(x), y, bound: Self.softmaxBound(xd, y))
      #expect(c.passed, "softmax offset \(offset): \(c)")
      let ly = Literal.logSoftmax(xd)
      let lc = compare(Fast.logSoftmax(x), ly, bound: Self.logSoftmaxBound(xd, ly))
      #expect(lc.passed, "logSoftmax offset \(offset): \(lc)")
    }
  }

  @Test("Fast softmaxBackward and logSoftmaxBackward are within γ bounds of the Double literal", arguments: shapes)
  func backward(shape: [Int]) {
    let x = Self.logits(shape, seed: 32)
    let dy: Tensor<Float> = Fill.normal(shape, seed: 33)
    let K = shape.last!
    // Same inputs for both paths: the Float forward outputs, converted exactly.
    let y = Fast.softmax(x), ly = Fast.logSoftmax(x)
    let yd = y.asDouble, lyd = ly.asDouble, dyd = dy.asDouble

    // softmax: d = Σ dy·y within γ_K·M, M = Σ|dy·y|; then y·(dy − d) adds two roundings:
    // |error_k| ≤ γ_(K+2)·|y_k|·(|dy_k| + 2M).
    let reference = Literal.softmaxBackward(dyd, output: yd)
    var bound = reference
    for r in 0..<(dy.count / K) {
      var m = 0.0
      for j in 0..<K { m += abs(dyd.scalars[r * K + j] * yd.scalars[r * K + j]) }
      for k in 0..<K {
        bound.scalars[r * K + k] =
          Tolerance.gamma(K + 2) * abs(yd.scalars[r * K + k]) * (abs(dyd.scalars[r * K + k]) + 2 * m)
      }
    }
    let c = compare(Fast.softmaxBackward(dy, output: y), reference, bound: bound)
    #expect(c.passed, "softmaxBackward: \(c)")

    // logSoftmax: s = Σ dy within γ_K·Σ|dy|; e = expf(y) within 2u; e·s and the subtraction one
    // rounding each: |error_k| ≤ γ_(K+4)·(|dy_k| + e_k·Σ|dy|).
    let lreference = Literal.logSoftmaxBackward(dyd, output: lyd)
    var lbound = lreference
    for r in 0..<(dy.count / K) {
      var s = 0.0
      for j in 0..<K { s += abs(dyd.scalars[r * K + j]) }
      for k in 0..<K {
        lbound.scalars[r * K + k] =
          Tolerance.gamma(K + 4) * (abs(dyd.scalars[r * K + k]) + Foundation.exp(lyd.scalars[r * K + k]) * s)
      }
    }
    let lc = compare(Fast.logSoftmaxBackward(dy, output: ly), lreference, bound: lbound)
    #expect(lc.passed, "logSoftmaxBackward: \(lc)")
  }

  @Test(
    "softmaxBackward and logSoftmaxBackward are the VJPs of softmax and logSoftmax (finite differences)",
    arguments: [[1, 1], [4, 9], [2, 3, 5]])
  func vjp(shape: [Int]) {
    var rng = SeededRNG(seed: 34)
    let x: Tensor<Double> = Fill.normal(shape, std: 2, seed: 35)
    let s = checkVJP(
      { Literal.softmax($0) }, vjp: { x, dy in Literal.softmaxBackward(dy, output: Literal.softmax(x)) }, at: x,
      rng: &rng)
    #expect(s.passed, "softmax: \(s)")
    let l = checkVJP(
      { Literal.logSoftmax($0) }, vjp: { x, dy in Literal.logSoftmaxBackward(dy, output: Literal.logSoftmax(x)) },
      at: x, rng: &rng)
    #expect(l.passed, "logSoftmax: \(l)")
  }

  @Test("hand-computed rows: [0, log 3] → [1/4, 3/4]; [1000, 1000] → [1/2, 1/2] with no overflow")
  func handRows() {
    let x = Tensor<Double>(shape: [2, 2], scalars: [0, Foundation.log(3), 1000, 1000])
    let y = Literal.softmax(x).scalars
    #expect(abs(y[0] - 0.25) <= 1e-16 && abs(y[1] - 0.75) <= 2e-16)
    #expect(y[2] == 0.5 && y[3] == 0.5)
    let ly = Literal.logSoftmax(x).scalars
    #expect(abs(ly[0] - Foundation.log(0.25)) <= 4e-16 && ly[2] == -Foundation.log(2.0))
    let fy = Fast.softmax(Tensor<Float>(converting: x)).scalars
    #expect(fy[2] == 0.5 && fy[3] == 0.5)
  }

  @Test("every softmax row sums to 1 and exp(logSoftmax) equals softmax, for random rows")
  func rowsSumToOne() {
    OpsTesting.propertyCheck(
      seed: (0x50F7_3A11, 17, 23, 42), count: 60,
      input: zip(Gen.int(in: 1...40), Gen.double(in: -50...50))
    ) { k, input in
      let (K, offset) = input
      let x = Self.logits([3, K], offset: offset, seed: UInt64(k))
      let xd = x.asDouble
      let y = Literal.softmax(xd), ly = Literal.logSoftmax(xd), fy = Fast.softmax(x)
      let bound = Self.softmaxBound(xd, y)
      for r in 0..<3 {
        let row = (r * K)..<((r + 1) * K)
        // Double: K terms each within a few ε, the sum within γ_K: 1e-13 is generous for K ≤ 40.
        #expect(abs(y.scalars[row].reduce(0, +) - 1) <= 1e-13, "case \(k) row \(r)")
        // Fast: the sum of the per-element bounds plus the Double rounding of the check's own sum.
        let fastSum = fy.scalars[row].reduce(0.0) { $0 + Double($1) }
        #expect(abs(fastSum - 1) <= bound.scalars[row].reduce(0, +) + 1e-13, "case \(k) row \(r)")
        for i in row {
          #expect(abs(Foundation.exp(ly.scalars[i]) - y.scalars[i]) <= 1e-13, "case \(k) element \(i)")
        }
      }
    }
  }

  @Test("softmax is unchanged by adding a constant to a row (Double, random rows)")
  func shiftInvariance() {
    OpsTesting.propertyCheck(
      seed: (0x50F7_3A12, 5, 8, 13), count: 40, input: zip(Gen.int(in: 1...33), Gen.double(in: -20...20))
    ) { k, input in
      let (K, c) = input
      let x: Tensor<Double> = Fill.uniform([2, K], -5, 5, seed: UInt64(100 + k))
      let shifted = x.map { $0 + c }
      let a = Literal.softmax(x), b = Literal.softmax(shifted)
      // x + c rounds each logit by ≤ ε·25, which moves each y relatively by about that much.
      for i in 0..<a.count { #expect(abs(a.scalars[i] - b.scalars[i]) <= 1e-13 * a.scalars[i] + 1e-300, "case \(k)") }
    }
  }

  @Test("the parallel path (600 rows, 78 000 elements) equals row-by-row serial runs bit for bit")
  func threadIndependence() {
    // Each row is one task with a fixed summation order, so a row computed alone (on the
    // calling thread, below the parallel threshold) must give the same bits.
    let x = Self.logits([600, 130], seed: 36)
    let dy: Tensor<Float> = Fill.normal([600, 130], seed: 37)
    let y = Fast.softmax(x), ly = Fast.logSoftmax(x)
    let dx = Fast.softmaxBackward(dy, output: y), ldx = Fast.logSoftmaxBackward(dy, output: ly)
    for r in stride(from: 0, to: 600, by: 7) {
      let row = { (t: Tensor<Float>) in
        Tensor<Float>(shape: [1, 130], scalars: Array(t.scalars[(130 * r)..<(130 * r + 130)]))
      }
      #expect(OpsTesting.identical(Fast.softmax(row(x)), row(y)), "row \(r)")
      #expect(OpsTesting.identical(Fast.logSoftmax(row(x)), row(ly)), "row \(r)")
      #expect(OpsTesting.identical(Fast.softmaxBackward(row(dy), output: row(y)), row(dx)), "row \(r)")
      #expect(OpsTesting.identical(Fast.logSoftmaxBackward(row(dy), output: row(ly)), row(ldx)), "row \(r)")
    }
  }
}
