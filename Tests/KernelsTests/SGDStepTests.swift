import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("SGD step as torch.optim.SGD: momentum with dampening, Nesterov, weight decay; literal and fast")
struct SGDStepTests {
  typealias T = ExtremalLossTesting

  static func settings(
    _ lr: Double, momentum: Double = 0, dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false
  ) -> SGDSettings {
    do throws(SGDSettingsError) {
      return try SGDSettings(
        learningRate: lr, momentum: momentum, dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    } catch {
      preconditionFailure("\(error)")
    }
  }

  /// The four settings of the reference file, by its names.
  static let named: [(String, SGDSettings)] = [
    ("li", settings(0.05, momentum: 0.9, dampening: 0.9)),
    ("torchray_clamped", settings(0.01, momentum: 0.9, dampening: 0.9)),
    ("nesterov", settings(0.1, momentum: 0.8, weightDecay: 0.05, nesterov: true)),
    ("plain", settings(0.2, weightDecay: 0.1)),
  ]

  /// Runs `steps` steps from p0 with the given gradients on one path, clamping to [0, 1] after
  /// each step when asked (TorchRay's `pmask.data.clamp(0, 1)`, which leaves the buffer alone).
  static func trajectory<S>(
    _ p0: Tensor<S>, _ gradients: [Tensor<S>], _ settings: SGDSettings, clamp: Bool,
    step: (Tensor<S>, Tensor<S>, Tensor<S>?, SGDSettings) -> SGDStepResult<S>
  ) -> [(Tensor<S>, Tensor<S>?)] where S: BinaryFloatingPoint {
    var p = p0, buffer: Tensor<S>? = nil, out: [(Tensor<S>, Tensor<S>?)] = []
    for g in gradients {
      let r = step(p, g, buffer, settings)
      p = clamp ? r.parameter.map { min(max($0, 0), 1) } : r.parameter
      buffer = r.momentumBuffer
      out.append((p, buffer))
    }
    return out
  }

  @Test("hand case: the first step keeps the whole gradient in the buffer, later ones (1 − τ) of it")
  func handCase() {
    // p = 1, g = 0.5 then 0.25; μ = 0.9, τ = 0.9, γ = 0.1.
    let s = Self.settings(0.1, momentum: 0.9, dampening: 0.9)
    let p0 = Tensor<Double>(shape: [1], scalars: [1])
    let first = Literal.sgdStep(p0, gradient: Tensor(shape: [1], scalars: [0.5]), momentumBuffer: nil, settings: s)
    #expect(first.momentumBuffer?.scalars == [0.5] && first.parameter.scalars == [0.95])
    let second = Literal.sgdStep(
      first.parameter, gradient: Tensor(shape: [1], scalars: [0.25]), momentumBuffer: first.momentumBuffer, settings: s)
    let buffer = 0.9 * 0.5 + (1 - 0.9) * 0.25
    #expect(abs(second.momentumBuffer!.scalars[0] - buffer) < 1e-16)
    #expect(abs(second.parameter.scalars[0] - (0.95 - 0.1 * buffer)) < 1e-16)
    // Without momentum there is no buffer.
    #expect(Literal.sgdStep(p0, gradient: p0, momentumBuffer: nil, settings: Self.settings(0.1)).momentumBuffer == nil)
  }

  @Test(
    "the Double literal follows torch.optim.SGD's float64 trajectories (six steps, four settings, one clamped as TorchRay)"
  )
  func torchTrajectories() throws {
    let f = try T.reference()
    let p0 = try f.float64(named: "sgd.p0"), all = try f.float64(named: "sgd.gradients")
    let steps = all.shape[0], size = p0.count
    let gradients = (0..<steps).map { k in
      Tensor(shape: p0.shape, scalars: Array(all.scalars[(k * size)..<((k + 1) * size)]))
    }
    for (name, settings) in Self.named {
      let parameters = try f.float64(named: "sgd.\(name).parameters"),
        buffers = try f.float64(named: "sgd.\(name).buffers")
      let ours = Self.trajectory(p0, gradients, settings, clamp: name.hasSuffix("clamped")) {
        Literal.sgdStep($0, gradient: $1, momentumBuffer: $2, settings: $3)
      }
      // Each step rounds a handful of products and sums on both sides, PyTorch perhaps with a
      // fused multiply-add: at most 3 roundings of 2⁻⁵³ relative per step of values ≤ 4 in size,
      // carried forward with gain ≤ 1 + μ + γ < 2 per step: 2^(k+1)·12·2⁻⁵³ after k steps
      // (≤ 2e-13 at k = 6), against moves of 10⁻³ and more that a wrong coefficient makes.
      for (k, (p, b)) in ours.enumerated() {
        let bound = Double(1 << (k + 2)) * 12 * 0x1p-53
        let ref = Array(parameters.scalars[(k * size)..<((k + 1) * size)]),
          refBuffer = Array(buffers.scalars[(k * size)..<((k + 1) * size)])
        #expect(zip(p.scalars, ref).allSatisfy { abs($0 - $1) <= bound }, "\(name) step \(k + 1): parameter")
        let buffer = b?.scalars ?? [Double](repeating: 0, count: size)
        #expect(zip(buffer, refBuffer).allSatisfy { abs($0 - $1) <= bound }, "\(name) step \(k + 1): buffer")
      }
      let last = ours.last!.0.scalars, ref = Array(parameters.scalars[((steps - 1) * size)...])
      print("sgd \(name): max |Δp| after \(steps) steps \(zip(last, ref).map { abs($0 - $1) }.max()!)")
    }
  }

  @Test(
    "Fast equals the Float literal bit for bit along a trajectory",
    arguments: [[1], [7], [16], [17], [2, 1, 3, 16, 16], [70_001]])
  func fastEqualsLiteral(shape: [Int]) {
    let p0 = uniformFloats(shape, 0, 1, seed: 3)
    let gradients = (0..<4).map { uniformFloats(shape, -2, 2, seed: 10 + UInt64($0)) }
    for (name, settings) in Self.named {
      let literal = Self.trajectory(p0, gradients, settings, clamp: false) {
        Literal.sgdStep($0, gradient: $1, momentumBuffer: $2, settings: $3)
      }
      let fast = Self.trajectory(p0, gradients, settings, clamp: false) {
        Fast.sgdStep($0, gradient: $1, momentumBuffer: $2, settings: $3)
      }
      for (k, (l, f)) in zip(literal, fast).enumerated() {
        #expect(T.identical(l.0, f.0), "\(name) \(shape) step \(k + 1): parameter")
        #expect(
          (l.1 == nil) == (f.1 == nil) && (l.1 == nil || T.identical(l.1!, f.1!)),
          "\(name) \(shape) step \(k + 1): buffer")
      }
    }
  }

