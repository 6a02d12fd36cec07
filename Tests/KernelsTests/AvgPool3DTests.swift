import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

@Suite("Average pool 3-D: PyTorch's divisor with and without count_include_pad, backward, literal and fast")
struct AvgPool3DTests {
  @Test(
    "Fast avgPool3d is within γ_(k+1)·Σ|x|/D of the Double literal, count_include_pad true and false",
    arguments: PoolCase.all)
  func forward(c: PoolCase) {
    let x: Tensor<Float> = Fill.weyl(c.shape, offset: 0.2)
    let k = c.geometry.kernel.product
    for include in [true, false] {
      let reference = Literal.avgPool3d(x.asDouble, geometry: c.geometry, countIncludePad: include)
      // At most k terms summed (k − 1 additions) and one division.
      let magnitude = Literal.avgPool3d(x.asDouble.magnitudes, geometry: c.geometry, countIncludePad: include)
      let r = compare(
        Fast.avgPool3d(x, geometry: c.geometry, countIncludePad: include), reference,
        bound: OpsTesting.gammaBound(magnitude, k + 1))
      #expect(r.passed, "countIncludePad \(include): \(r)")
    }
  }

  @Test(
    "Fast avgPool3dBackward equals the literal's sums (same order) within γ_(k+1), and the Float literal exactly",
    arguments: PoolCase.all)
  func backward(c: PoolCase) {
    let outShape = c.geometry.checkedOutputShape(input: c.shape)
    let dy: Tensor<Float> = Fill.normal(outShape, seed: 100)
    let k = c.geometry.kernel.product
    for include in [true, false] {
      let fast = Fast.avgPool3dBackward(dy, inputShape: c.shape, geometry: c.geometry, countIncludePad: include)
      let reference = Literal.avgPool3dBackward(
        dy.asDouble, inputShape: c.shape, geometry: c.geometry, countIncludePad: include)
      // Each input element sums ≤ k quotients dy/D (one rounding each, then the additions).
      let magnitude = Literal.avgPool3dBackward(
        dy.asDouble.magnitudes, inputShape: c.shape, geometry: c.geometry, countIncludePad: include)
      let r = compare(fast, reference, bound: OpsTesting.gammaBound(magnitude, k + 1))
      #expect(r.passed, "countIncludePad \(include): \(r)")
      let literalFloat = Literal.avgPool3dBackward(
        dy, inputShape: c.shape, geometry: c.geometry, countIncludePad: include)
      #expect(OpsTesting.identical(fast, literalFloat), "countIncludePad \(include)")
    }
  }

  @Test(
    "avgPool3dBackward is the VJP of avgPool3d (finite differences), count_include_pad true and false",
    arguments: [PoolCase.all[1], PoolCase.all[5], PoolCase.all[7]])
  func vjp(c: PoolCase) {
    var rng = SeededRNG(seed: 101)
    let x: Tensor<Double> = Fill.normal(c.shape, seed: 102)
    for include in [true, false] {
      let check = checkVJP(
        { Literal.avgPool3d($0, geometry: c.geometry, countIncludePad: include) },
        vjp: { x, dy in
          Literal.avgPool3dBackward(dy, inputShape: x.shape, geometry: c.geometry, countIncludePad: include)
        }, at: x, rng: &rng)
      #expect(check.passed, "countIncludePad \(include): \(check)")
    }
  }

