import Kernels
import TensorCore
import Testing
import _TestSupport

@Suite("Conv3D property: fast equals literal on random small geometries")
struct Conv3DPropertyTests {
  /// Draws 40 random valid geometries (groups 1–3, 1–4 input and 1–5 output channels per
  /// group, extents 1–9, kernels 1–3, stride 1–3, padding 0–3, dilation 1–2, batch 1–2,
  /// bias or not) from a pinned seed and checks all four fast kernels on every ISA level.
  ///
  /// The seed is pinned with `SeededRNG` rather than PropertyBased's `.fixedSeed` trait: in
  /// swift-property-based 2.0.1 that trait is a reproduction aid that runs one case and
  /// records an issue whenever the test passes ("A fixed seed was used, but no expectation
  /// failure occurred"), so it cannot pin a passing property in CI.
  @Test("40 random geometries from seed 0xC0A7_3D5E, forward and backward, every ISA level")
  func randomGeometries() {
    var rng = SeededRNG(seed: 0xC0A7_3D5E)
    var tested = 0
    while tested < 40 {
      let groups = 1 + rng.int(below: 3)
      func pick(_ range: ClosedRange<Int>) -> Int { range.lowerBound + rng.int(below: range.count) }
      let c = ConvCase(
        batch: pick(1...2), inChannels: groups * pick(1...4), outChannels: groups * pick(1...5),
        extent: Size3(pick(1...9), pick(1...9), pick(1...9)), kernel: Size3(pick(1...3), pick(1...3), pick(1...3)),
        geometry: Conv3DGeometry(
          stride: Size3(pick(1...3), pick(1...3), pick(1...3)), padding: Size3(pick(0...3), pick(0...3), pick(0...3)),
          dilation: Size3(pick(1...2), pick(1...2), pick(1...2)), groups: groups),
        bias: rng.int(below: 2) == 1)
      guard case .success = c.geometry.outputShape(input: c.inputShape, weight: c.weightShape) else { continue }
      let reference = ConvReference(c, seed: rng.next())
      for isa in FastISA.supported {
        for failure in reference.failures(c, isa: isa) { Issue.record(Comment(rawValue: failure)) }
      }
      tested += 1
    }
    #expect(tested == 40)
  }
}
