import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("LSTM cell: PyTorch's gate order i, f, g, o; tanh or ReLU activation")
struct LSTMCellTests {
  // MARK: Fixtures

  /// W_ih 4×2, W_hh 4×1, biases, for the hand-evaluated step (H = 1, I = 2).
  static let handWeights = LSTMWeights<Double>(
    inputWeight: Tensor(shape: [4, 2], scalars: [0.5, -0.25, 0.125, 0.75, -0.5, 1.0, 0.25, 0.5]),
    hiddenWeight: Tensor(shape: [4, 1], scalars: [0.3, -0.2, 0.6, -0.4]),
    inputBias: Tensor(shape: [4], scalars: [0.1, 0.2, -0.1, 0.05]),
    hiddenBias: Tensor(shape: [4], scalars: [0.0, -0.1, 0.2, 0.15]))

  /// Weights and biases of an I → H cell, uniform in ±1/√(I+H) (PyTorch's default scale),
  /// with the biases present as requested.
  static func weights(inputSize: Int, hiddenSize: Int, biases: (Bool, Bool), seed: UInt64) -> LSTMWeights<Float> {
    let scale = 1 / Double(inputSize + hiddenSize).squareRoot()
    return LSTMWeights(
      inputWeight: uniformFloats([4 * hiddenSize, inputSize], -scale, scale, seed: seed),
      hiddenWeight: uniformFloats([4 * hiddenSize, hiddenSize], -scale, scale, seed: seed + 1),
      inputBias: biases.0 ? uniformFloats([4 * hiddenSize], -scale, scale, seed: seed + 2) : nil,
      hiddenBias: biases.1 ? uniformFloats([4 * hiddenSize], -scale, scale, seed: seed + 3) : nil)
  }

  static func widened(_ w: LSTMWeights<Float>) -> LSTMWeights<Double> {
    LSTMWeights(
      inputWeight: w.inputWeight.widened, hiddenWeight: w.hiddenWeight.widened,
      inputBias: w.inputBias?.widened, hiddenBias: w.hiddenBias?.widened)
  }

  static func widened(_ r: LSTMCellResult<Float>) -> LSTMCellResult<Double> {
    LSTMCellResult(
      hidden: r.hidden.widened, cell: r.cell.widened, gates: r.gates.widened, cellActivation: r.cellActivation.widened)
  }

  // MARK: Hand-evaluated step

