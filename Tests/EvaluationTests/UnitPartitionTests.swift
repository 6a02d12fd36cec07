import Evaluation
import Kernels
import Testing

/// How a clip's voxels become perturbation units, how the units are ranked, and how many a step
/// takes.
@Suite("Perturbation units, rankings and step schedules")
struct UnitPartitionTests {
  @Test("voxels are their own units, numbered in (t, h, w) order")
  func voxels() throws {
    let p = try UnitPartition.make(.voxel, size: Size3(2, 3, 4))
    #expect(p.count == 24)
    #expect(p.unitOfVoxel == (0..<24).map { Int32($0) })
    #expect(p.importance(Array(0..<24).map { Double($0) * 0.5 }[...]) == (0..<24).map { Double($0) * 0.5 })
  }

  @Test("k×k blocks tile each frame from the top-left; the edge blocks are narrower and averaged over what they hold")
  func blocks() throws {
    // 1 frame of 5×7 pixels, k = 3: block rows {0,1,2},{3,4}; columns {0,1,2},{3,4,5},{6}.
    let p = try UnitPartition.make(.block(3), size: Size3(2, 5, 7))
    #expect(p.count == 2 * 2 * 3)
    #expect(p.sizes == [9, 9, 3, 6, 6, 2, 9, 9, 3, 6, 6, 2])
    // Voxel (t=1, h=4, w=6) is in frame 1, block row 1, block column 2: unit 6 + 3 + 2.
    #expect(p.unitOfVoxel[(1 * 5 + 4) * 7 + 6] == 11)
    // A map equal to c_u on every voxel of unit u gives importance exactly c_u (a mean, not a sum).
    let values = p.unitOfVoxel.map { Double($0) * 0.25 + 1 }
    #expect(p.importance(values[...]) == (0..<12).map { Double($0) * 0.25 + 1 })
  }

  @Test("segments: units are the (frame, label) pairs present, by frame then label; importance sums")
  func segmentsPerFrame() throws {
    // T = 2 frames of 1×3: labels [7, 2, 7] and [2, 2, 9].
    let labels: [Int64] = [7, 2, 7, 2, 2, 9]
    let p = try UnitPartition.make(.segments(perFrame: true), size: Size3(2, 1, 3), labels: labels)
    #expect(p.count == 4)  // (0,2) (0,7) (1,2) (1,9)
    #expect(p.unitOfVoxel == [1, 0, 1, 2, 2, 3])
    #expect(p.importance([1, 2, 3, 4, 5, 6][...]) == [2, 4, 9, 6])
    let whole = try UnitPartition.make(.segments(perFrame: false), size: Size3(2, 1, 3), labels: labels)
    #expect(whole.count == 3)  // labels 2, 7, 9 across frames
    #expect(whole.importance([1, 2, 3, 4, 5, 6][...]) == [11, 4, 6])
  }

  @Test("a partition without units, a block size below 1 or labels of the wrong count are refused")
  func refusals() {
    #expect(throws: MetricError.emptyUnitSet(unit: "segments")) {
      try UnitPartition.make(.segments(perFrame: true), size: Size3(1, 2, 2), labels: nil)
    }
    #expect(throws: MetricError.emptyUnitSet(unit: "voxel")) { try UnitPartition.make(.voxel, size: Size3(0, 2, 2)) }
    #expect(throws: MetricError.invalidSetting(name: "block", value: "0", expected: "an integer ≥ 1")) {
      try UnitPartition.make(.block(0), size: Size3(1, 2, 2))
    }
    #expect(throws: MetricError.self) {
      try UnitPartition.make(.segments(perFrame: true), size: Size3(1, 2, 2), labels: [1, 2, 3])
    }
  }

  @Test("MoRF takes the largest first and breaks ties by unit number; LeRF is its exact reverse")
  func rankingTies() {
    let importance: [Double] = [0.5, 1, 0.5, -0.0, 1, 0]
    let morf = UnitRanking.order(importance, .morf)
    #expect(morf == [1, 4, 0, 2, 3, 5])  // −0 and +0 tie: unit 3 before unit 5
    #expect(UnitRanking.order(importance, .lerf) == [5, 3, 2, 0, 4, 1])
  }

  @Test("s = ⌈U/n⌉ units per step and m = ⌈U/s⌉ steps; the last step takes every unit")
  func schedules() {
    let a = StepSchedule(units: 4096, requested: 128)
    #expect((a.unitsPerStep, a.steps) == (32, 128))
    let b = StepSchedule(units: 400, requested: 128)  // 16 frames of 5×5 blocks
    #expect((b.unitsPerStep, b.steps) == (4, 100))
    #expect(b.taken(after: 100) == 400)
    let c = StepSchedule(units: 50, requested: 128)
    #expect((c.unitsPerStep, c.steps) == (1, 50))
    let d = StepSchedule(units: 129, requested: 128)
    #expect((d.unitsPerStep, d.steps, d.taken(after: 64), d.taken(after: 65)) == (2, 65, 128, 129))
  }

  @Test("every voxel changes at step ⌊rank/s⌋ + 1 of its unit")
  func firstSteps() throws {
    let p = try UnitPartition.make(.block(2), size: Size3(1, 4, 4))  // 4 units of 4 voxels
    let ranked = [2, 0, 3, 1]
    let first = UnitRanking.firstSteps(partition: p, ranked: ranked, unitsPerStep: 3)
    // Unit ranks: 0 → 1, 1 → 3, 2 → 0, 3 → 2; steps ⌊rank/3⌋ + 1: 1, 2, 1, 1.
    let expectedByUnit: [Int32] = [1, 2, 1, 1]
    #expect(first == p.unitOfVoxel.map { expectedByUnit[Int($0)] })
  }
}
