import Kernels
import TensorCore
import Testing
import _TestSupport

/// Claims of Proofs/extremal-losses.md about the sorted-ramp area loss and the zero set of the
/// core loss (the gradient claims are checked in SortedRampLossTests and CoreLossTests, P-SGD-1
/// in SGDStepTests).
@Suite("Proofs: the extremal-perturbation losses")
struct ExtremalLossProofTests {
  typealias T = ExtremalLossTesting

  /// Both paths' losses for one input, the Fast one widened.
  static func losses(_ mask: Tensor<Float>, areas: [Double], grouping: AreaGrouping, tieOrder: TieOrder = .stable)
    -> (literal: ExtremalLossResult<Double>, fast: [Double])
  {
    (
      Literal.sortedRampLoss(mask.widened, areas: areas, grouping: grouping, tieOrder: tieOrder),
      Fast.sortedRampLoss(mask, areas: areas, grouping: grouping, tieOrder: tieOrder).loss.map { Double($0) }
    )
  }

  /// An area in (0.02, 0.98) for which n·(1 − a) has a fractional part of at least ½, so that
  /// truncating and rounding to nearest give different zero counts.
  static func area(groupSize n: Int, rng: inout SeededRNG) -> Double {
    while true {
      let a = rng.uniform(0.02, 0.98)
      let x = Double(n) * (1 - a)
      if x - x.rounded(.towardZero) >= 0.5 { return a }
    }
  }

