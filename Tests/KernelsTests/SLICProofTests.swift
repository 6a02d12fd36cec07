import Kernels
import PropertyBased
import TensorCore
import Testing
import _TestSupport

/// The claims of Proofs/supervoxels.md, each on the literal (Double) and the fast (Float) path.
@Suite("SLIC: the claims of Proofs/supervoxels.md")
struct SLICProofTests {
  typealias S = SLICTesting

  /// Both paths on one Float clip.
  static func both(_ clip: Tensor<Float>, _ settings: SLICSettings) throws -> [(String, Supervoxels)] {
    [
      ("literal", try Literal.slic(clip.asDouble, settings: settings)),
      ("fast", try Fast.slic(clip, settings: settings)),
    ]
  }

  @Test("P-SLIC-1: every voxel is labelled within startLabel..<startLabel + count; with enforcement every label occurs")
  func labelsCoverAndFill() throws {
    try pinnedPropertyCheck(count: 40, seed: (0x51, 0x1C, 0x01, 0x07), input: Gen.uint64()) { seed in
      var rng = SeededRNG(seed: seed)
      let (t, h, w) = (1 + rng.int(below: 8), 1 + rng.int(below: 13), 1 + rng.int(below: 13))
      let c = [1, 2, 3][rng.int(below: 3)]
      let clip = S.blocky(c, t, h, w, cells: (2, 2, 3), noise: rng.uniform(0, 1), seed: seed)
      var settings = SLICSettings(
        segments: 1 + rng.int(below: t * h * w), compactness: [0.3, 3, 30][rng.int(below: 3)],
        sigma: .isotropic([0, 0.7][rng.int(below: 2)]), slicZero: rng.int(below: 2) == 0,
        startLabel: rng.int(below: 2))
      for enforce in [true, false] {
        settings.enforceConnectivity = enforce
        for (path, s) in try Self.both(clip, settings) {
          let first = Int32(settings.startLabel), last = first + Int32(s.count) - 1
          #expect(s.labels.allSatisfy { $0 >= first && $0 <= last }, "\(path) seed \(seed): label out of range")
          #expect(s.labels.contains(last), "\(path) seed \(seed): the largest label does not occur")
          if enforce { #expect(Set(s.labels).count == s.count, "\(path) seed \(seed): labels with gaps") }
        }
      }
    }
  }

  @Test("P-SLIC-2: after connectivity enforcement every supervoxel is one 6-connected region")
  func connected() throws {
    var fragmented = 0
    for seed in UInt64(1)...6 {
      // Uniform noise at low compactness: the k-means labels are scattered fragments.
      let clip = S.blocky(3, 6, 14, 15, cells: (1, 1, 1), noise: 1, seed: seed)
      var settings = SLICSettings(segments: 30, compactness: 0.5, slicZero: seed % 2 == 0)
      for (path, s) in try Self.both(clip, settings) {
        #expect(S.disconnectedLabels(s).isEmpty, "\(path) seed \(seed): \(S.disconnectedLabels(s))")
      }
      settings.enforceConnectivity = false
      if !S.disconnectedLabels(try Fast.slic(clip, settings: settings)).isEmpty { fragmented += 1 }
    }
    #expect(fragmented >= 3, "the inputs must give disconnected k-means labels for the claim to say anything")
  }

  @Test("P-SLIC-3: after connectivity enforcement every supervoxel has at least min(⌊f_min·V/K⌋, V) voxels")
  func minimumSize() throws {
    try pinnedPropertyCheck(count: 24, seed: (0x53, 0x1C, 0x03, 0x09), input: Gen.uint64()) { seed in
      var rng = SeededRNG(seed: seed)
      let clip = S.blocky(
        3, 2 + rng.int(below: 6), 8 + rng.int(below: 9), 8 + rng.int(below: 9), cells: (2, 3, 3),
        noise: rng.uniform(0.2, 1), seed: seed)
      let minFactor = rng.uniform(0, 1.2)
      let settings = SLICSettings(
        segments: 10 + rng.int(below: 30), compactness: rng.uniform(0.2, 20), minSizeFactor: minFactor,
        maxSizeFactor: minFactor + rng.uniform(0, 2) + 0.3)
      let plan = try settings.plan(channels: 3, frames: clip.shape[1], height: clip.shape[2], width: clip.shape[3])
      #expect(plan.maxSize >= plan.minSize)
      for (path, s) in try Self.both(clip, settings) {
        let smallest = s.sizes.min()!
        #expect(smallest >= min(plan.minSize, plan.voxels), "\(path) seed \(seed): \(smallest) < \(plan.minSize)")
      }
    }
  }

  @Test("P-SLIC-4: constant s×s×s blocks on the seed grid (odd s) are segmented into exactly those blocks")
  func blocksOnTheGrid() throws {
    try pinnedPropertyCheck(count: 30, seed: (0x54, 0x1C, 0x04, 0x0B), input: Gen.uint64()) { seed in
      var rng = SeededRNG(seed: seed)
      let s = [1, 3, 5][rng.int(below: 3)]
      let (a, b, c) = (1 + rng.int(below: 3), 1 + rng.int(below: 3), 1 + rng.int(below: 3))
      let channels = [1, 3, 4][rng.int(below: 3)]
      let oneColour = rng.int(below: 4) == 0
      let colours = (0..<(channels * a * b * c)).map { _ in Float(rng.uniform()) }
      var clip = Tensor<Float>(shape: [channels, a * s, b * s, c * s], repeating: 0)
      var expected: [Int32] = []
      let start = rng.int(below: 2)
      for z in 0..<(a * s) {
        for y in 0..<(b * s) {
          for x in 0..<(c * s) {
            let cell = ((z / s) * b + y / s) * c + x / s
            expected.append(Int32(start + cell))
            for k in 0..<channels { clip[k, z, y, x] = colours[oneColour ? k : cell * channels + k] }
          }
        }
      }
      let settings = SLICSettings(
        segments: a * b * c, compactness: rng.uniform(1, 50), colourSpace: channels == 3 ? .lab : .asGiven,
        slicZero: rng.int(below: 2) == 0, startLabel: start)
      for (path, result) in try Self.both(clip, settings) {
        #expect(result.labels == expected && result.count == a * b * c, "\(path) seed \(seed): s \(s), \(a)×\(b)×\(c)")
      }
    }
  }

  @Test(
    "P-SLIC-5: one iteration without enforcement is the spatial Voronoi partition of the seeds (ties to the smaller index)"
  )
  func firstIterationIsSpatial() throws {
    try pinnedPropertyCheck(count: 20, seed: (0x55, 0x1C, 0x05, 0x0D), input: Gen.uint64()) { seed in
      var rng = SeededRNG(seed: seed)
      let (t, h, w) = (1 + rng.int(below: 9), 2 + rng.int(below: 14), 2 + rng.int(below: 14))
      let clip = S.blocky(3, t, h, w, cells: (2, 2, 2), noise: 0.5, seed: seed)
      let spacing = SIMD3((0..<3).map { _ in [0.5, 1, 2][rng.int(below: 3)] } as [Double])
      let settings = SLICSettings(
        segments: 1 + rng.int(below: min(40, t * h * w)), compactness: rng.uniform(10, 100), maxIterations: 1,
        spacing: spacing, enforceConnectivity: false, slicZero: rng.int(below: 2) == 0)
      let seeds = try settings.plan(channels: 3, frames: t, height: h, width: w).seeds
      var expected: [Int32] = []
      for z in 0..<t {
        for y in 0..<h {
          for x in 0..<w {
            var best = (Double.infinity, 0)
            for (k, p) in seeds.enumerated() {
              let d = [Double(p[0] - z), Double(p[1] - y), Double(p[2] - x)]
              let distance = (0..<3).reduce(0.0) { $0 + spacing[$1] * spacing[$1] * d[$1] * d[$1] }
              if distance < best.0 { best = (distance, k) }
            }
            expected.append(Int32(best.1 + 1))
          }
        }
      }
      for (path, s) in try Self.both(clip, settings) {
        #expect(s.labels == expected, "\(path) seed \(seed): \(t)×\(h)×\(w), \(seeds.count) seeds, spacing \(spacing)")
      }
    }
  }

  @Test("P-SLIC-6: scaling every value by 2^j leaves the labels unchanged; scaling one channel alone does not")
  func powerOfTwoScaling() throws {
    let clip = S.blocky(3, 5, 18, 19, cells: (2, 3, 3), noise: 0.3, seed: 66)
    for settings in [
      SLICSettings(segments: 40), SLICSettings(segments: 30, sigma: .isotropic(1), slicZero: true),
      SLICSettings(segments: 35, compactness: 0.2, colourSpace: .asGiven),
    ] {
      let reference = try Self.both(clip, settings)
      for j in [-3, 1, 5] {
        let scaled = clip.map { $0 * Float(sign: .plus, exponent: j, significand: 1) }
        for ((path, a), (_, b)) in zip(reference, try Self.both(scaled, settings)) {
          #expect(a == b, "\(path), 2^\(j), \(settings)")
        }
      }
    }
    // One channel doubled: the global rescale keeps the channels' relative scales, so the
    // colour distances change (a per-channel rescale would undo the doubling).
    var oneChannel = clip
    for i in 0..<(oneChannel.count / 3) { oneChannel.scalars[i] *= 2 }
    let settings = SLICSettings(segments: 35, compactness: 0.2, colourSpace: .asGiven)
    for ((path, a), (_, b)) in zip(try Self.both(clip, settings), try Self.both(oneChannel, settings)) {
      #expect(a != b, "\(path): doubling channel 0 alone changed nothing")
    }
  }

  /// A random tiling of T×H×W by boxes (guillotine cuts), each box given a distinct random label.
  static func boxes(_ t: Int, _ h: Int, _ w: Int, using rng: inout SeededRNG) -> (labels: [Int32], sizes: [Int]) {
    var labels = [Int32](repeating: 0, count: t * h * w)
    var sizes: [Int] = []
    var pending = [([0, 0, 0], [t, h, w])]
    var names = Array(Int32(5)..<Int32(5 + t * h * w)).shuffled(using: &rng)
    while let (origin, extent) = pending.popLast() {
      let axis = rng.int(below: 3)
      if extent[axis] >= 2 && extent.reduce(1, *) > 6 && rng.int(below: 5) > 0 {
        let cut = 1 + rng.int(below: extent[axis] - 1)
        var (e1, o2, e2) = (extent, origin, extent)
        e1[axis] = cut
        o2[axis] += cut
        e2[axis] -= cut
        pending.append((origin, e1))
        pending.append((o2, e2))
        continue
      }
      let name = names.removeLast()
      sizes.append(extent.reduce(1, *))
      for z in origin[0]..<(origin[0] + extent[0]) {
        for y in origin[1]..<(origin[1] + extent[1]) {
          for x in origin[2]..<(origin[2] + extent[2]) { labels[(z * h + y) * w + x] = name }
        }
      }
    }
    return (labels, sizes)
  }

  @Test(
    "P-SLIC-7: connected segments of sizes in [minSize, maxSize) are renumbered in raster order, and again changes nothing"
  )
  func rasterRenumbering() {
    pinnedPropertyCheck(count: 40, seed: (0x57, 0x1C, 0x07, 0x0F), input: Gen.uint64()) { seed in
      var rng = SeededRNG(seed: seed)
      let (t, h, w) = (1 + rng.int(below: 6), 1 + rng.int(below: 12), 1 + rng.int(below: 12))
      let (labels, sizes) = Self.boxes(t, h, w, using: &rng)
      let start = rng.int(below: 2)
      let (minSize, maxSize) = (sizes.min()!, sizes.max()! + 1)
      let once = Supervoxels.enforcingConnectivity(
        labels, frames: t, height: h, width: w, minSize: minSize, maxSize: maxSize, startLabel: start)
      #expect(once.labels == S.rasterNumbered(labels, start: Int32(start)), "seed \(seed)")
      #expect(once.count == sizes.count, "seed \(seed)")
      let twice = Supervoxels.enforcingConnectivity(
        once.labels, frames: t, height: h, width: w, minSize: minSize, maxSize: maxSize, startLabel: start)
      #expect(twice == once, "seed \(seed)")
    }
  }
}
