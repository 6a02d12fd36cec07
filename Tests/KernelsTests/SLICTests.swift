import Foundation
import Kernels
import TensorCore
import Testing
import _TestSupport

/// SLIC supervoxels: the fast path against the literal one, the pieces of scikit-image's
/// algorithm against hand-computed values, the agreement measures, and bad input.
@Suite("SLIC: fast against literal, scikit-image's building blocks, agreement measures, errors")
struct SLICTests {
  typealias S = SLICTesting

  /// Shapes C×T×H×W on the fast path's boundaries (widths 1, 7, 8, 9, 15, 16, 17, 31 around
  /// its 8-lane rows; odd T and H; one frame; one channel, two, three, four), each with
  /// settings that exercise another branch.
  static let cases: [(shape: [Int], settings: SLICSettings)] = [
    ([3, 5, 9, 1], SLICSettings(segments: 6)),
    ([3, 3, 11, 7], SLICSettings(segments: 10, sigma: .isotropic(0.8))),
    ([3, 4, 10, 8], SLICSettings(segments: 12, slicZero: true)),
    ([1, 5, 13, 9], SLICSettings(segments: 15, compactness: 0.1, colourSpace: .asGiven)),
    ([3, 7, 9, 15], SLICSettings(segments: 30, compactness: 4, spacing: SIMD3(2, 1, 1))),
    ([2, 3, 16, 16], SLICSettings(segments: 20, sigma: .perAxis(t: 0, h: 1.5, w: 0.5), slicZero: true)),
    ([3, 1, 17, 17], SLICSettings(segments: 16, compactness: 20)),
    ([4, 6, 15, 31], SLICSettings(segments: 60, compactness: 0.3, colourSpace: .asGiven, startLabel: 0)),
    ([3, 16, 32, 32], SLICSettings.liCausalMetric),
    ([3, 9, 20, 24], SLICSettings(segments: 40, minSizeFactor: 0.9, maxSizeFactor: 1.1)),
  ]

  /// Fast (Float) against literal (Double) on the same Float clip. Both compute the same
  /// distances; they round differently (Float against Double, and the fast update sums in
  /// Double per block), so a voxel may move only where its two best seeds are within a few
  /// Float ulps of each other (relative 1e-6) — on continuous inputs a handful of voxels per
  /// million at most, and a moved voxel shifts its seeds' means by O(1/size) so that further
  /// near-ties can follow. The bound allows 1 voxel in 1000 after matching labels (renumbering
  /// in the connectivity step can turn one moved voxel into many changed labels, which the
  /// identical share would count); a mistake in the window, the tie rule, the distance or the
  /// update moves tens of percent. Measured: every voxel agrees (identical share 1) on every
  /// case here.
  @Test("fast (Float) and literal (Double) agree on ≥ 99.9 % of voxels after matching labels", arguments: 0..<10)
  func fastAgreesWithLiteral(_ i: Int) throws {
    let (shape, settings) = Self.cases[i]
    let clip = S.blocky(shape[0], shape[1], shape[2], shape[3], cells: (2, 3, 3), noise: 0.2, seed: UInt64(40 + i))
    let literal = try Literal.slic(clip.asDouble, settings: settings)
    let fast = try Fast.slic(clip, settings: settings)
    let a = try fast.agreement(with: literal)
    #expect(fast.shape == Array(shape.dropFirst()) && fast.startLabel == settings.startLabel)
    #expect(a.matched >= 0.999 && a.adjustedRand >= 0.99, "\(shape): \(a)")
  }

  @Test("the fast path gives the same labels on 1, 2 and 3 threads")
  func threadCountIndependence() throws {
    let clip = S.blocky(3, 8, 27, 33, cells: (2, 3, 4), noise: 0.3, seed: 5)
    for settings in [SLICSettings(segments: 80), SLICSettings(segments: 50, sigma: .isotropic(1), slicZero: true)] {
      let one = try FastThreads.withCount(1) { try Fast.slic(clip, settings: settings) }
      for n in [2, 3] {
        #expect(try FastThreads.withCount(n) { try Fast.slic(clip, settings: settings) } == one, "\(n) threads")
      }
    }
  }

