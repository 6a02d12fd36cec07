import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("STEP's core loss L_K: the authors' core, strided responses, n_K, the two means; literal and fast")
struct CoreLossTests {
  typealias T = ExtremalLossTesting
  static let u = Tolerance.floatUnitRoundoff

  static func core(_ frames: Int, _ size: Int, _ shape: CoreShape = .ellipsoid) -> ExtremalCore {
    do throws(ExtremalLossError) { return try ExtremalCore(frames: frames, size: size, shape: shape) } catch {
      preconditionFailure("\(error)")
    }
  }

  /// K as a conv3d weight 1×1×K_t×s×s.
  static func weight(_ core: ExtremalCore) -> Tensor<Double> {
    Tensor(shape: [1, 1, core.frames, core.size, core.size], scalars: core.weights.map { Double($0) })
  }

  static func geometry(_ core: ExtremalCore) -> Conv3DGeometry {
    Conv3DGeometry(stride: Size3(1, core.size, core.size))
  }

  // MARK: The core, as the authors rasterise it

  @Test("the ellipsoid and cylinder are numpy's: every stored kernel of the authors' formula, voxel for voxel")
  func rasterisation() throws {
    let f = try T.reference()
    var checked = 0
    for name in f.names where name.hasPrefix("core.kernel.") {
      let parts = name.split(separator: ".")  // core kernel <shape> <kt>x<s>
      let shape = try #require(CoreShape(rawValue: String(parts[2])))
      let dims = parts[3].split(separator: "x").map { Int($0)! }
      let reference = try f.int64(named: name)
      if reference.scalars.allSatisfy({ $0 == 0 }) {
        #expect(throws: ExtremalLossError.emptyCore(frames: dims[0], size: dims[1], shape: shape.rawValue)) {
          try ExtremalCore(frames: dims[0], size: dims[1], shape: shape)
        }
      } else {
        let core = try ExtremalCore(frames: dims[0], size: dims[1], shape: shape)
        #expect(core.weights.map { Int64($0) } == reference.scalars, "\(name)")
        #expect(core.volume == Int(reference.scalars.reduce(0, +)), "\(name)")
        #expect(core.nominalVolume == Int(Double(dims[0] * dims[1] * dims[1]) * 0.5236), "\(name)")
      }
      checked += 1
    }
    #expect(checked == 20)
  }

  @Test("hand values: the paper's 8×11×11 cores hold 352 (ellipsoid) and 648 (cylinder) voxels against ⌊506.8⌋ = 506")
  func paperCore() {
    #expect(Self.core(8, 11).volume == 352 && Self.core(8, 11, .cylinder).volume == 648)
    #expect(Self.core(8, 11).nominalVolume == 506)
    // (c_h, c_w) = (0.6000000000000001, 0.8): distance² 1 + 2⁻⁵² rounds back to 1 under √.
    #expect(Self.core(1, 11, .cylinder).weights[8 * 11 + 9] == 1)
    #expect(Self.core(1, 11, .cylinder).volume == 81)
    // The middle of a 1-frame ellipsoid is at c_t = −1: only the centre voxel.
    #expect(Self.core(1, 11).volume == 1 && Self.core(1, 11).weights[5 * 11 + 5] == 1)
  }

  @Test("n_K = ⌈a·T·H·W / ⌊K_t·s²·0.5236⌋⌉ equals the authors' float64 value on every stored setting")
  func targetCounts() throws {
    let table = try T.reference().float64(named: "core.n_k.table")
    #expect(table.shape == [45, 7])
    for row in 0..<45 {
      let v = Array(table.scalars[(row * 7)..<(row * 7 + 7)])
      let core = Self.core(Int(v[3]), Int(v[4]))
      #expect(core.targetCount(area: v[5], frames: Int(v[0]), height: Int(v[1]), width: Int(v[2])) == Int(v[6]), "\(v)")
    }
    // The paper: 16 frames of 134 × 134, K_t = 8.
    #expect(
      [0.05, 0.1, 0.15, 0.5].map { Self.core(8, 11).targetCount(area: $0, frames: 16, height: 134, width: 134) } == [
        29, 57, 86, 284,
      ])
  }

  // MARK: Responses

  static let cases: [(shape: [Int], frames: Int, size: Int, coreShape: CoreShape)] = [
    ([1, 1, 1, 3, 3], 1, 3, .cylinder), ([2, 1, 4, 7, 8], 2, 3, .ellipsoid), ([3, 1, 5, 21, 22], 3, 5, .ellipsoid),
    ([2, 1, 6, 16, 17], 4, 7, .cylinder), ([1, 1, 9, 24, 24], 8, 11, .ellipsoid),
    ([2, 1, 10, 33, 35], 8, 11, .cylinder),
  ]

  @Test(
    "P-CORE-1: responses are the strided correlation with K over ΣK (Literal.conv3d), in [0, 1], 1 exactly on a full core"
  )
  func responsesAreConvolution() {
    for (k, c) in Self.cases.enumerated() {
      let core = Self.core(c.frames, c.size, c.coreShape)
      let m = T.mask(c.shape, .uniform, seed: UInt64(k)).widened
      let r = Literal.coreResponses(m, core: core)
      let conv = Literal.conv3d(m, weight: Self.weight(core), bias: nil, geometry: Self.geometry(core)).map {
        $0 / Double(core.volume)
      }
      let cmp = compare(r, conv, bound: conv.map { 4 * 0x1p-53 * $0 })
      #expect(cmp.passed, "\(c): \(cmp)")
      #expect(r.shape == [c.shape[0], 1] + Self.extent(core, c.shape).array)
      #expect(r.scalars.allSatisfy { $0 >= 0 && $0 <= 1 })
      // m = 1 on the core of the last window of row 0, 0 elsewhere: that response is 1, and
      // every window that shares no voxel with it is 0.
      let e = Self.extent(core, c.shape)
      var one = Tensor<Double>.zeros(c.shape)
      for t in 0..<c.frames {
        for h in 0..<c.size {
          for w in 0..<c.size where core.weights[(t * c.size + h) * c.size + w] == 1 {
            one[0, 0, e.t - 1 + t, c.size * (e.h - 1) + h, c.size * (e.w - 1) + w] = 1
          }
        }
      }
      let full = Literal.coreResponses(one, core: core)
      #expect(full[0, 0, e.t - 1, e.h - 1, e.w - 1] == 1, "\(c)")
      #expect(full.scalars.filter { $0 == 1 }.count == 1 && full.scalars.allSatisfy { $0 >= 0 && $0 <= 1 }, "\(c)")
    }
  }

  /// Per-response bound of a Float response against the Double literal: a sum of ΣK terms in
  /// Float (γ_ΣK times Σ|terms|, i.e. times the response of |m| before the division) and the
  /// division (u).
  static func responseBound(_ mask: Tensor<Float>, _ core: ExtremalCore) -> Tensor<Double> {
    let magnitude = Literal.coreResponses(mask.widened.magnitudes, core: core)
    return magnitude.map { (Tolerance.gamma(core.volume) + u) * $0 * 1.01 + Double(Float.leastNormalMagnitude) }
  }

  @Test("Fast responses equal the Float literal bit for bit and the Double literal within γ_ΣK")
  func fastResponses() {
    for (k, c) in Self.cases.enumerated() {
      let core = Self.core(c.frames, c.size, c.coreShape)
      for kind in T.Kind.allCases {
        let m = T.mask(c.shape, kind, seed: UInt64(10 + k))
        let fast = Fast.coreResponses(m, core: core)
        #expect(T.identical(fast, Literal.coreResponses(m, core: core)), "\(c) \(kind)")
        let cmp = compare(fast, Literal.coreResponses(m.widened, core: core), bound: Self.responseBound(m, core))
        #expect(cmp.passed, "\(c) \(kind): \(cmp)")
      }
    }
  }

  // MARK: The loss against the Double literal

  /// Bounds for a loss and gradient computed from responses R̃ with |R̃_w − R_w| ≤ δ_w (δ its
  /// largest value) against the exact ones, `unit` the unit roundoff of the arithmetic after the
  /// responses.
  ///
  /// Loss: sorting is 1-Lipschitz in the maximum norm, so the i-th largest responses differ by at
  /// most δ whatever the order of near-equal ones; each mean of squares (s − c)² then moves by
  /// at most the mean of (2|s − c| + δ)·δ, and the means themselves round (n + 4)·unit.
  ///
  /// Gradient (only where both sides order the windows alike — the caller checks that the n-th
  /// and (n+1)-th responses are more than 2δ apart): ∂L/∂R_w = 2(R_w − c_w)/n_w (n_w = n or
  /// P − n) moves by (2/n_w)(δ_w + 2·unit·|R_w − c_w|), its division by ΣK adds unit·|∂L/∂R_w|,
  /// and a voxel adds at most K_t windows (γ_K_t); the bound per window, scattered through K as
  /// the gradient is, bounds every voxel. 1 % covers second-order terms.
  static func lossAndGradientBounds(
    responses r: [Double], delta: [Double], n: Int, core: ExtremalCore, maskShape: [Int], row: Int, unit: Double
  ) -> (loss: Double, windowBounds: [Double]) {
    let p = r.count
    let maxDelta = delta.max() ?? 0
    let gammaKt = Double(core.frames) * unit / (1 - Double(core.frames) * unit)
    let order = Literal.argsort(r.map { -$0 })
    var moved = [0.0, 0.0], means = 0.0, windows = [Double](repeating: 0, count: p)
    for i in 0..<p {
      let w = order[i]
      let (side, target, count) = i < n ? (0, 1.0, n) : (1, 0.0, p - n)
      let deviation = abs(r[w] - target)
      moved[side] += (2 * deviation + maxDelta) * maxDelta
      means += deviation * deviation / Double(count)
      let derivative = 2 * deviation / Double(count)
      windows[w] =
        ((2 / Double(count)) * (delta[w] + 2 * unit * deviation) + (unit + gammaKt) * derivative) / Double(core.volume)
        * 1.01
    }
    let l = moved[0] / Double(n) + (p > n ? moved[1] / Double(p - n) : 0) + Double(p + 4) * unit * means
    return (l * 1.01, windows)
  }

  /// Scatters per-window bounds through K (the transpose of the strided correlation).
  static func scatter(_ windows: [Double], core: ExtremalCore, maskShape: [Int], extent: Size3) -> Tensor<Double> {
    let dy = Tensor(shape: [maskShape[0], 1, extent.t, extent.h, extent.w], scalars: windows)
    return Literal.conv3dBackwardInput(
      dy, weight: Self.weight(core), inputShape: maskShape, geometry: Self.geometry(core))
  }

  static func extent(_ core: ExtremalCore, _ shape: [Int]) -> Size3 {
    do throws(ExtremalLossError) {
      return try core.responseExtent(frames: shape[2], height: shape[3], width: shape[4])
    } catch {
      preconditionFailure("\(error)")
    }
  }

  /// Areas that give n_K below P, at P (n_K ≥ P) and in between, for a case.
  static func areas(rows: Int, seed: UInt64) -> [Double] {
    var rng = SeededRNG(seed: seed)
    let choices = [0.03, 0.2, 0.5, 0.97]
    return (0..<rows).map { _ in choices[rng.int(below: choices.count)] * (1 + 0.01 * rng.uniform(-1, 1)) }
  }

  @Test("Fast equals the Float literal bit for bit and the Double literal within the derived bounds", arguments: 0..<6)
  func fastEqualsLiteral(caseIndex: Int) throws {
    let c = Self.cases[caseIndex]
    let core = Self.core(c.frames, c.size, c.coreShape)
    let e = Self.extent(core, c.shape)
    let p = e.product
    for kind in T.Kind.allCases {
      let m = T.mask(c.shape, kind, seed: UInt64(20 + caseIndex))
      let areas = Self.areas(rows: c.shape[0], seed: UInt64(caseIndex))
      for (k, ties) in T.tieOrders(rows: c.shape[0], count: p, seed: 7).enumerated() {
        let label = "\(c) \(kind) ties \(k)"
        let fast = Fast.coreLoss(m, areas: areas, core: core, tieOrder: ties)
        let single = Literal.coreLoss(m, areas: areas, core: core, tieOrder: ties)
        #expect(T.identical(fast.gradient, single.gradient), "\(label): gradient differs from Literal<Float>")
        let double = Literal.coreLoss(m.widened, areas: areas, core: core, tieOrder: ties)
        let r = Literal.coreResponses(m.widened, core: core).scalars
        let delta = Self.responseBound(m, core).scalars
        var windowBounds: [Double] = []
        var samePartition = true
        for a in 0..<c.shape[0] {
          let rows = Array(r[(a * p)..<((a + 1) * p)]), deltas = Array(delta[(a * p)..<((a + 1) * p)])
          let n = min(core.targetCount(area: areas[a], frames: c.shape[2], height: c.shape[3], width: c.shape[4]), p)
          let (lossBound, windows) = Self.lossAndGradientBounds(
            responses: rows, delta: deltas, n: n, core: core, maskShape: c.shape, row: a, unit: Self.u)
          #expect(
            abs(Double(fast.loss[a]) - double.loss[a]) <= lossBound + Self.u * double.loss[a],
            "\(label) row \(a): \(fast.loss[a]) vs \(double.loss[a])")
          windowBounds += windows
          let sorted = rows.sorted(by: >)
          if n < p && sorted[n - 1] - sorted[n] <= 2 * (deltas.max() ?? 0) { samePartition = false }
        }
        // Masks with ties at the boundary (clamped, quantised, specials) can put a different
        // window on each side in Float and in Double: the gradient is then compared bit for bit
        // with the Float literal only (above).
        if samePartition {
          let bound = Self.scatter(windowBounds, core: core, maskShape: c.shape, extent: e).map {
            $0 + Double(Float.leastNormalMagnitude)
          }
          let cmp = compare(fast.gradient, double.gradient, bound: bound)
          #expect(cmp.passed, "\(label): gradient \(cmp)")
        } else {
          #expect(kind != .uniform, "\(label): uniform masks should keep the boundary open")
        }
      }
    }
  }

  @Test("Fast results do not depend on the thread count")
  func threadIndependence() {
    let core = Self.core(8, 11)
    let m = T.mask([4, 1, 16, 46, 46], .clamped, seed: 5)
    let areas = [0.05, 0.1, 0.15, 0.5]
    let one = FastThreads.withCount(1) { Fast.coreLoss(m, areas: areas, core: core) }
    for threads in [2, 3, 8] {
      let many = FastThreads.withCount(threads) { Fast.coreLoss(m, areas: areas, core: core) }
      #expect(T.identical(one.gradient, many.gradient) && T.identical(one.loss, many.loss), "\(threads) threads")
    }
  }

  // MARK: Finite differences

  /// A mask whose responses are at least 0.04 apart: every s×s cell of every row gets its own
  /// level (a shuffled 0, 1, 2, …), every frame adds 0.05·t, and a ±0.002 noise breaks the
  /// structure. Responses are then level + 0.05·(t_o + mean core frame) ± 0.002, so a
  /// finite-difference step (≤ 2h·|v| ≈ 0.008) never reorders two of them.
  static func separated(_ shape: [Int], core: ExtremalCore, seed: UInt64) -> Tensor<Double> {
    var rng = SeededRNG(seed: seed)
    let cellsH = shape[3] / core.size + 1, cellsW = shape[4] / core.size + 1
    let levels = (0..<shape[0]).map { _ in rng.permutation(cellsH * cellsW).map { Double($0) } }
    return Tensor(shape: shape) { i in
      let w = i % shape[4], h = (i / shape[4]) % shape[3], t = (i / (shape[4] * shape[3])) % shape[2]
      let a = i / (shape[4] * shape[3] * shape[2])
      return levels[a][(h / core.size) * cellsW + w / core.size] + 0.05 * Double(t) + 0.002 * rng.uniform(-1, 1)
    }
  }

  @Test(
    "P-CORE-3: the gradient of L_K matches finite differences in Double, with n_K below P and n_K ≥ P", arguments: 0..<6
  )
  func finiteDifferences(caseIndex: Int) {
    let c = Self.cases[caseIndex]
    let core = Self.core(c.frames, c.size, c.coreShape)
    var rng = SeededRNG(seed: UInt64(40 + caseIndex))
    for areas in [Self.areas(rows: c.shape[0], seed: 3), [Double](repeating: 0.97, count: c.shape[0])] {
      let x = Self.separated(c.shape, core: core, seed: UInt64(caseIndex))
      let check = checkVJP(
        { m in Tensor(shape: [c.shape[0]], scalars: Literal.coreLoss(m, areas: areas, core: core).loss) },
        vjp: { m, dy in T.rowVJP(Literal.coreLoss(m, areas: areas, core: core).gradient, dy) }, at: x, rng: &rng)
      #expect(check.passed, "\(c) areas \(areas): \(check)")
    }
  }

  // MARK: The authors' code

  @Test(
    "the authors' L_K and its autograd gradient: core 3×5×5 (ellipsoid and cylinder), the paper's 8×11×11, tied responses with per-row permutations"
  )
  func authors() throws {
    let f = try T.reference()
    let small = try f.float32(named: "core.small.mask"), smallAreas = try f.float64(named: "core.small.areas").scalars
    for shape in CoreShape.allCases {
      let core = Self.core(3, 5, shape)
      let responses = try f.float64(named: "core.small.\(shape).responses")
      let cmp = compare(
        Literal.coreResponses(small.widened, core: core), responses.reshaped([3, 1, 3, 4, 4]),
        bound: responses.reshaped([3, 1, 3, 4, 4]).map { 4 * Double(core.volume) * 0x1p-53 * $0 })
      #expect(cmp.passed, "responses \(shape): \(cmp)")
      try Self.expectReference(
        small, areas: smallAreas, core: core, tieOrder: .stable, loss: try f.float64(named: "core.small.\(shape).loss"),
        gradient: try f.float64(named: "core.small.\(shape).gradient"), "small \(shape)")
    }
    try Self.expectReference(
      try f.float32(named: "core.paper.mask"), areas: [0.3], core: Self.core(8, 11), tieOrder: .stable,
      loss: try f.float64(named: "core.paper.loss"), gradient: try f.float64(named: "core.paper.gradient"), "paper core"
    )
    let perms = try f.int64(named: "core.ties.permutations")
    let permutations = (0..<2).map { a in perms.scalars[(a * 36)..<((a + 1) * 36)].map { Int($0) } }
    try Self.expectReference(
      try f.float32(named: "core.ties.mask"), areas: [0.05, 0.12], core: Self.core(3, 5),
      tieOrder: .permuted(permutations),
      loss: try f.float64(named: "core.ties.loss"), gradient: try f.float64(named: "core.ties.gradient"), "ties")
  }

  @Test(
    "P-CORE-4: n_K ≥ P — the authors' second mean is over no response (NaN); here it is 0, the loss the mean of (R − 1)²"
  )
  func fullCount() throws {
    var checked = 0
    for (k, c) in Self.cases.enumerated() {
      let core = Self.core(c.frames, c.size, c.coreShape)
      let m = T.mask(c.shape, .uniform, seed: UInt64(60 + k))
      let areas = [Double](repeating: 0.999, count: c.shape[0])
      let p = Self.extent(core, c.shape).product
      // Cores much smaller than their nominal volume never reach n_K ≥ P (2×3×3 ellipsoid: 2 voxels).
      guard core.targetCount(area: 0.999, frames: c.shape[2], height: c.shape[3], width: c.shape[4]) >= p else {
        continue
      }
      checked += 1
      let r = Literal.coreResponses(m.widened, core: core).scalars, delta = Self.responseBound(m, core).scalars
      let literal = Literal.coreLoss(m.widened, areas: areas, core: core).loss
      let fast = Fast.coreLoss(m, areas: areas, core: core).loss
      for a in 0..<c.shape[0] {
        let rows = Array(r[(a * p)..<((a + 1) * p)])
        let want = rows.reduce(0) { $0 + ($1 - 1) * ($1 - 1) } / Double(p)
        #expect(abs(literal[a] - want) <= Double(p + 4) * 0x1p-52 * want, "\(c) row \(a)")
        let bound = Self.lossAndGradientBounds(
          responses: rows, delta: Array(delta[(a * p)..<((a + 1) * p)]), n: p, core: core, maskShape: c.shape, row: a,
          unit: Self.u
        ).loss
        #expect(abs(Double(fast[a]) - want) <= bound + Self.u * want, "\(c) row \(a): fast \(fast[a]) vs \(want)")
      }
    }
    #expect(checked >= 4)
    let f = try T.reference()
    #expect(try f.float64(named: "core.full.authors_loss").scalars[0].isNaN)
    let core = Self.core(2, 5)
    #expect(core.targetCount(area: 0.9, frames: 4, height: 10, width: 10) == 14)  // P = 3·2·2 = 12
    try Self.expectReference(
      try f.float32(named: "core.full.mask"), areas: [0.9], core: core, tieOrder: .stable,
      loss: try f.float64(named: "core.full.loss"), gradient: try f.float64(named: "core.full.gradient"), "n_K ≥ P")
  }

  /// The Double literal against PyTorch float64 (both sides' responses sum ΣK terms in some
  /// order: δ_w = 2(ΣK + 2)·2⁻⁵³·R_w; then the bounds of `lossAndGradientBounds` with unit 2⁻⁵²),
  /// and Fast on the float32 mask within its own bound of the literal plus that.
  static func expectReference(
    _ mask: Tensor<Float>, areas: [Double], core: ExtremalCore, tieOrder: TieOrder, loss: Tensor<Double>,
    gradient: Tensor<Double>, _ label: String
  ) throws {
    let literal = Literal.coreLoss(mask.widened, areas: areas, core: core, tieOrder: tieOrder)
    let e = Self.extent(core, mask.shape)
    let p = e.product
    let r = Literal.coreResponses(mask.widened, core: core).scalars
    let fastDelta = Self.responseBound(mask, core).scalars
    var referenceWindows: [Double] = [], fastWindows: [Double] = []
    let fast = Fast.coreLoss(mask, areas: areas, core: core, tieOrder: tieOrder)
    for a in 0..<mask.shape[0] {
      let rows = Array(r[(a * p)..<((a + 1) * p)])
      let n = min(
        core.targetCount(area: areas[a], frames: mask.shape[2], height: mask.shape[3], width: mask.shape[4]), p)
      let delta = rows.map { 2 * Double(core.volume + 2) * 0x1p-53 * $0 }
      let (lossBound, windows) = Self.lossAndGradientBounds(
        responses: rows, delta: delta, n: n, core: core, maskShape: mask.shape, row: a, unit: 0x1p-52)
      #expect(
        abs(literal.loss[a] - loss.scalars[a]) <= lossBound,
        "\(label) row \(a): literal \(literal.loss[a]) vs \(loss.scalars[a])")
      referenceWindows += windows
      let (fastLossBound, fastWindowBounds) = Self.lossAndGradientBounds(
        responses: rows, delta: Array(fastDelta[(a * p)..<((a + 1) * p)]), n: n, core: core, maskShape: mask.shape,
        row: a, unit: u)
      #expect(
        abs(Double(fast.loss[a]) - loss.scalars[a]) <= lossBound + fastLossBound + u * loss.scalars[a],
        "\(label) row \(a): fast \(fast.loss[a]) vs \(loss.scalars[a])")
      fastWindows += fastWindowBounds
    }
    let g = gradient.reshaped(mask.shape)
    let bound = Self.scatter(referenceWindows, core: core, maskShape: mask.shape, extent: e)
    let cmp = compare(literal.gradient, g, bound: bound.map { $0 + 1e-300 })
    #expect(cmp.passed, "\(label): literal gradient \(cmp)")
    let fastBound = Self.scatter(
      zip(referenceWindows, fastWindows).map { $0 + $1 }, core: core, maskShape: mask.shape, extent: e)
    let fcmp = compare(fast.gradient, g, bound: fastBound.map { $0 + Double(Float.leastNormalMagnitude) })
    #expect(fcmp.passed, "\(label): fast gradient \(fcmp)")
    print(
      "reference core \(label): literal max |Δloss| \(zip(literal.loss, loss.scalars).map { abs($0 - $1) }.max()!), "
        + "max |Δgradient| \(T.maxDifference(literal.gradient, g)); fast max |Δloss| "
        + "\(zip(fast.loss, loss.scalars).map { abs(Double($0) - $1) }.max()!), max |Δgradient| \(T.maxDifference(fast.gradient.widened, g))"
    )
  }

  // MARK: Bad input

  @Test("bad settings name themselves: frames or size < 1, an empty core, a core larger than the mask")
  func validation() throws {
    #expect(throws: ExtremalLossError.coreFrames(0)) { try ExtremalCore(frames: 0) }
    #expect(throws: ExtremalLossError.coreSize(-1)) { try ExtremalCore(size: -1) }
    #expect(throws: ExtremalLossError.emptyCore(frames: 1, size: 1, shape: "cylinder")) {
      try ExtremalCore(frames: 1, size: 1, shape: .cylinder)
    }
    let core = try ExtremalCore()
    #expect(throws: ExtremalLossError.coreLargerThanMask(core: [8, 11, 11], mask: [7, 134, 134])) {
      try core.validate(maskShape: [1, 1, 7, 134, 134], areas: [0.1], tieOrder: .stable)
    }
    #expect(throws: ExtremalLossError.coreLargerThanMask(core: [8, 11, 11], mask: [8, 10, 134])) {
      try core.validate(maskShape: [1, 1, 8, 10, 134], areas: [0.1], tieOrder: .stable)
    }
    #expect(throws: ExtremalLossError.area(index: 0, value: 1.5)) {
      try core.validate(maskShape: [1, 1, 8, 11, 11], areas: [1.5], tieOrder: .stable)
    }
    #expect(throws: ExtremalLossError.tiePermutation(index: 0, expected: 1)) {
      try core.validate(maskShape: [1, 1, 8, 11, 11], areas: [0.5], tieOrder: .permuted([[0, 1]]))
    }
    try core.validate(maskShape: [2, 1, 16, 134, 134], areas: [0.1, 0.5], tieOrder: .permuted([Array(0..<1296)]))
    #expect(try core.responseExtent(frames: 16, height: 134, width: 134) == Size3(9, 12, 12))
  }
}