  @Test(
    "P-SGD-1: the buffer is μ^(k−1)·g₁ + (1 − τ)·Σ μ^(k−i)·g_i; with τ = μ a constant gradient moves the parameter by exactly γ·g per step"
  )
  func dampenedBuffer() {
    var rng = SeededRNG(seed: 606)
    for (momentum, dampening) in [(0.9, 0.9), (0.8, 0.3)] {
      let s = Self.settings(0.05, momentum: momentum, dampening: dampening)
      let shape = [2, 1, 3, 4, 4]
      let gradients = (0..<12).map { _ in Tensor<Double>.normal(shape, using: &rng) }
      let path = Self.trajectory(Tensor<Double>.zeros(shape), gradients, s, clamp: false) {
        Literal.sgdStep($0, gradient: $1, momentumBuffer: $2, settings: $3)
      }
      for (k, (_, buffer)) in path.enumerated() {
        // b_(k+1) = μ^k·g_1 + (1 − τ)·Σ_{i=2..k+1} μ^(k+1−i)·g_i, summed in Double. Both sides
        // round a few times per step on values below 8 (|g| < 5 here): 64·2⁻⁵³ per step covers
        // them, while a damped first step is off by τ·μ^k·|g_1| ≥ 10⁻² for these k.
        let closed = Tensor<Double>(shape: shape) { e in
          var b = Double.pow(momentum, k) * gradients[0].scalars[e]
          for i in stride(from: 1, through: k, by: 1) {
            b += (1 - dampening) * Double.pow(momentum, k - i) * gradients[i].scalars[e]
          }
          return b
        }
        let c = compare(buffer!, closed, bound: Tolerance.uniform(64 * 0x1p-53 * Double(k + 1), like: closed))
        #expect(c.passed, "μ \(momentum) τ \(dampening) step \(k + 1): \(c)")
      }
    }
    // τ = μ = 0.9 on a constant gradient: every step moves by γ·g (to rounding), the buffer stays g.
    let s = Self.settings(0.01, momentum: 0.9, dampening: 0.9)
    let g = Tensor<Double>(shape: [3], scalars: [1, -2, 0.5])
    let path = Self.trajectory(Tensor<Double>.zeros([3]), Array(repeating: g, count: 50), s, clamp: false) {
      Literal.sgdStep($0, gradient: $1, momentumBuffer: $2, settings: $3)
    }
    for (k, (p, b)) in path.enumerated() {
      #expect(zip(b!.scalars, g.scalars).allSatisfy { abs($0 - $1) <= 1e-14 }, "step \(k + 1): buffer \(b!.scalars)")
      #expect(zip(p.scalars, g.scalars).allSatisfy { abs($0 + 0.01 * Double(k + 1) * $1) <= 1e-14 }, "step \(k + 1)")
    }
    // The Float path takes the same steps as the Float literal.
    let fast = Self.trajectory(
      Tensor<Float>.zeros([3]), Array(repeating: Tensor<Float>(shape: [3], scalars: [1, -2, 0.5]), count: 50), s,
      clamp: false
    ) {
      Fast.sgdStep($0, gradient: $1, momentumBuffer: $2, settings: $3)
    }
    let single = Self.trajectory(
      Tensor<Float>.zeros([3]), Array(repeating: Tensor<Float>(shape: [3], scalars: [1, -2, 0.5]), count: 50), s,
      clamp: false
    ) {
      Literal.sgdStep($0, gradient: $1, momentumBuffer: $2, settings: $3)
    }
    #expect(zip(fast, single).allSatisfy { T.identical($0.0, $1.0) && T.identical($0.1!, $1.1!) })
  }

