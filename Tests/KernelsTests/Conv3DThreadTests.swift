import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Conv3D fast path: results do not depend on the thread count")
struct Conv3DThreadTests {
  /// Cases that take every parallel branch: many position tiles, channel split over a shared
  /// im2col block, frame slabs in backward input, position chunks in backward weight.
  static let cases: [ConvCase] = [
    multiBlockConvCases[0], multiBlockConvCases[1], multiBlockConvCases[2], multiBlockConvCases[3],
    multiBlockConvCases[5], multiBlockConvCases[6], multiBlockConvCases[7], multiBlockConvCases[8],
    boundaryConvCases[8],
  ]

  /// Forward cases whose position tiling depends on the batch (tiles per element aim at 16
  /// tasks in all) and whose last panel is narrow (98 or 36 positions: dot products on AVX-512).
  static let batchCases: [ConvCase] = [multiBlockConvCases[0], multiBlockConvCases[7], multiBlockConvCases[8]]

  /// What P-ATTR-1 (batched attribution = one clip at a time, bit for bit) rests on: each
  /// output element's operation chain is set by the shape of one batch element, not by the
  /// batch size or the tiling it leads to.
  @Test("forward of a batch of 3 equals the three single-clip forwards bit for bit", arguments: batchCases)
  func batchInvariant(c: ConvCase) {
    let one = c.inputShape.dropFirst().reduce(1, *)
    let x: Tensor<Float> = Fill.uniform([3] + c.inputShape.dropFirst(), seed: c.seed)
    let w: Tensor<Float> = Fill.weyl(c.weightShape)
    let b: Tensor<Float> = Fill.uniform([c.outChannels], seed: c.seed + 1)
    let batched = Fast.conv3d(x, weight: w, bias: b, geometry: c.geometry)
    var separate: [UInt32] = []
    for n in 0..<3 {
      let xn = Tensor(shape: [1] + c.inputShape.dropFirst(), scalars: Array(x.scalars[(n * one)..<((n + 1) * one)]))
      separate += Fast.conv3d(xn, weight: w, bias: b, geometry: c.geometry).scalars.map(\.bitPattern)
    }
    #expect(batched.scalars.map(\.bitPattern) == separate, "batched forward differs: \(c)")
  }

  @Test("forward and all backward passes are bitwise equal with 1 and 2 threads", arguments: cases)
  func bitwiseEqual(c: ConvCase) {
    let x: Tensor<Float> = Fill.uniform(c.inputShape, seed: c.seed)
    let w: Tensor<Float> = Fill.weyl(c.weightShape)
    let b: Tensor<Float> = Fill.uniform([c.outChannels], seed: c.seed + 1)
    let dy: Tensor<Float> = Fill.uniform(c.outputShape, seed: c.seed + 2)
    let g = c.geometry
    func run() -> [Tensor<Float>] {
      [
        Fast.conv3d(x, weight: w, bias: b, geometry: g),
        Fast.conv3dBackwardInput(dy, weight: w, inputShape: c.inputShape, geometry: g),
        Fast.conv3dBackwardWeight(dy, input: x, weightShape: c.weightShape, geometry: g),
        Fast.conv3dBackwardBias(dy),
      ]
    }
    let one = FastThreads.withCount(1) { run() }
    let two = FastThreads.withCount(2) { run() }
    for (direction, (a, b)) in zip(["forward", "backward input", "backward weight", "backward bias"], zip(one, two)) {
      // Compare bit patterns, so that −0 vs +0 would count as a difference too.
      #expect(a.scalars.map(\.bitPattern) == b.scalars.map(\.bitPattern), "\(direction) differs: \(c)")
    }
  }

  @Test("FastThreads.withCount overrides the thread count inside its scope only")
  func scopedOverride() {
    let outside = FastThreads.count
    FastThreads.withCount(1) {
      #expect(FastThreads.count == 1)
      FastThreads.withCount(3) { #expect(FastThreads.count == 3) }
      #expect(FastThreads.count == 1)
    }
    #expect(FastThreads.count == outside)
  }
}