  @Test("one step with H = 1, I = 2 gives the values evaluated by hand (tanh and ReLU)")
  func handStep() {
    let x = Tensor<Double>(shape: [1, 2], scalars: [1, 2])
    let h = Tensor<Double>(shape: [1, 1], scalars: [0.5])
    let c = Tensor<Double>(shape: [1, 1], scalars: [0.8])
    // z = W_ih x + b_ih + W_hh h + b_hh = (0.25, 1.625, 1.9, 1.25); then (Python, math module)
    // i, f, g, o, c′, act(c′), h′:
    let expected: [LSTMActivation: [Double]] = [
      .tanh: [
        0.5621765008857981, 0.8354835371034367, 0.9562374581277391, 0.7772998611746911, 1.2059610579089317,
        0.8354638365432164, 0.6494059241615169,
      ],
      .relu: [
        0.5621765008857981, 0.8354835371034367, 1.9, 0.7772998611746911, 1.7365221813657659, 1.7365221813657659,
        1.3497984505023815,
      ],
    ]
    for activation in LSTMActivation.allCases {
      let want = expected[activation]!
      let r = Literal.lstmCell(input: x, hidden: h, cell: c, weights: Self.handWeights, activation: activation)
      let got = r.gates.scalars + [r.cell.scalars[0], r.cellActivation.scalars[0], r.hidden.scalars[0]]
      // Each value is a few roundings (and one exp/tanh) of O(1) quantities: 1e-15 absolute.
      for (a, b) in zip(got, want) { #expect(abs(a - b) <= 1e-15, "\(activation): \(got) vs \(want)") }
      let fast = Fast.lstmCell(
        input: Tensor(converting: x), hidden: Tensor(converting: h), cell: Tensor(converting: c),
        weights: LSTMWeights(
          inputWeight: Tensor(converting: Self.handWeights.inputWeight),
          hiddenWeight: Tensor(converting: Self.handWeights.hiddenWeight),
          inputBias: Tensor(converting: Self.handWeights.inputBias!),
          hiddenBias: Tensor(converting: Self.handWeights.hiddenBias!)),
        activation: activation)
      let gotFast = fast.gates.scalars + [fast.cell.scalars[0], fast.cellActivation.scalars[0], fast.hidden.scalars[0]]
      // Float: inputs rounded (the weights are exact binary fractions except 0.3, 0.6, 0.2, 0.4,
      // 0.1, 0.05, 0.15), a dozen roundings of O(1) values: 1e-6 absolute.
      for (a, b) in zip(gotFast, want) { #expect(abs(Double(a) - b) <= 1e-6, "\(activation): \(gotFast) vs \(want)") }
    }
    // ReLU with z_g < 0 and c′ < 0: g = 0, act(c′) = 0, h′ = 0.
    let r = Literal.lstmCell(
      input: Tensor(shape: [1, 2], scalars: [1, -2]), hidden: h, cell: Tensor(shape: [1, 1], scalars: [-0.3]),
      weights: Self.handWeights, activation: .relu)
    #expect(r.gates.scalars[2] == 0 && r.cellActivation.scalars == [0] && r.hidden.scalars == [0])
    #expect(abs(r.cell.scalars[0] - -0.060543966678113625) <= 1e-15)
  }

  // MARK: Fast vs Literal

  static let shapes: [(n: Int, i: Int, h: Int)] = [
    (1, 1, 1), (3, 7, 8), (2, 17, 9), (1, 31, 16), (4, 16, 15), (2, 512, 256),
  ]

  /// Bounds for Fast (Float) against Literal (Double) on the same inputs, propagated to first
  /// order (plus the products of first-order terms) from the pre-activation error:
  ///   z: Float sum of I + H + 2 terms (b_ih + b_hh pre-added): E_z = γ_(I+H+3)·Σ|terms|;
  ///   σ: |σ′| ≤ ¼, expf ≤ 1 ulp and two roundings: Δσ = E_z/4 + 4u·σ;
  ///   tanh: |tanh′| ≤ 1, tanhf ≤ 2 ulps (glibc): Δ = E + 4u·|value|; ReLU: Δ = E;
  ///   c′ = f·c + i·g: Δc′ = |c|Δf + |g|Δi + iΔg + ΔiΔg + 3u(|fc| + |ig|);
  ///   h′ = o·a: Δh′ = |a|Δo + oΔa + ΔoΔa + u·|oa|.
  /// Each also allows 8 Double ulps for the reference itself.
  static func forwardBounds(
    x: Tensor<Double>, h: Tensor<Double>, c: Tensor<Double>, weights w: LSTMWeights<Double>,
    reference r: LSTMCellResult<Double>, activation: LSTMActivation
  ) -> (gates: Tensor<Double>, cell: Tensor<Double>, cellActivation: Tensor<Double>, hidden: Tensor<Double>) {
    let (n, inputSize, hiddenSize) = (x.shape[0], x.shape[1], h.shape[1])
    let u = Tolerance.floatUnitRoundoff, ud = 8 * 0x1p-53
    let gamma = Tolerance.gamma(inputSize + hiddenSize + 3)
    var gates = Tensor<Double>.zeros(r.gates.shape)
    var cell = Tensor<Double>.zeros(r.cell.shape), act = cell, hidden = cell
    func activationError(_ e: Double, _ value: Double) -> Double {
      activation == .tanh ? e + 4 * u * abs(value) : e
    }
    for ni in 0..<n {
      var dz = [Double](repeating: 0, count: 4 * hiddenSize)
      for row in 0..<(4 * hiddenSize) {
        var m = 0.0
        for k in 0..<inputSize { m += abs(w.inputWeight.scalars[row * inputSize + k] * x.scalars[ni * inputSize + k]) }
        for k in 0..<hiddenSize {
          m += abs(w.hiddenWeight.scalars[row * hiddenSize + k] * h.scalars[ni * hiddenSize + k])
        }
        m += abs(w.inputBias?.scalars[row] ?? 0) + abs(w.hiddenBias?.scalars[row] ?? 0)
        dz[row] = gamma * m
      }
      for j in 0..<hiddenSize {
        let base = ni * 4 * hiddenSize
        let (i, f, g, o) = (
          r.gates.scalars[base + j], r.gates.scalars[base + hiddenSize + j], r.gates.scalars[base + 2 * hiddenSize + j],
          r.gates.scalars[base + 3 * hiddenSize + j]
        )
        let di = dz[j] / 4 + 4 * u * i, df = dz[hiddenSize + j] / 4 + 4 * u * f
        let dg = activationError(dz[2 * hiddenSize + j], g), dO = dz[3 * hiddenSize + j] / 4 + 4 * u * o
        let cOld = c.scalars[ni * hiddenSize + j], a = r.cellActivation.scalars[ni * hiddenSize + j]
        let dc = abs(cOld) * df + abs(g) * di + i * dg + di * dg + 3 * u * (abs(f * cOld) + abs(i * g))
        let da = activationError(dc, a)
        let dh = abs(a) * dO + o * da + dO * da + u * abs(o * a)
        for (k, e, v) in [
          (j, di, i), (hiddenSize + j, df, f), (2 * hiddenSize + j, dg, g), (3 * hiddenSize + j, dO, o),
        ] {
          gates.scalars[base + k] = e + ud * abs(v)
        }
        cell.scalars[ni * hiddenSize + j] = dc + ud * abs(r.cell.scalars[ni * hiddenSize + j])
        act.scalars[ni * hiddenSize + j] = da + ud * abs(a)
        hidden.scalars[ni * hiddenSize + j] = dh + ud * abs(r.hidden.scalars[ni * hiddenSize + j])
      }
    }
    return (gates, cell, act, hidden)
  }

  @Test("Fast forward equals Literal within the propagated bound, both activations, with and without biases")
  func fastForwardEqualsLiteral() {
    for (index, s) in Self.shapes.enumerated() {
      for activation in LSTMActivation.allCases {
        for biases in [(true, true), (false, false), (true, false)] {
          let w = Self.weights(inputSize: s.i, hiddenSize: s.h, biases: biases, seed: UInt64(10 * index))
          let x: Tensor<Float> = Fill.weyl([s.n, s.i])
          let h: Tensor<Float> = Fill.uniform([s.n, s.h], seed: 91)
          let c: Tensor<Float> = Fill.uniform([s.n, s.h], -2, 2, seed: 92)
          let wd = Self.widened(w)
          let reference = Literal.lstmCell(
            input: x.widened, hidden: h.widened, cell: c.widened, weights: wd, activation: activation)
          let fast = Fast.lstmCell(input: x, hidden: h, cell: c, weights: w, activation: activation)
          let b = Self.forwardBounds(
            x: x.widened, h: h.widened, c: c.widened, weights: wd, reference: reference, activation: activation)
          let label = "N \(s.n) I \(s.i) H \(s.h) \(activation) biases \(biases)"
          for (name, got, want, bound) in [
            ("gates", fast.gates, reference.gates, b.gates), ("c′", fast.cell, reference.cell, b.cell),
            ("act(c′)", fast.cellActivation, reference.cellActivation, b.cellActivation),
            ("h′", fast.hidden, reference.hidden, b.hidden),
          ] {
            let cmp = compare(got, want, bound: bound)
            #expect(cmp.passed, "\(label) \(name): \(cmp)")
          }
        }
      }
    }
  }

  @Test("Fast backward equals Literal backward on the same saved state within γ_(reduction+10)·Σ|terms|")
  func fastBackwardEqualsLiteral() {
    for (index, s) in Self.shapes.enumerated() {
      for activation in LSTMActivation.allCases {
        let w = Self.weights(inputSize: s.i, hiddenSize: s.h, biases: (true, true), seed: UInt64(10 * index + 5))
        let x: Tensor<Float> = Fill.weyl([s.n, s.i])
        let h: Tensor<Float> = Fill.uniform([s.n, s.h], seed: 93)
        let c: Tensor<Float> = Fill.uniform([s.n, s.h], -2, 2, seed: 94)
        let dh: Tensor<Float> = Fill.normal([s.n, s.h], seed: 95)
        let dc: Tensor<Float> = Fill.normal([s.n, s.h], seed: 96)
        let saved = Fast.lstmCell(input: x, hidden: h, cell: c, weights: w, activation: activation)
        let fast = Fast.lstmCellBackward(
          dHidden: dh, dCell: dc, input: x, hidden: h, cell: c, weights: w, saved: saved, activation: activation)
        let savedD = Self.widened(saved), wd = Self.widened(w)
        let reference = Literal.lstmCellBackward(
          dHidden: dh.widened, dCell: dc.widened, input: x.widened, hidden: h.widened, cell: c.widened,
          weights: wd, saved: savedD, activation: activation)

        // |dz| magnitudes: the dz formulas with every factor replaced by its magnitude and
        // every 1 − v by 1 + v (so each is Σ|terms| of its own evaluation); about ten
        // roundings deep, hence γ₁₀ for dz and dc, added to the depth of the sums after.
        let (n, hs) = (s.n, s.h)
        let (dhD, dcD, cD) = (dh.widened, dc.widened, c.widened)
        var dzAbs = Tensor<Double>.zeros([n, 4 * hs])
        var dcAbs = Tensor<Double>.zeros([n, hs])
        for ni in 0..<n {
          for j in 0..<hs {
            let base = ni * 4 * hs
            let (i, f, g, o) = (
              savedD.gates.scalars[base + j], savedD.gates.scalars[base + hs + j],
              savedD.gates.scalars[base + 2 * hs + j], savedD.gates.scalars[base + 3 * hs + j]
            )
            let a = savedD.cellActivation.scalars[ni * hs + j]
            let primeA = activation == .tanh ? 1 + a * a : (a > 0 ? 1 : 0)
            let primeG = activation == .tanh ? 1 + g * g : (g > 0 ? 1 : 0)
            let dhv = abs(dhD.scalars[ni * hs + j])
            let total = abs(dcD.scalars[ni * hs + j]) + dhv * o * primeA
            dzAbs.scalars[base + j] = total * abs(g) * i * (1 + i)
            dzAbs.scalars[base + hs + j] = total * abs(cD.scalars[ni * hs + j]) * f * (1 + f)
            dzAbs.scalars[base + 2 * hs + j] = total * i * primeG
            dzAbs.scalars[base + 3 * hs + j] = dhv * abs(a) * o * (1 + o)
            dcAbs.scalars[ni * hs + j] = total * f
          }
        }
        func product(_ a: Tensor<Double>, _ b: Tensor<Double>, transposeA: Bool) -> Tensor<Double> {
          // transposeA: aᵀ·b (4H×N · N×K); else a·b (N×4H · 4H×K); all magnitudes.
          let (rows, inner, cols) =
            transposeA ? (a.shape[1], a.shape[0], b.shape[1]) : (a.shape[0], a.shape[1], b.shape[1])
          var out = Tensor<Double>.zeros([rows, cols])
          for r in 0..<rows {
            for k in 0..<inner {
              let av = abs(transposeA ? a.scalars[k * a.shape[1] + r] : a.scalars[r * a.shape[1] + k])
              for col in 0..<cols { out.scalars[r * cols + col] += av * abs(b.scalars[k * cols + col]) }
            }
          }
          return out
        }
        let gx = Tolerance.reduction(
          magnitude: product(dzAbs, wd.inputWeight, transposeA: false), terms: 4 * hs, extraOperations: 10)
        let gh = Tolerance.reduction(
          magnitude: product(dzAbs, wd.hiddenWeight, transposeA: false), terms: 4 * hs, extraOperations: 10)
        let gwi = Tolerance.reduction(
          magnitude: product(dzAbs, x.widened, transposeA: true), terms: n, extraOperations: 10)
        let gwh = Tolerance.reduction(
          magnitude: product(dzAbs, h.widened, transposeA: true), terms: n, extraOperations: 10)
        let ones = Tensor<Double>(shape: [n, 1], repeating: 1)
        let gb = Tolerance.reduction(
          magnitude: product(dzAbs, ones, transposeA: true).reshaped([4 * hs]), terms: n, extraOperations: 10)
        let gc = Tolerance.reduction(magnitude: dcAbs, terms: 0, extraOperations: 10)
        let label = "N \(s.n) I \(s.i) H \(s.h) \(activation)"
        for (name, got, want, bound) in [
          ("dx", fast.input, reference.input, gx), ("dh", fast.hidden, reference.hidden, gh),
          ("dc", fast.cell, reference.cell, gc), ("dW_ih", fast.inputWeight, reference.inputWeight, gwi),
          ("dW_hh", fast.hiddenWeight, reference.hiddenWeight, gwh), ("db", fast.bias, reference.bias, gb),
        ] {
          let cmp = compare(got, want, bound: bound)
          #expect(cmp.passed, "\(label) \(name): \(cmp)")
        }
      }
    }
  }

  // MARK: Finite differences

  @Test(
    "the backward is the vector-Jacobian product of the step in every input and parameter (Double)",
    arguments: LSTMActivation.allCases)
  func vjp(activation: LSTMActivation) throws {
    var rng = SeededRNG(seed: 0x157)
    for (n, inputSize, hiddenSize, biases) in [
      (2, 3, 2, (true, true)), (1, 1, 3, (false, true)), (3, 4, 1, (false, false)),
    ] {
      let wf = Self.weights(inputSize: inputSize, hiddenSize: hiddenSize, biases: biases, seed: 300)
      let w0 = Self.widened(wf)
      // Seeds chosen so that every ReLU pre-activation is at least 0.08 from its kink.
      let x0: Tensor<Double> = Fill.normal([n, inputSize], seed: 3024)
      let h0: Tensor<Double> = Fill.normal([n, hiddenSize], std: 0.5, seed: 3025)
      let c0: Tensor<Double> = Fill.normal([n, hiddenSize], seed: 3026)
      // θ = (x, h, c, W_ih, W_hh, b_ih?, b_hh?) flattened; f(θ) = (h′, c′).
      let parts = [x0, h0, c0, w0.inputWeight, w0.hiddenWeight] + [w0.inputBias, w0.hiddenBias].compactMap { $0 }
      let theta = Tensor<Double>(shape: [parts.map(\.count).reduce(0, +)], scalars: parts.flatMap(\.scalars))
      func unpack(_ t: Tensor<Double>) -> [Tensor<Double>] {
        var offset = 0
        return parts.map { p in
          defer { offset += p.count }
          return Tensor(shape: p.shape, scalars: Array(t.scalars[offset..<(offset + p.count)]))
        }
      }
      func weights(_ p: [Tensor<Double>]) -> LSTMWeights<Double> {
        var rest = p[5...].makeIterator()
        return LSTMWeights(
          inputWeight: p[3], hiddenWeight: p[4], inputBias: biases.0 ? rest.next() : nil,
          hiddenBias: biases.1 ? rest.next() : nil)
      }
      func step(_ t: Tensor<Double>) -> LSTMCellResult<Double> {
        let p = unpack(t)
        return Literal.lstmCell(input: p[0], hidden: p[1], cell: p[2], weights: weights(p), activation: activation)
      }
      // ReLU kinks (z_g = 0, c′ = 0) must stay farther than the finite-difference steps
      // (2h·|∂z/∂θ·v| ≲ 0.02 here) from the evaluation point.
      // |z_g| > 0.05 ⇔ |tanh z_g| > tanh 0.05, read from the g gate of a tanh step.
      if activation == .relu {
        let p = unpack(theta)
        let tanhStep = Literal.lstmCell(input: p[0], hidden: p[1], cell: p[2], weights: weights(p), activation: .tanh)
        let g = (0..<n).flatMap { ni in
          (0..<hiddenSize).map { tanhStep.gates.scalars[ni * 4 * hiddenSize + 2 * hiddenSize + $0] }
        }
        try #require(g.allSatisfy { abs($0) > 0.04996 }, "z_g too close to the ReLU kink: tanh z_g = \(g)")
        try #require(step(theta).cell.scalars.allSatisfy { abs($0) > 0.05 }, "c′ too close to the ReLU kink")
      }
      let check = checkVJP(
        { t in
          let r = step(t)
          return Tensor(shape: [2 * r.hidden.count], scalars: r.hidden.scalars + r.cell.scalars)
        },
        vjp: { t, dy in
          let p = unpack(t)
          let half = dy.count / 2
          let g = Literal.lstmCellBackward(
            dHidden: Tensor(shape: [n, hiddenSize], scalars: Array(dy.scalars[..<half])),
            dCell: Tensor(shape: [n, hiddenSize], scalars: Array(dy.scalars[half...])),
            input: p[0], hidden: p[1], cell: p[2], weights: weights(p), saved: step(t), activation: activation)
          let biasGradients = [biases.0, biases.1].filter { $0 }.map { _ in g.bias }
          let all = [g.input, g.hidden, g.cell, g.inputWeight, g.hiddenWeight] + biasGradients
          return Tensor(shape: t.shape, scalars: all.flatMap(\.scalars))
        }, at: theta, rng: &rng)
      #expect(check.passed, "N \(n) I \(inputSize) H \(hiddenSize) biases \(biases): \(check)")
    }
  }
}
