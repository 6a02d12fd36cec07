import Foundation
import Kernels
import TensorCore
import Testing
import _TestSupport

/// `Literal.slic` and `Fast.slic` against scikit-image 0.26's `slic` on the synthetic stacks of
/// Reference/segmentation/slic.safetensors (generate_slic.py made them; its README gives the
/// cases and the measured agreement). The benchmark's clips are checked in
/// SyntheticVideoTests/SLICBenchmarkClipTests.swift.
@Suite("SLIC agrees with scikit-image on synthetic stacks", .serialized)
struct SLICCrossCheckTests {
  static let file = Result(catching: {
    try SafeTensors.read(contentsOf: RepositoryPaths.reference("segmentation/slic.safetensors"))
  })

  /// The settings generate_slic.py passed to `slic`, by case name (from the file's metadata).
  static func cases() throws -> [String: SLICSettings] {
    let f = try file.get()
    let json = try #require(f.metadata["cases"])
    let decoded = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: Any]])
    return decoded.mapValues(settings)
  }

  /// scikit-image keyword arguments as settings (every keyword generate_slic.py uses).
  static func settings(_ k: [String: Any]) -> SLICSettings {
    func number(_ key: String) -> Double? { (k[key] as? NSNumber)?.doubleValue }
    var s = SLICSettings()
    s.segments = k["n_segments"] as? Int ?? s.segments
    s.compactness = number("compactness") ?? s.compactness
    s.maxIterations = k["max_num_iter"] as? Int ?? s.maxIterations
    if let sigma = k["sigma"] as? [NSNumber] {
      s.sigma = .perAxis(t: sigma[0].doubleValue, h: sigma[1].doubleValue, w: sigma[2].doubleValue)
    } else if let sigma = number("sigma") {
      s.sigma = .isotropic(sigma)
    }
    if let spacing = k["spacing"] as? [NSNumber] {
      s.spacing = SIMD3(spacing[0].doubleValue, spacing[1].doubleValue, spacing[2].doubleValue)
    }
    if let lab = k["convert2lab"] as? Bool { s.colourSpace = lab ? .lab : .asGiven }
    s.slicZero = k["slic_zero"] as? Bool ?? false
    s.minSizeFactor = number("min_size_factor") ?? s.minSizeFactor
    s.maxSizeFactor = number("max_size_factor") ?? s.maxSizeFactor
    s.startLabel = k["start_label"] as? Int ?? s.startLabel
    return s
  }

  static let synthetic = [
    "noise_odd", "blocks_slico", "two_channels", "short_frames", "sizes_start0", "axis_sigma", "rgb_as_given",
  ]

  static func reference(_ name: String, _ variant: String, like clip: Tensor<Float>, start: Int) throws -> Supervoxels {
    let labels = try file.get().floatTensor(named: "\(name).\(variant)")
    #expect(labels.shape == Array(clip.shape.dropFirst()))
    return try Supervoxels(
      frames: clip.shape[1], height: clip.shape[2], width: clip.shape[3], labels: labels.scalars.map { Int32($0) },
      startLabel: start)
  }

  @Test("the vectors were made by generate_slic.py with scikit-image 0.26 and hold every case")
  func provenance() throws {
    let f = try Self.file.get()
    #expect(f.metadata["command"]?.contains("generate_slic.py") == true)
    #expect(f.metadata["skimage"] == "0.26.0")
    #expect(Set(try Self.cases().keys).isSuperset(of: Self.synthetic))
  }

  /// scikit-image's float64 path does what the literal path does, operation by operation
  /// (same grid, windows, distance expression, tie rule, raster-order sums, connectivity);
  /// only the Lab conversion can differ in the last bit (NumPy's `power`/`cbrt` and a BLAS
  /// product against libm and three products summed left to right). A last-bit difference
  /// moves a voxel only at an exact tie of two seeds' distances. Bound: 1 voxel in 1000 may
  /// differ (identical labels), for platforms whose libm rounds differently; measured here:
  /// every voxel identical on every case, before and after the connectivity step.
  @Test("literal (Double) labels equal scikit-image's float64 labels, with and without connectivity enforcement")
  func literalAgainstFloat64() throws {
    let cases = try Self.cases()
    for name in Self.synthetic {
      let settings = try #require(cases[name])
      let clip = try Self.file.get().floatTensor(named: "\(name).input")
      let ours = try Literal.slic(clip.asDouble, settings: settings)
      let a = try ours.agreement(with: Self.reference(name, "f64", like: clip, start: settings.startLabel))
      #expect(a.identical >= 0.999 && ours.startLabel == settings.startLabel, "\(name): \(a)")
      var raw = settings
      raw.enforceConnectivity = false
      let r = try Literal.slic(clip.asDouble, settings: raw)
        .agreement(with: Self.reference(name, "raw.f64", like: clip, start: settings.startLabel))
      #expect(r.identical >= 0.999, "\(name) without connectivity: \(r)")
    }
  }

  /// The connectivity step is integer work on labels, the same algorithm on both sides: given
  /// scikit-image's own k-means labels it must return scikit-image's final labels exactly.
  @Test("connectivity enforcement on scikit-image's k-means labels gives scikit-image's final labels exactly")
  func connectivityExact() throws {
    let cases = try Self.cases()
    for name in Self.synthetic {
      let settings = try #require(cases[name])
      let clip = try Self.file.get().floatTensor(named: "\(name).input")
      let raw = try Self.reference(name, "raw.f64", like: clip, start: settings.startLabel)
      let plan = try settings.plan(channels: clip.shape[0], frames: raw.frames, height: raw.height, width: raw.width)
      let ours = Supervoxels.enforcingConnectivity(
        raw.labels, frames: raw.frames, height: raw.height, width: raw.width, minSize: plan.minSize,
        maxSize: plan.maxSize, startLabel: settings.startLabel)
      #expect(ours == (try Self.reference(name, "f64", like: clip, start: settings.startLabel)), "\(name)")
    }
  }

  /// The fast path rounds like neither of scikit-image's paths: Float distances like its
  /// float32 path, but update sums in Double where scikit-image's float32 path sums in float32
  /// in raster order (relative error up to about n·2⁻²⁴ for n ≈ V/K voxels per seed). So it
  /// can differ from both at near-ties; bound as for the literal path, 1 voxel in 1000.
  /// Measured here: every voxel identical to both.
  @Test("fast (Float) labels agree with scikit-image's float64 and float32 labels")
  func fastAgainstScikitImage() throws {
    let cases = try Self.cases()
    for name in Self.synthetic {
      let settings = try #require(cases[name])
      let clip = try Self.file.get().floatTensor(named: "\(name).input")
      let ours = try Fast.slic(clip, settings: settings)
      for variant in ["f64", "f32"] {
        let a = try ours.agreement(with: Self.reference(name, variant, like: clip, start: settings.startLabel))
        #expect(a.identical >= 0.999, "\(name) against \(variant): \(a)")
      }
    }
  }

  /// scikit-image's float32 path is the literal path run in Float: the same operations,
  /// including the update's sums in float32 in raster order. Bound as above; measured: every
  /// voxel identical.
  @Test("literal path in Float gives scikit-image's float32 labels")
  func literalFloatAgainstFloat32() throws {
    let cases = try Self.cases()
    for name in Self.synthetic {
      let settings = try #require(cases[name])
      let clip = try Self.file.get().floatTensor(named: "\(name).input")
      let a = try Literal.slic(clip, settings: settings)
        .agreement(with: Self.reference(name, "f32", like: clip, start: settings.startLabel))
      #expect(a.identical >= 0.999, "\(name): \(a)")
    }
  }

  /// Where scikit-image's float32 and float64 paths disagree, and why. On this 3×16×56×56 Weyl
  /// fill (Li et al.'s settings) they differ on a few voxels (9). The literal path in Double
  /// gives the float64 labels and in Float the float32 labels, and its two precisions differ
  /// on exactly the same voxels — so the disagreement is float32 rounding, and within it the
  /// update's float32 sums (about 200 voxels per seed: relative error up to 200·2⁻²⁴ ≈ 10⁻⁵,
  /// against 6·10⁻⁸ for one distance), which move seeds enough to flip near-ties. The fast
  /// path, Float distances but Double sums, gives the float64 labels.
  @Test("scikit-image's float32/float64 disagreement is the literal path's Float/Double disagreement, voxel for voxel")
  func float32Disagreement() throws {
    let f = try Self.file.get()
    let settings = try #require(try Self.cases()["weyl56"])
    let clip: Tensor<Float> = Fill.weyl([3, 16, 56, 56])
    #expect(Array(clip.scalars.prefix(8)) == (try f.floatTensor(named: "weyl56.first_values")).scalars)
    let (double, single) = (
      try Literal.slic(clip.asDouble, settings: settings), try Literal.slic(clip, settings: settings)
    )
    let fast = try Fast.slic(clip, settings: settings)
    let (r64, r32) = (
      try Self.reference("weyl56", "f64", like: clip, start: 1),
      try Self.reference("weyl56", "f32", like: clip, start: 1)
    )
    for (what, ours, theirs) in [("literal Double", double, r64), ("literal Float", single, r32), ("fast", fast, r64)] {
      let a = try ours.agreement(with: theirs)
      #expect(a.identical >= 0.999, "\(what): \(a)")
    }
    func differing(_ a: Supervoxels, _ b: Supervoxels) -> [Int] {
      a.labels.indices.filter { a.labels[$0] != b.labels[$0] }
    }
    let theirs = differing(r32, r64)
    #expect(!theirs.isEmpty && theirs.count <= 50, "scikit-image float32 against float64: \(theirs.count) voxels")
    #expect(differing(single, double) == theirs)
  }
}
