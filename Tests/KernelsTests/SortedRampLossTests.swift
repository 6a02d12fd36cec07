import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Sorted-ramp area loss: per frame (2D-EP) and per clip (3D-EP), literal and fast, TorchRay's regulariser")
struct SortedRampLossTests {
  typealias T = ExtremalLossTesting
  static let u = Tolerance.floatUnitRoundoff

  /// Bound for a Fast loss against the Double literal on the same inputs. Fast forms each
  /// d = m − r exactly in Double, rounds d² (2⁻⁵³ relative), adds the n terms of a group in Double
  /// (γ_n in Double, terms ≥ 0 so relative to the sum), divides by n, averages G groups and rounds
  /// once to Float (u). The literal's own Double error is of the same form, so
  ///   |fast − literal| ≤ L·(u + 2·(n + G + 4)·2⁻⁵³),
  /// with 1 % for second-order terms. A wrong ramp count or an unsorted pairing moves L by
  /// O(1/n) relative or more.
  static func lossBound(_ l: Double, n: Int, groups: Int) -> Double {
    abs(l) * (u + 2 * Double(n + groups + 4) * 0x1p-53) * 1.01
  }

  /// Checks Fast against Literal (Double and Float) on one input: the gradient bit for bit equal
  /// to the literal in Float (the same element meets the same ramp value, one formula) and within
  /// 4 ulps of the Double literal (m − r and the product round once each, the coefficient
  /// 2/(G·n) once), the loss within `lossBound`.
  static func expectAgreement(
    _ mask: Tensor<Float>, areas: [Double], grouping: AreaGrouping, tieOrder: TieOrder, _ label: String,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let fast = Fast.sortedRampLoss(mask, areas: areas, grouping: grouping, tieOrder: tieOrder)
    let single = Literal.sortedRampLoss(mask, areas: areas, grouping: grouping, tieOrder: tieOrder)
    let double = Literal.sortedRampLoss(mask.widened, areas: areas, grouping: grouping, tieOrder: tieOrder)
    #expect(
      T.identical(fast.gradient, single.gradient), "\(label): gradient differs from Literal<Float>",
      sourceLocation: sourceLocation)
    let c = compare(fast.gradient, double.gradient, bound: Tolerance.elementwise(reference: double.gradient, ulps: 4))
    #expect(c.passed, "\(label): gradient \(c)", sourceLocation: sourceLocation)
    let (groups, n) = SortedRampLoss.groupLayout(maskShape: mask.shape, grouping: grouping)
    for (a, (f, l)) in zip(fast.loss, double.loss).enumerated() {
      let agree = (f.isNaN && l.isNaN) || abs(Double(f) - l) <= lossBound(l, n: n, groups: groups)
      #expect(agree, "\(label): row \(a) loss \(f) vs \(l)", sourceLocation: sourceLocation)
    }
  }

  /// Two Double evaluations of the same mean of n squares over G groups, summed in different
  /// orders: each within (n + G + 4)·2⁻⁵³·L of the exact value.
  static func doubleSumBound(_ l: Double, n: Int, groups: Int) -> Double {
    2 * Double(n + groups + 4) * 0x1p-53 * abs(l)
  }

  // MARK: Hand-computed cases

  @Test("hand case: four values, area ½ — sorted (0.1, 0.3, 0.6, 0.9) against the ramp (0, 0, 1, 1)")
  func handCase() {
    let m = Tensor<Double>(shape: [1, 1, 1, 1, 4], scalars: [0.9, 0.1, 0.6, 0.3])
    for r in [
      Literal.sortedRampLoss(m, areas: [0.5], grouping: .clip),
      Literal.sortedRampLoss(m, areas: [0.5], grouping: .frame),
    ] {
      #expect(abs(r.loss[0] - (0.01 + 0.09 + 0.16 + 0.01) / 4) < 1e-15)
      let expected = [-0.05, 0.05, -0.2, 0.15]  // (2/4)·(m_j − r_rank(j))
      #expect(zip(r.gradient.scalars, expected).allSatisfy { abs($0 - $1) < 1e-15 }, "\(r.gradient.scalars)")
    }
    let f = Fast.sortedRampLoss(
      Tensor<Float>(shape: [1, 1, 1, 1, 4], scalars: [0.9, 0.1, 0.6, 0.3]), areas: [0.5], grouping: .clip)
    #expect(abs(Double(f.loss[0]) - 0.0675) < 1e-8)
  }

  @Test("hand case: two frames — per frame each keeps its own budget, the clip shares one")
  func framesAgainstClip() {
    // Frames (0.2, 0.3) and (0.7, 0.9), area ½.
    let m = Tensor<Double>(shape: [1, 1, 2, 1, 2], scalars: [0.2, 0.3, 0.7, 0.9])
    let frame = Literal.sortedRampLoss(m, areas: [0.5], grouping: .frame)
    let clip = Literal.sortedRampLoss(m, areas: [0.5], grouping: .clip)
    // Per frame: ramps (0, 1) and (0, 1): ((0.04 + 0.49)/2 + (0.49 + 0.01)/2)/2.
    #expect(abs(frame.loss[0] - 0.2575) < 1e-15)
    #expect(zip(frame.gradient.scalars, [0.1, -0.35, 0.35, -0.05]).allSatisfy { abs($0 - $1) < 1e-15 })
    // Per clip: sorted (0.2, 0.3, 0.7, 0.9) against (0, 0, 1, 1).
    #expect(abs(clip.loss[0] - 0.0575) < 1e-15)
    #expect(zip(clip.gradient.scalars, [0.1, 0.15, -0.15, -0.05]).allSatisfy { abs($0 - $1) < 1e-15 })
  }

  @Test("hand case: ties — the all-ones start mask gives the zeros to the first elements in tie order")
  func handTies() {
    let ones = Tensor<Double>(shape: [1, 1, 1, 1, 4], repeating: 1)
    let stable = Literal.sortedRampLoss(ones, areas: [0.5], grouping: .clip)
    #expect(stable.loss == [0.5])
    #expect(stable.gradient.scalars == [0.5, 0.5, 0, 0])
    let permuted = Literal.sortedRampLoss(ones, areas: [0.5], grouping: .clip, tieOrder: .permuted([[3, 1, 0, 2]]))
    #expect(permuted.loss == [0.5])
    #expect(permuted.gradient.scalars == [0, 0.5, 0, 0.5])
    let fast = Fast.sortedRampLoss(
      Tensor<Float>(shape: [1, 1, 1, 1, 4], repeating: 1), areas: [0.5], grouping: .clip,
      tieOrder: .permuted([[3, 1, 0, 2]]))
    #expect(fast.gradient.scalars == [0, 0.5, 0, 0.5])
  }

  @Test("the ramp's zero count is int(n·(1 − a)) in float64, as TorchRay and Li et al.: 100·(1 − 0.9) gives 9")
  func zeroCounts() throws {
    #expect(SortedRampLoss.zeroCount(groupSize: 100, area: 0.9) == 9)
    #expect(SortedRampLoss.zeroCount(groupSize: 100, area: 0.5) == 50)
    let f = try T.reference()
    let n = try f.int64(named: "area.zero_count.n").scalars, a = try f.float64(named: "area.zero_count.area").scalars
    let z = try f.int64(named: "area.zero_count.z").scalars
    #expect(n.count == 84)
    for i in n.indices {
      #expect(SortedRampLoss.zeroCount(groupSize: Int(n[i]), area: a[i]) == Int(z[i]), "n \(n[i]) a \(a[i])")
    }
  }

  // MARK: Literal against fast

  static let shapes: [[Int]] = [
    [1, 1, 1, 1, 1], [1, 1, 1, 1, 7], [2, 1, 1, 8, 8], [3, 1, 2, 7, 9], [2, 1, 3, 9, 17], [4, 1, 5, 15, 16],
    [1, 1, 16, 16, 17],
  ]

  @Test("Fast equals Literal on every mask kind, both groupings, stable and permuted ties", arguments: shapes)
  func fastEqualsLiteral(shape: [Int]) {
    for kind in T.Kind.allCases {
      let mask = T.mask(shape, kind, seed: UInt64(shape.reduce(0, +)) &+ UInt64(kind.rawValue.count))
      let areas = T.areas(shape[0], seed: UInt64(shape[4]))
      for grouping in AreaGrouping.allCases {
        let n = SortedRampLoss.groupLayout(maskShape: shape, grouping: grouping).groupSize
        for (k, ties) in T.tieOrders(rows: shape[0], count: n, seed: 5).enumerated() {
          Self.expectAgreement(
            mask, areas: areas, grouping: grouping, tieOrder: ties, "\(shape) \(kind) \(grouping) ties \(k)")
        }
      }
    }
  }

  @Test("Fast equals Literal at the paper's size: 16 frames of 134 × 134, areas 0.05, 0.1, 0.15, 0.5")
  func paperSize() {
    let shape = [4, 1, 16, 134, 134]
    let areas = [0.05, 0.1, 0.15, 0.5]
    for kind in [T.Kind.uniform, .clamped] {
      let mask = T.mask(shape, kind, seed: 77)
      for grouping in AreaGrouping.allCases {
        let n = SortedRampLoss.groupLayout(maskShape: shape, grouping: grouping).groupSize
        var rng = SeededRNG(seed: 78)
        Self.expectAgreement(
          mask, areas: areas, grouping: grouping, tieOrder: .permuted([rng.permutation(n)]), "paper \(kind) \(grouping)"
        )
      }
    }
  }

  @Test("Fast: NaN propagates to the loss of its row only, the other rows are unchanged")
  func nanRows() {
    var mask = T.mask([2, 1, 2, 5, 5], .uniform, seed: 3)
    mask.scalars[7] = .nan
    let r = Fast.sortedRampLoss(mask, areas: [0.3, 0.6], grouping: .clip)
    #expect(r.loss[0].isNaN && !r.loss[1].isNaN)
    Self.expectAgreement(mask, areas: [0.3, 0.6], grouping: .frame, tieOrder: .stable, "NaN")
  }

  @Test("Fast results do not depend on the thread count")
  func threadIndependence() {
    let mask = T.mask([4, 1, 8, 40, 41], .clamped, seed: 9)
    let areas = [0.05, 0.1, 0.15, 0.5]
    for grouping in AreaGrouping.allCases {
      let one = FastThreads.withCount(1) { Fast.sortedRampLoss(mask, areas: areas, grouping: grouping) }
      for threads in [2, 3, 8] {
        let many = FastThreads.withCount(threads) { Fast.sortedRampLoss(mask, areas: areas, grouping: grouping) }
        #expect(T.identical(one.gradient, many.gradient) && T.identical(one.loss, many.loss), "\(grouping) \(threads)")
      }
    }
  }

  // MARK: Finite differences

  /// Uniform values with the ramp's step kept open: every value at sorted position ≥ z of its
  /// group is raised by 0.1, so no ±2h·|v| perturbation moves an element across the step (the
  /// loss is smooth everywhere else: swapping two elements on the same side changes nothing).
  static func separated(_ shape: [Int], areas: [Double], grouping: AreaGrouping, seed: UInt64) -> Tensor<Double> {
    var m = Fill.uniform(shape, 0, 1, seed: seed) as Tensor<Double>
    let (groups, n) = SortedRampLoss.groupLayout(maskShape: shape, grouping: grouping)
    for g in 0..<(shape[0] * groups) {
      let z = SortedRampLoss.zeroCount(groupSize: n, area: areas[g / groups])
      let order = Literal.argsort(Array(m.scalars[(g * n)..<((g + 1) * n)]))
      for k in z..<n { m.scalars[g * n + order[k]] += 0.1 }
    }
    return m
  }

  @Test(
    "P-AREA-3: the gradient (2/(G·n))·(m_j − r_rank(j)) matches finite differences in Double and an independent ranking",
    arguments: AreaGrouping.allCases)
  func finiteDifferences(grouping: AreaGrouping) {
    var rng = SeededRNG(seed: 21)
    for shape in [[3, 1, 1, 6, 7], [2, 1, 4, 5, 6], [1, 1, 3, 1, 1]] {
      let areas = T.areas(shape[0], seed: UInt64(shape[2]))
      let x = Self.separated(shape, areas: areas, grouping: grouping, seed: UInt64(shape[3]))
      // The formula, with each element's rank from Swift's sort of (value, index) pairs.
      let (groups, n) = SortedRampLoss.groupLayout(maskShape: shape, grouping: grouping)
      let gradient = Literal.sortedRampLoss(x, areas: areas, grouping: grouping).gradient
      for g in 0..<(shape[0] * groups) {
        let z = SortedRampLoss.zeroCount(groupSize: n, area: areas[g / groups])
        let ranked = (0..<n).sorted { (x.scalars[g * n + $0], $0) < (x.scalars[g * n + $1], $1) }
        for (rank, j) in ranked.enumerated() {
          let want = 2 / Double(groups * n) * (x.scalars[g * n + j] - (rank < z ? 0 : 1))
          #expect(
            abs(gradient.scalars[g * n + j] - want) <= 4 * 0x1p-53 * abs(want),
            "\(shape) \(grouping) group \(g) rank \(rank)")
        }
      }
      let check = checkVJP(
        { m in Tensor(shape: [shape[0]], scalars: Literal.sortedRampLoss(m, areas: areas, grouping: grouping).loss) },
        vjp: { m, dy in T.rowVJP(Literal.sortedRampLoss(m, areas: areas, grouping: grouping).gradient, dy) },
        at: x, rng: &rng)
      #expect(check.passed, "\(shape) \(grouping): \(check)")
    }
  }

  // MARK: Peers

  @Test("TorchRay's regulariser (image masks, three areas in one batch) and its autograd gradient")
  func torchRay() throws {
    let f = try T.reference()
    let areas = try f.float64(named: "area.torchray.areas").scalars
    for (name, a) in [("area.torchray", areas), ("area.rounding", [0.9])] {
      let mask = try f.float32(named: "\(name).mask")
      let loss = try f.float64(named: "\(name).loss"), gradient = try f.float64(named: "\(name).gradient")
      try Self.expectReference(mask, areas: a, grouping: .clip, tieOrder: .stable, loss: loss, gradient: gradient, name)
    }
  }

  @Test("Li et al.'s clip budget (vref) and the per-frame budget on one clip, with autograd gradients")
  func liVolumeAndFrames() throws {
    let f = try T.reference()
    let mask = try f.float32(named: "area.video.mask"), areas = try f.float64(named: "area.video.areas").scalars
    for grouping in AreaGrouping.allCases {
      try Self.expectReference(
        mask, areas: areas, grouping: grouping, tieOrder: .stable,
        loss: try f.float64(named: "area.video.\(grouping).loss"),
        gradient: try f.float64(named: "area.video.\(grouping).gradient"), "video \(grouping)")
    }
  }

  @Test("ties: torch's stable sort in index order and after a stored permutation give the same gradients")
  func referenceTies() throws {
    let f = try T.reference()
    let mask = try f.float32(named: "area.ties.mask")
    let perms: [AreaGrouping: [Int]] = [
      .clip: try f.int64(named: "area.ties.permutation").scalars.map { Int($0) },
      .frame: try f.int64(named: "area.ties.frame_permutation").scalars.map { Int($0) },
    ]
    for grouping in AreaGrouping.allCases {
      for (label, ties) in [("stable", TieOrder.stable), ("permuted", .permuted([perms[grouping]!]))] {
        try Self.expectReference(
          mask, areas: [0.3, 0.55], grouping: grouping, tieOrder: ties,
          loss: try f.float64(named: "area.ties.\(grouping).\(label).loss"),
          gradient: try f.float64(named: "area.ties.\(grouping).\(label).gradient"), "ties \(grouping) \(label)")
      }
    }
  }

  /// The Double literal within 2·(n + G + 4)·2⁻⁵³·L of the reference loss (the same n squares,
  /// summed in another order by PyTorch and by the literal) and within 10⁻¹⁵·2/(G·n) of its
  /// gradient (each element (2/(G·n))·(m − r) rounds a few times on both sides: ≤ 4 ulps of at
  /// most 2/(G·n)); Fast within the bounds of `expectAgreement` plus the reference's own.
  static func expectReference(
    _ mask: Tensor<Float>, areas: [Double], grouping: AreaGrouping, tieOrder: TieOrder, loss: Tensor<Double>,
    gradient: Tensor<Double>, _ label: String
  ) throws {
    let literal = Literal.sortedRampLoss(mask.widened, areas: areas, grouping: grouping, tieOrder: tieOrder)
    let (groups, n) = SortedRampLoss.groupLayout(maskShape: mask.shape, grouping: grouping)
    for (a, (l, ref)) in zip(literal.loss, loss.scalars).enumerated() {
      #expect(
        abs(l - ref) <= doubleSumBound(ref, n: n, groups: groups), "\(label) row \(a): literal loss \(l) vs \(ref)")
    }
    let gradientBound = Tolerance.uniform(1e-15 * 2 / Double(groups * n), like: gradient)
    let c = compare(literal.gradient, gradient.reshaped(mask.shape), bound: gradientBound)
    #expect(c.passed, "\(label): literal gradient \(c)")
    let fast = Fast.sortedRampLoss(mask, areas: areas, grouping: grouping, tieOrder: tieOrder)
    for (a, (l, ref)) in zip(fast.loss, loss.scalars).enumerated() {
      #expect(
        abs(Double(l) - ref) <= lossBound(ref, n: n, groups: groups) + doubleSumBound(ref, n: n, groups: groups),
        "\(label) row \(a): fast loss \(l) vs \(ref)")
    }
    let fc = compare(
      fast.gradient, gradient.reshaped(mask.shape),
      bound: Tolerance.elementwise(reference: gradient.reshaped(mask.shape), ulps: 4))
    #expect(fc.passed, "\(label): fast gradient \(fc)")
    print(
      "reference \(label): literal max |Δloss| \(zip(literal.loss, loss.scalars).map { abs($0 - $1) }.max()!), "
        + "max |Δgradient| \(T.maxDifference(literal.gradient, gradient.reshaped(mask.shape))); fast max |Δloss| "
        + "\(zip(fast.loss, loss.scalars).map { abs(Double($0) - $1) }.max()!), max |Δgradient| "
        + "\(T.maxDifference(fast.gradient.widened, gradient.reshaped(mask.shape)))")
  }

  // MARK: Bad input

  @Test("validate names the bad argument: shape, area count, area outside (0, 1), tie permutations")
  func validation() {
    func error(_ shape: [Int], _ areas: [Double], _ grouping: AreaGrouping = .clip, _ ties: TieOrder = .stable)
      -> ExtremalLossError?
    {
      do throws(ExtremalLossError) {
        try SortedRampLoss.validate(maskShape: shape, areas: areas, grouping: grouping, tieOrder: ties)
        return nil
      } catch { return error }
    }
    #expect(error([2, 1, 3, 4, 5], [0.1, 0.2]) == nil)
    #expect(error([2, 3, 4, 5], [0.1, 0.2]) == .maskShape([2, 3, 4, 5]))
    #expect(error([2, 3, 3, 4, 5], [0.1, 0.2]) == .maskShape([2, 3, 3, 4, 5]))
    #expect(error([2, 1, 0, 4, 5], [0.1, 0.2]) == .maskShape([2, 1, 0, 4, 5]))
    #expect(error([2, 1, 3, 4, 5], [0.1]) == .areaCount(areas: 1, rows: 2))
    #expect(error([2, 1, 3, 4, 5], [0.1, 1]) == .area(index: 1, value: 1))
    #expect(error([2, 1, 3, 4, 5], [0, 0.5]) == .area(index: 0, value: 0))
    #expect(error([1, 1, 3, 4, 5], [.nan])?.description.contains("areas[0] = nan must lie in (0, 1)") == true)
    #expect(error([2, 1, 3, 4, 5], [0.1, 0.2], .frame, .permuted([Array(0..<20)])) == nil)
    #expect(
      error([2, 1, 3, 4, 5], [0.1, 0.2], .clip, .permuted([Array(0..<20)])) == .tiePermutation(index: 0, expected: 60))
    #expect(
      error([3, 1, 1, 1, 2], [0.1, 0.2, 0.3], .clip, .permuted([[0, 1], [1, 0]]))
        == .tiePermutationCount(count: 2, rows: 3))
    #expect(error([1, 1, 1, 1, 3], [0.1], .clip, .permuted([[0, 1, 1]])) == .tiePermutation(index: 0, expected: 3))
  }
}