  @Test("hand-computed divisors along W: [1, 2, 3, 4, 5], k 3, s 2, p 1 → [1, 3, 3] (include) and [1.5, 3, 4.5]")
  func borderDivisor1D() {
    // PyTorch: start = o·2 − 1, end = min(start + 3, 5 + 1), padded extent end − start;
    // o = 0: [−1, 2) → elements 0, 1, extent 3; o = 1: [1, 4) → 1, 2, 3, extent 3;
    // o = 2: [3, 6) → 3, 4, extent min(6, 6) − 3 = 3. Include: sums 3, 9, 9 over 3;
    // exclude: over the element counts 2, 3, 2.
    let x = Tensor<Float>(shape: [1, 1, 1, 1, 5], scalars: [1, 2, 3, 4, 5])
    let g = Pool3DGeometry(kernel: Size3(1, 1, 3), stride: Size3(1, 1, 2), padding: Size3(0, 0, 1))
    #expect(Fast.avgPool3d(x, geometry: g, countIncludePad: true).scalars == [1, 3, 3])
    #expect(Literal.avgPool3d(x.asDouble, geometry: g, countIncludePad: true).scalars == [1, 3, 3])
    #expect(Fast.avgPool3d(x, geometry: g, countIncludePad: false).scalars == [1.5, 3, 4.5])
    #expect(Literal.avgPool3d(x.asDouble, geometry: g, countIncludePad: false).scalars == [1.5, 3, 4.5])
    // Backward, include: each output spreads dy/3; exclude: dy/2, dy/3, dy/2.
    let dy = Tensor<Float>(shape: [1, 1, 1, 1, 3], scalars: [6, 12, 18])
    #expect(
      Fast.avgPool3dBackward(dy, inputShape: x.shape, geometry: g, countIncludePad: true).scalars == [2, 6, 4, 10, 6])
    #expect(
      Fast.avgPool3dBackward(dy, inputShape: x.shape, geometry: g, countIncludePad: false).scalars == [3, 7, 4, 13, 9])
  }

  @Test("hand-computed 3-D corners: 2×2×2 input, k 2, s 2, p 1: every window holds one element of 8 slots")
  func borderDivisor3D() {
    // Each axis: o = 0 covers [−1, 1) → element 0; o = 1 covers [1, 3) → element 1 (padded
    // extent min(3, 2 + 1) − 1 = 2). So output [i, j, l] reads x[i, j, l] alone: divisor 8 with
    // padding counted, 1 without.
    let x = Tensor<Float>(shape: [1, 1, 2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, 8])
    let g = Pool3DGeometry(kernel: .cube(2), stride: .cube(2), padding: .cube(1))
    #expect(Fast.avgPool3d(x, geometry: g, countIncludePad: true).scalars == x.scalars.map { $0 / 8 })
    #expect(
      Literal.avgPool3d(x.asDouble, geometry: g, countIncludePad: true).scalars == x.asDouble.scalars.map { $0 / 8 })
    #expect(Fast.avgPool3d(x, geometry: g, countIncludePad: false).scalars == x.scalars)
    #expect(Literal.avgPool3d(x.asDouble, geometry: g, countIncludePad: false).scalars == x.asDouble.scalars)
  }

  @Test("on an all-ones input the output is (elements read)/k³ with padding counted and 1 without, any geometry")
  func onesGiveCoverage() {
    let gen = zip(Gen.int(in: 1...4), Gen.int(in: 1...3), Gen.int(in: 0...2), Gen.int(in: 1...9))
    OpsTesting.propertyCheck(seed: (0xA7_9001, 0xA7_9002, 0xA7_9003, 0xA7_9004), count: 80, input: gen) { n, input in
      let (k, s, pRaw, extent) = input
      let p = min(pRaw, k / 2)
      guard extent + 2 * p >= k else { return }
      let g = Pool3DGeometry(kernel: Size3(k, 1, k), stride: Size3(s, 1, s), padding: Size3(p, 0, p))
      let x = Tensor<Double>(shape: [1, 1, extent, 2, extent + 1], repeating: 1)
      let include = Literal.avgPool3d(x, geometry: g, countIncludePad: true)
      let exclude = Literal.avgPool3d(x, geometry: g, countIncludePad: false)
      let fastInclude = Fast.avgPool3d(Tensor<Float>(converting: x), geometry: g, countIncludePad: true)
      let out = include.shape
      for i in 0..<out[2] {
        for l in 0..<out[4] {
          // Elements read along an axis: |[o·s − p, o·s − p + k) ∩ [0, extent)|.
          func covered(_ o: Int, _ e: Int) -> Int { max(0, min(o * s - p + k, e) - max(o * s - p, 0)) }
          let read = Double(covered(i, extent) * covered(l, extent + 1))
          for j in 0..<2 {
            let idx = (i * 2 + j) * out[4] + l
            // Floor mode with p ≤ k/2: the padded extent is always k, so the divisor is k·1·k.
            #expect(include.scalars[idx] == read / Double(k * k), "case \(n) \(g) output [\(i), \(j), \(l)]")
            #expect(exclude.scalars[idx] == 1, "case \(n) \(g) output [\(i), \(j), \(l)]")
            #expect(fastInclude.scalars[idx] == Float(read / Double(k * k)), "case \(n) \(g) fast")
          }
        }
      }
    }
  }

  @Test("the parallel path (per-plane tasks) equals plane-by-plane serial runs bit for bit, max and average")
  func threadIndependence() {
    // Every N·C plane is one task; a plane pooled alone (≤ 64 K elements, on the calling
    // thread) must give the same bits, argmax shifted by the plane's offset.
    let c = PoolCase.all.last!
    let x: Tensor<Float> = Fill.weyl(c.shape)
    let planes = c.shape[0] * c.shape[1], inPlane = x.count / planes
    let single = [1, 1] + Array(c.shape[2...])
    let outShape = c.geometry.checkedOutputShape(input: c.shape), outPlane = Shape.elementCount(outShape) / planes
    let dy: Tensor<Float> = Fill.normal(outShape, seed: 103)
    let avg = Fast.avgPool3d(x, geometry: c.geometry, countIncludePad: false)
    let back = Fast.avgPool3dBackward(dy, inputShape: c.shape, geometry: c.geometry, countIncludePad: false)
    let max = Fast.maxPool3d(x, geometry: c.geometry)
    for p in 0..<planes {
      let xp = Tensor<Float>(shape: single, scalars: Array(x.scalars[(p * inPlane)..<((p + 1) * inPlane)]))
      let outRange = (p * outPlane)..<((p + 1) * outPlane)
      let dyp = Tensor<Float>(shape: [1, 1] + Array(outShape[2...]), scalars: Array(dy.scalars[outRange]))
      #expect(Fast.avgPool3d(xp, geometry: c.geometry, countIncludePad: false).scalars == Array(avg.scalars[outRange]))
      let bp = Fast.avgPool3dBackward(dyp, inputShape: single, geometry: c.geometry, countIncludePad: false)
      #expect(bp.scalars == Array(back.scalars[(p * inPlane)..<((p + 1) * inPlane)]))
      let mp = Fast.maxPool3d(xp, geometry: c.geometry)
      #expect(mp.output.scalars == Array(max.output.scalars[outRange]))
      #expect(mp.argmax.map { $0 + Int32(p * inPlane) } == Array(max.argmax[outRange]))
    }
  }
}