  @Test("in Float, 1 − τ is rounded from Double as PyTorch's alpha (0.1f, not 1 − 0.9f)")
  func dampeningCoefficient() {
    let s = Self.settings(1, momentum: 0.5, dampening: 0.9)
    let p = Tensor<Float>(shape: [1], scalars: [0]), g = Tensor<Float>(shape: [1], scalars: [1])
    let r = Literal.sgdStep(p, gradient: g, momentumBuffer: Tensor(shape: [1], scalars: [0]), settings: s)
    #expect(r.momentumBuffer!.scalars[0] == Float(0.1) && Float(0.1) != 1 - Float(0.9))
  }

  @Test("settings that torch.optim.SGD refuses are refused with their name")
  func validation() {
    #expect(throws: SGDSettingsError.negative(name: "learning rate", value: -0.1)) {
      try SGDSettings(learningRate: -0.1)
    }
    #expect(throws: SGDSettingsError.negative(name: "momentum", value: -1)) {
      try SGDSettings(learningRate: 0.1, momentum: -1)
    }
    #expect(throws: SGDSettingsError.negative(name: "weight decay", value: -1)) {
      try SGDSettings(learningRate: 0.1, weightDecay: -1)
    }
    #expect(throws: SGDSettingsError.nesterov(momentum: 0.9, dampening: 0.9)) {
      try SGDSettings(learningRate: 0.1, momentum: 0.9, dampening: 0.9, nesterov: true)
    }
    #expect(throws: SGDSettingsError.nesterov(momentum: 0, dampening: 0)) {
      try SGDSettings(learningRate: 0.1, nesterov: true)
    }
    #expect(throws: SGDSettingsError.self) { try SGDSettings(learningRate: .nan) }
    #expect(throws: SGDSettingsError.notFinite(name: "dampening", value: .infinity)) {
      try SGDSettings(learningRate: 0.1, dampening: .infinity)
    }
  }
}