  @Test("a 1×C×T×H×W batch of one clip gives the labels of the C×T×H×W clip")
  func batchOfOne() throws {
    let clip = S.blocky(3, 4, 12, 12, cells: (2, 2, 2), noise: 0.2, seed: 9)
    let batched = clip.reshaped([1] + clip.shape)
    #expect(try Literal.slic(batched.asDouble) == Literal.slic(clip.asDouble))
    #expect(try Fast.slic(batched) == Fast.slic(clip))
  }

  @Test("regular grid: scikit-image's examples and the discarded-axis branch")
  func regularGrid() {
    func grid(_ shape: [Int], _ n: Int) -> [[Int]] {
      SLICSettings.regularGrid(shape, points: n).map { [$0.start, $0.step] }
    }
    // regular_grid's docstring, and values printed by scikit-image 0.26.
    #expect(grid([20, 40], 8) == [[5, 10], [5, 10]])
    #expect(grid([20, 40], 32) == [[2, 5], [2, 5]])
    #expect(grid([3, 20, 40], 8) == [[1, 3], [5, 10], [5, 10]])
    #expect(grid([2, 30, 30], 20) == [[1, 2], [3, 7], [3, 7]])  // T = 2 is shorter than the step 4.48
    #expect(grid([1, 1, 10], 5) == [[0, 1], [0, 1], [1, 2]])
    #expect(grid([16, 112, 112], 256) == [[4, 9], [4, 9], [4, 9]])
    #expect(grid([4, 5, 6], 120) == [[0, 1], [0, 1], [0, 1]])  // every voxel a seed
  }

  @Test("sRGB → L*a*b*: scikit-image's rgb2lab values (float64) to 1e-12, and in Float to 1e-4")
  func lab() {
    let cases: [([Double], [Double])] = [
      ([1, 1, 1], [100, -0.0024549378620508655, 0.004653421154054982]),
      ([0, 0, 0], [0, 0, 0]),
      ([1, 0, 0], [53.2405879437449, 80.0923082256922, 67.2027510444287]),
      ([0, 1, 0], [87.73509948831895, -86.18302974439501, 83.17970317538452]),
      ([0, 0, 1], [32.29567256501351, 79.18559091176556, -107.85730020669489]),
      ([0.5, 0.25, 0.75], [41.15482443350158, 51.408966255579365, -56.44527965897671]),
      ([0.02, 0.03, 0.04], [1.9991963370092876, -0.31239466545621153, -1.1996808574004925]),  // linear branch
    ]
    for (rgb, expected) in cases {
      let (l, a, b) = Literal.srgbToLab(rgb[0], rgb[1], rgb[2])
      let (lf, af, bf) = Literal.srgbToLab(Float(rgb[0]), Float(rgb[1]), Float(rgb[2]))
      for (got, (single, want)) in zip([l, a, b], zip([lf, af, bf], expected)) {
        #expect(abs(got - want) <= 1e-12, "\(rgb): \(got) vs \(want)")
        #expect(abs(Double(single) - want) <= 1e-4, "\(rgb) in Float: \(single) vs \(want)")
      }
    }
  }

  @Test("SciPy's Gaussian taps (σ = 1: radius 4) and its reflecting border")
  func smoothingPieces() {
    let scipy = [
      0.00013383062461474175, 0.0044318616200312655, 0.05399112742070441, 0.24197144565660073, 0.39894346935609776,
    ]
    let taps: [Double] = Literal.scipyGaussianTaps(sigma: 1)
    #expect(taps.count == 9)
    for j in 0..<9 { #expect(abs(taps[j] - scipy[min(j, 8 - j)]) <= 1e-17, "tap \(j)") }
    #expect((Literal.scipyGaussianTaps(sigma: 0.3) as [Double]).count == 3)  // ⌊1.2 + 0.5⌋ = 1
    // Length 3: … c b a | a b c | c b a | a …
    let reflected = (-7...8).map { Literal.reflectIndex($0, length: 3) }
    #expect(reflected == [0, 0, 1, 2, 2, 1, 0, 0, 1, 2, 2, 1, 0, 0, 1, 2])
    #expect((-3...3).map { Literal.reflectIndex($0, length: 1) } == [0, 0, 0, 0, 0, 0, 0])
  }

  @Test("agreement measures on hand-made maps: identical share, greedy matching, adjusted Rand")
  func agreementMeasures() throws {
    let a = try Supervoxels(frames: 1, height: 1, width: 6, labels: [0, 0, 0, 1, 1, 1], startLabel: 0)
    let b = try Supervoxels(frames: 1, height: 1, width: 6, labels: [0, 0, 1, 1, 2, 2], startLabel: 0)
    let m = try a.agreement(with: b)
    // Pairs (0,0) and (1,2) hold 2 voxels each; Σ C(n_ab, 2) = 2, E = 6·3/15, max = 4.5.
    #expect(m.identical == 0.5 && m.matched == 4.0 / 6.0 && m.segments == [2, 3])
    #expect(abs(m.adjustedRand - (2 - 1.2) / (4.5 - 1.2)) <= 1e-15)
    let renamed = try Supervoxels(frames: 1, height: 1, width: 6, labels: [3, 3, 3, 2, 2, 2], startLabel: 0)
    let r = try a.agreement(with: renamed)
    #expect(r.identical == 0 && r.matched == 1 && r.adjustedRand == 1)
    #expect(
      try a.agreement(with: a) == SupervoxelAgreement(identical: 1, matched: 1, adjustedRand: 1, segments: [2, 2]))
    let other = try Supervoxels(frames: 1, height: 2, width: 3, labels: a.labels, startLabel: 0)
    #expect(throws: SLICError.self) { try a.agreement(with: other) }
  }