  @Test("P-AREA-1: the ramp loss is zero iff each group is binary with exactly n − ⌊fl(n·(1 − a))⌋ ones")
  func zeroSet() {
    var rng = SeededRNG(seed: 101)
    for trial in 0..<30 {
      let shape = [1 + rng.int(below: 3), 1, 1 + rng.int(below: 4), 1 + rng.int(below: 9), 2 + rng.int(below: 8)]
      for grouping in AreaGrouping.allCases {
        let (groups, n) = SortedRampLoss.groupLayout(maskShape: shape, grouping: grouping)
        let areas = (0..<shape[0]).map { _ in Self.area(groupSize: n, rng: &rng) }
        // Exactly n − z ones per group, z = int(n·(1 − a)) as TorchRay computes it, at random places.
        var mask = Tensor<Float>.zeros(shape)
        for g in 0..<(shape[0] * groups) {
          let z = Int(Double(n) * (1 - areas[g / groups]))
          for (k, j) in rng.permutation(n).enumerated() where k >= z { mask.scalars[g * n + j] = 1 }
        }
        let label = "trial \(trial) \(shape) \(grouping) areas \(areas)"
        let exact = Self.losses(mask, areas: areas, grouping: grouping)
        #expect(exact.literal.loss.allSatisfy { $0 == 0 } && exact.fast.allSatisfy { $0 == 0 }, "\(label)")
        #expect(exact.literal.gradient.scalars.allSatisfy { $0 == 0 }, "\(label)")
        // One value moved to the other side of {0, 1}, then one moved off {0, 1} by ε = ⅛.
        let a = rng.int(below: shape[0]), j = a * groups * n + rng.int(below: groups * n)
        var flipped = mask, blurred = mask
        flipped.scalars[j] = 1 - flipped.scalars[j]
        let one = (0..<(groups * n)).first { mask.scalars[a * groups * n + $0] == 1 }!  // every group has a 1 (z < n)
        blurred.scalars[a * groups * n + one] = 0.875
        for (changed, expected) in [(flipped, 1.0), (blurred, 1.0 / 64)] {
          let l = Self.losses(changed, areas: areas, grouping: grouping)
          for row in 0..<shape[0] {
            let want = row == a ? expected / Double(groups * n) : 0
            #expect(
              abs(l.literal.loss[row] - want) <= 4 * 0x1p-53 * want,
              "\(label) row \(row): \(l.literal.loss[row]) vs \(want)")
            #expect(
              abs(l.fast[row] - want) <= 2 * Tolerance.floatUnitRoundoff * want,
              "\(label) row \(row): fast \(l.fast[row])")
          }
        }
      }
    }
  }

  @Test(
    "P-AREA-2: L_vol ≤ L_2D + |z_v − T·z_f|/|Ω| on [0, 1], attained by the exact 2D-EP masks; d = 3, 6, 9, 0 at the paper's sizes"
  )
  func volumeRelaxesFrames() {
    var rng = SeededRNG(seed: 202)
    var attainedWithGap = 0
    for trial in 0..<60 {
      let shape = [2, 1, 1 + rng.int(below: 6), 1 + rng.int(below: 12), 1 + rng.int(below: 12)]
      let (t, s) = (shape[2], shape[3] * shape[4])
      let areas = [rng.uniform(0.02, 0.98), rng.uniform(0.02, 0.98)]
      let gaps = areas.map {
        abs(SortedRampLoss.zeroCount(groupSize: t * s, area: $0) - t * SortedRampLoss.zeroCount(groupSize: s, area: $0))
      }
      for kind in [T.Kind.uniform, .clamped, .quantised] {
        let m = T.mask(shape, kind, seed: UInt64(trial * 7) + UInt64(kind.rawValue.count)).widened
        let frame = Literal.sortedRampLoss(m, areas: areas, grouping: .frame).loss
        let clip = Literal.sortedRampLoss(m, areas: areas, grouping: .clip).loss
        for a in 0..<2 {
          let bound = frame[a] + Double(gaps[a]) / Double(t * s)
          #expect(
            clip[a] <= bound + 1e-14 * (1 + bound),
            "trial \(trial) \(shape) \(kind) a \(areas[a]): \(clip[a]) > \(bound)")
        }
      }
      // The exact 2D-EP mask: S − z_f ones in every frame.
      var exact = Tensor<Double>.zeros(shape)
      for g in 0..<(2 * t) {
        let z = SortedRampLoss.zeroCount(groupSize: s, area: areas[g / t])
        for (k, j) in rng.permutation(s).enumerated() where k >= z { exact.scalars[g * s + j] = 1 }
      }
      let frame = Literal.sortedRampLoss(exact, areas: areas, grouping: .frame).loss
      let clip = Literal.sortedRampLoss(exact, areas: areas, grouping: .clip).loss
      for a in 0..<2 {
        #expect(frame[a] == 0)
        let want = Double(gaps[a]) / Double(t * s)
        #expect(abs(clip[a] - want) <= 1e-15 * want, "trial \(trial) \(shape) a \(areas[a]): \(clip[a]) vs \(want)")
        if gaps[a] > 0 { attainedWithGap += 1 }
      }
    }
    #expect(attainedWithGap > 20)
    // The paper: 16 frames of 134 × 134.
    let d = [0.05, 0.1, 0.15, 0.5].map {
      SortedRampLoss.zeroCount(groupSize: 16 * 17956, area: $0) - 16
        * SortedRampLoss.zeroCount(groupSize: 17956, area: $0)
    }
    #expect(d == [3, 6, 9, 0])
    // On the fast path at that size: the exact 2D-EP mask of a = 0.1 costs 6/287296 under 3D-EP.
    var paper = Tensor<Float>.zeros([1, 1, 16, 134, 134])
    let z = SortedRampLoss.zeroCount(groupSize: 17956, area: 0.1)
    for t in 0..<16 {
      for (k, j) in rng.permutation(17956).enumerated() where k >= z { paper.scalars[t * 17956 + j] = 1 }
    }
    #expect(Fast.sortedRampLoss(paper, areas: [0.1], grouping: .frame).loss == [0])
    let vol = Double(Fast.sortedRampLoss(paper, areas: [0.1], grouping: .clip).loss[0])
    #expect(abs(vol - 6.0 / 287_296) <= Tolerance.floatUnitRoundoff * vol, "\(vol)")
  }

  @Test("P-AREA-4: the tie order changes which tied element meets which ramp value, not the loss nor the values")
  func tieOrder() {
    var rng = SeededRNG(seed: 404)
    for trial in 0..<20 {
      let shape = [2, 1, 1 + rng.int(below: 4), 2 + rng.int(below: 7), 2 + rng.int(below: 7)]
      let mask = T.mask(shape, .quantised, seed: UInt64(trial))
      let areas = T.areas(2, seed: UInt64(trial))
      for grouping in AreaGrouping.allCases {
        let n = SortedRampLoss.groupLayout(maskShape: shape, grouping: grouping).groupSize
        let stable = Literal.sortedRampLoss(mask.widened, areas: areas, grouping: grouping)
        let stableFast = Fast.sortedRampLoss(mask, areas: areas, grouping: grouping)
        let ties = TieOrder.permuted([rng.permutation(n), rng.permutation(n)])
        let permuted = Literal.sortedRampLoss(mask.widened, areas: areas, grouping: grouping, tieOrder: ties)
        let permutedFast = Fast.sortedRampLoss(mask, areas: areas, grouping: grouping, tieOrder: ties)
        let label = "trial \(trial) \(shape) \(grouping)"
        #expect(stable.loss == permuted.loss && stableFast.loss == permutedFast.loss, "\(label)")
        for v in [0.0, 0.25, 0.5, 0.75, 1] {
          let on = mask.scalars.indices.filter { Double(mask.scalars[$0]) == v }
          #expect(
            on.map { stable.gradient.scalars[$0] }.sorted() == on.map { permuted.gradient.scalars[$0] }.sorted(),
            "\(label) v \(v)")
          #expect(
            on.map { stableFast.gradient.scalars[$0] }.sorted()
              == on.map { permutedFast.gradient.scalars[$0] }.sorted(), "\(label) v \(v) fast")
        }
      }
    }
  }

  @Test(
    "P-CORE-2: L_K vanishes exactly on whole temporal tubes of cores; two disjoint cores in one tube do not; paper n_K are not multiples of T_o = 9"
  )
  func coreZeroSet() throws {
    var rng = SeededRNG(seed: 505)
    // Core 3×5×5 on 6×15×15: T_o = 4 windows per column, 3×3 cells, P = 36, n_K = c·4 for the
    // area (4c − ½)·⌊39.27⌋/1350.
    for shape in CoreShape.allCases {
      let core = try ExtremalCore(frames: 3, size: 5, shape: shape)
      for c in 1...8 {
        let area = (4 * Double(c) - 0.5) * Double(core.nominalVolume) / 1350
        #expect(core.targetCount(area: area, frames: 6, height: 15, width: 15) == 4 * c)
        var mask = Tensor<Float>.zeros([1, 1, 6, 15, 15])
        for cell in rng.permutation(9).prefix(c) {
          for t in 0..<6 {
            for h in 0..<5 {
              for w in 0..<5 { mask[0, 0, t, 5 * (cell / 3) + h, 5 * (cell % 3) + w] = 1 }
            }
          }
        }
        #expect(Literal.coreLoss(mask.widened, areas: [area], core: core).loss == [0], "\(shape) c \(c)")
        #expect(Fast.coreLoss(mask, areas: [area], core: core).loss == [0], "\(shape) c \(c)")
        // One column fewer or more: (n − (c−1)·T_o)/n and ((c+1)·T_o − n)/(P − n).
        let fewer = (4 * Double(c) - 0.5 + 4) * Double(core.nominalVolume) / 1350
        if c < 8 {
          let n = core.targetCount(area: fewer, frames: 6, height: 15, width: 15)
          let l = Literal.coreLoss(mask.widened, areas: [fewer], core: core).loss[0]
          #expect(abs(l - Double(n - 4 * c) / Double(n)) < 1e-15, "\(shape) c \(c): \(l)")
        }
        let more = (4 * Double(c) - 0.5 - 4) * Double(core.nominalVolume) / 1350
        if c > 1 {
          let n = core.targetCount(area: more, frames: 6, height: 15, width: 15)
          let l = Literal.coreLoss(mask.widened, areas: [more], core: core).loss[0]
          #expect(abs(l - Double(4 * c - n) / Double(36 - n)) < 1e-15, "\(shape) c \(c): \(l)")
        }
      }
    }
    // Two disjoint cores of one cell, at t_o = 0 and t_o = K_t: n = 2 full windows, but the
    // windows between them overlap both (the ellipsoid's end frames hold only its centre) and
    // are neither full nor empty: R = (1 + 1 + 1)/15 each.
    let core = try ExtremalCore(frames: 3, size: 5)  // T_o = 4 on 6 frames, 2×2 cells
    var mask = Tensor<Double>.zeros([1, 1, 6, 10, 10])
    for to in [0, 3] {
      for t in 0..<3 {
        for h in 0..<5 {
          for w in 0..<5 where core.weights[(t * 5 + h) * 5 + w] == 1 { mask[0, 0, to + t, h, w] = 1 }
        }
      }
    }
    let area = 1.5 * Double(core.nominalVolume) / 600
    #expect(core.targetCount(area: area, frames: 6, height: 10, width: 10) == 2)
    let r = Literal.coreResponses(mask, core: core).scalars
    #expect(r.filter { $0 == 1 }.count == 2 && r.filter { abs($0 - 0.2) < 1e-15 }.count == 2, "\(r)")
    let l = Literal.coreLoss(mask, areas: [area], core: core).loss[0]
    #expect(abs(l - 0.08 / 14) < 1e-15, "\(l)")
    // The paper: T_o = 16 − 8 + 1 = 9 does not divide n_K.
    let paper = try ExtremalCore()
    let counts = [0.05, 0.1, 0.15, 0.5].map { paper.targetCount(area: $0, frames: 16, height: 134, width: 134) }
    #expect(counts == [29, 57, 86, 284] && counts.allSatisfy { $0 % 9 != 0 })
    #expect(try paper.responseExtent(frames: 16, height: 134, width: 134).product == 1296)
  }
}
