import Imaging
import Kernels
import SyntheticVideo
import TensorCore
import Testing
import _TestSupport

/// SLIC on the built-in benchmark's clips against scikit-image 0.26
/// (Reference/segmentation/generate_slic.py: the 11 clips of the test split that
/// `vidattr dataset export --split test --videos 11` writes, 16 frames of 32×32). SLIC sees the
/// clips' pixel values — the normalised input mapped back by the benchmark's Kinetics
/// normalisation — as Li et al. ran `slic` on the RGB frames (Proofs/supervoxels.md).
/// The bounds and why are those of KernelsTests/SLICCrossCheckTests.swift: at most 1 voxel in
/// 1000 with another label; measured: none.
@Suite("SLIC agrees with scikit-image on the benchmark's clips", .serialized)
struct SLICBenchmarkClipTests {
  static let file = Result(catching: {
    try SafeTensors.read(contentsOf: RepositoryPaths.reference("segmentation/slic.safetensors"))
  })

  /// The clips' pixel values, C×T×H×W each.
  static let pixels: Result<[Tensor<Float>], Error> = Result(catching: {
    let batch = try Synthetic.Generator(Synthetic.Configuration(frames: 16, size: 32, seed: 0))
      .batch(split: .test, count: 11)
    return (0..<11).map { Synthetic.normalization.denormalized(batch.input.slice($0), channelAxis: 0) }
  })

  /// What generate_slic.py ran: Li et al.'s supervoxel metric, and plain SLIC.
  static let cases: [(name: String, settings: SLICSettings, float32: Bool)] = [
    ("paper", .liCausalMetric, true), ("slic", SLICSettings(segments: 256, compactness: 20), false),
  ]

  static func reference(_ clip: Int, _ name: String, _ variant: String) throws -> Supervoxels {
    let labels = try file.get().floatTensor(named: "clip\(clip).\(name).\(variant)")
    return try Supervoxels(frames: 16, height: 32, width: 32, labels: labels.scalars.map { Int32($0) })
  }

  @Test("the reference was made from these clips' pixels (first values equal) with the settings assumed here")
  func provenance() throws {
    let f = try Self.file.get()
    let first = try f.floatTensor(named: "clip.first_pixels")
    let pixels = try Self.pixels.get()
    for i in 0..<11 {
      for c in 0..<3 {
        for x in 0..<4 { #expect(first[i, c, x] == pixels[i][c, 0, 0, x], "clip \(i) channel \(c) x \(x)") }
      }
    }
    let cases = try #require(f.metadata["cases"])
    #expect(cases.contains(#""clip.paper": {"n_segments": 256, "sigma": 1, "slic_zero": true}"#))
    #expect(cases.contains(#""clip.slic": {"compactness": 20, "n_segments": 256}"#))
  }

  @Test(
    "literal (Double, and Float against float32) and fast (Float) labels equal scikit-image's on ≥ 99.9 % of every clip's voxels"
  )
  func agreement() throws {
    let pixels = try Self.pixels.get()
    for (name, settings, float32) in Self.cases {
      for i in 0..<11 {
        let literal = try Literal.slic(pixels[i].asDouble, settings: settings)
        let fast = try Fast.slic(pixels[i], settings: settings)
        let reference = try Self.reference(i, name, "f64")
        let a = try literal.agreement(with: reference), b = try fast.agreement(with: reference)
        #expect(a.identical >= 0.999 && b.identical >= 0.999, "clip \(i) \(name): literal \(a), fast \(b)")
        if float32 {
          let reference32 = try Self.reference(i, name, "f32")
          let c = try fast.agreement(with: reference32)
          let d = try Literal.slic(pixels[i], settings: settings).agreement(with: reference32)
          #expect(
            c.identical >= 0.999 && d.identical >= 0.999,
            "clip \(i) \(name) against float32: fast \(c), literal in Float \(d)")
        }
      }
    }
  }
}