  @Test("bad clips and settings throw errors naming the problem")
  func errors() throws {
    let clip = Tensor<Float>(shape: [3, 2, 4, 4], repeating: 0.5)
    func error(_ x: Tensor<Float>, _ s: SLICSettings) -> SLICError? {
      do {
        _ = try Fast.slic(x, settings: s)
        _ = try Literal.slic(x.asDouble, settings: s)
        return nil
      } catch { return error }
    }
    func setting(_ name: String, _ change: (inout SLICSettings) -> Void) -> SLICError? {
      var s = SLICSettings(segments: 4)
      change(&s)
      guard case .invalidSetting(let got, _, _)? = error(clip, s) else { return error(clip, s) }
      return got == name ? nil : error(clip, s)
    }
    #expect(error(Tensor(shape: [3, 4, 4], repeating: 0), SLICSettings()) == .clipShape([3, 4, 4]))
    #expect(error(Tensor(shape: [2, 3, 2, 4, 4], repeating: 0), SLICSettings()) == .clipShape([2, 3, 2, 4, 4]))
    #expect(error(Tensor(shape: [3, 0, 4, 4], repeating: 0), SLICSettings()) == .clipShape([3, 0, 4, 4]))
    var nan = clip
    nan[1, 1, 2, 3] = .nan
    #expect(error(nan, SLICSettings(segments: 4)) == .nonFiniteValue(index: 32 + 16 + 11))
    #expect(
      error(clip.reshaped([2, 3, 4, 4]), SLICSettings(segments: 4, colourSpace: .lab))
        == .labNeedsThreeChannels(channels: 2))
    #expect(setting("segments") { $0.segments = 0 } == nil)
    #expect(setting("segments") { $0.segments = 33 } == nil)  // more segments than the 32 voxels
    #expect(setting("compactness") { $0.compactness = 0 } == nil)
    #expect(setting("compactness") { $0.compactness = .infinity } == nil)
    #expect(setting("maxIterations") { $0.maxIterations = 0 } == nil)
    #expect(setting("sigma") { $0.sigma = .isotropic(-1) } == nil)
    #expect(setting("sigma") { $0.sigma = .perAxis(t: 0, h: .nan, w: 1) } == nil)
    #expect(setting("spacing") { $0.spacing = SIMD3(1, 0, 1) } == nil)
    #expect(setting("minSizeFactor") { $0.minSizeFactor = -0.5 } == nil)
    #expect(setting("maxSizeFactor") { $0.maxSizeFactor = 0 } == nil)
    #expect(setting("maxSizeFactor") { $0.maxSizeFactor = 0.1 } == nil)  // ⌊0.1·32/4⌋ = 0
    #expect(setting("startLabel") { $0.startLabel = 2 } == nil)
    // Without connectivity enforcement the size factors are not used.
    #expect(error(clip, SLICSettings(segments: 4, enforceConnectivity: false, maxSizeFactor: 0.1)) == nil)
    #expect(throws: SLICError.labelMap(reason: "label 0 is below the first label 1")) {
      try Supervoxels(frames: 1, height: 1, width: 2, labels: [1, 0])
    }
    #expect(
      SLICError.invalidSetting(name: "segments", value: "0", expected: "≥ 1").description.contains("segments = 0"))
  }
}
