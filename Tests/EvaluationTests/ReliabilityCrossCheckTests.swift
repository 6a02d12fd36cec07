import Attribution
import Evaluation
import Foundation
import Kernels
import TensorCore
import Testing
import _TestSupport

/// The reference vectors of Reference/evaluation_reliability (generate_reliability.py): scipy,
/// scikit-image, `krippendorff`, Li et al.'s formula, Quantus.
@Suite("Reliability and sanity measures against scipy, scikit-image, krippendorff and Quantus")
struct ReliabilityCrossCheckTests {
  static let similarity: SafeTensorsFile = {
    try! SafeTensors.read(contentsOf: RepositoryPaths.reference("evaluation_reliability/similarity.safetensors"))
  }()

  static func doubles(_ name: String) throws -> [Double] { try similarity.float64(named: name).scalars }

  @Test("Spearman, SSIM and HOG of reduced maps equal scipy's and scikit-image's (both paths)")
  func similarityMeasures() throws {
    let a = try Self.similarity.float32(named: "a"), b = try Self.similarity.float32(named: "b")
    let (spearman, ssim, hog) = (try Self.doubles("spearman"), try Self.doubles("ssim"), try Self.doubles("hog"))
    for path in ComputePath.allCases {
      let s = try MapComparison().compare(a, b, path: path)
      for i in s.indices {
        // Spearman: the same average ranks; Pearson sums in another order (1e-12).
        #expect(
          abs(s[i].spearman! - spearman[i]) < 1e-12, "\(path) clip \(i): \(s[i].spearman!) vs scipy \(spearman[i])")
        // SSIM: scikit-image filters whole frames with scipy's uniform_filter1d, a running sum
        // along each row and column, so its window statistics carry the rounding of sums of up to
        // H + W terms and its variances E[x²] − μ² cancel; P-SANITY-2's derivation with γ_(2(H+W)+60)
        // in place of γ₆₀ bounds the difference (4e-9 here; measured 2.4e-9).
        let (h, w) = (a.shape[3], a.shape[4])
        let u = 0x1p-53, k = Double(2 * (h + w) + 60), settings = StructuralSimilaritySettings()
        let bound = (16 / settings.c1 + 32 / settings.c2) * k * u / (1 - k * u)
        #expect(abs(s[i].ssim! - ssim[i]) <= bound, "\(path) clip \(i): \(s[i].ssim!) vs scikit-image \(ssim[i])")
        // HOG: scikit-image sums every cell in C float (Reference/evaluation_reliability/README.md):
        // a relative 2⁻²⁴ per cell sum, which reaches the correlation at ~1e-7.
        #expect(abs(s[i].hog! - hog[i]) < 1e-6, "\(path) clip \(i): \(s[i].hog!) vs scikit-image \(hog[i])")
      }
    }
    // One frame's descriptor, against `skimage.feature.hog` (float cell sums: 1e-6 relative).
    let frame = try Self.similarity.float64(named: "hog_frame")
    let expected = try Self.doubles("hog_frame_descriptor")
    let d = Literal.orientedGradients(frame.scalars, height: frame.shape[0], width: frame.shape[1])
    #expect(d.count == expected.count)
    #expect(zip(d, expected).allSatisfy { abs($0 - $1) <= 1e-6 * max(abs($1), 1e-3) }, "HOG descriptor differs")
  }

  @Test(
    "Quantus' Spearman (per-voxel |map| over all channels) is our kernel on its preprocessing; its RandomLogit SSIM is 1-D"
  )
  func quantusSimilarity() throws {
    let a = try Self.similarity.float32(named: "a"), b = try Self.similarity.float32(named: "b")
    let theirs = try Self.doubles("quantus_spearman")
    let per = a.count / a.shape[0]
    // normalise_by_max divides in float32 (which can merge near values into ties), then |·|.
    func quantusPreprocessed(_ m: Tensor<Float>, _ i: Int) -> [Double] {
      let clip = m.scalars[(i * per)..<((i + 1) * per)]
      let top = clip.map(abs).max()!
      return clip.map { Double(abs($0 / top)) }
    }
    for i in 0..<a.shape[0] {
      let ours = Literal.spearmanCorrelation(quantusPreprocessed(a, i), quantusPreprocessed(b, i))
      #expect(abs(ours - theirs[i]) < 1e-12, "clip \(i): \(ours) vs Quantus \(theirs[i])")
    }
    // The channel reduction matters: Quantus ranks 3·T·H·W values, we rank T·H·W sums (0.18 vs 0.21 here).
    let ours = try MapComparison(measures: [.spearman]).compare(a, b, path: .fast)
    #expect(abs(ours[0].spearman! - theirs[0]) > 0.01)
  }

  static func reliability() throws -> [String: Any] { try EvaluationFixture.json("reliability.json") }

  @Test("Li et al.'s α and Krippendorff's α of the rank matrix equal the authors' formula and the krippendorff package")
  func reliabilityVectors() throws {
    let r = try Self.reliability()
    let matrices: [String: [[Double]]] = [
      "scores": r["scores"] as! [[Double]], "competitive_scores": r["competitive_scores"] as! [[Double]],
      "one_minus_scores": (r["scores"] as! [[Double]]).map { $0.map { 1 - $0 } },
    ]
    let names = ["random", "a", "b", "c", "d", "e"]
    for case_ in r["cases"] as! [[String: Any]] {
      let scores = matrices[case_["matrix"] as! String]!
      let orientation = MetricOrientation(rawValue: case_["orientation"] as! String)!
      let ranks = case_["ranks"] as! [[Int]]
      #expect(scores.map { Literal.scoreRanks($0, higherIsBetter: orientation == .higherIsBetter) } == ranks)
      for path in ComputePath.allCases {
        let kripp = case_["krippendorff"] as! [String: Double]
        for (levelName, expected) in kripp {
          let level = KrippendorffLevel(rawValue: levelName)!
          let m = try MetricReliability.measure(
            scores: scores, methods: names, orientation: orientation, level: level, path: path)
          #expect(abs(m.krippendorff - expected) < 1e-12, "\(case_["matrix"]!) \(orientation) \(level) \(path)")
          if let alpha = case_["alpha"] as? Double {
            // The authors divide by Σ w_i w_j + 1e-10: 1e-10/Σ w_i w_j apart from the exact ratio.
            #expect(abs(m.alpha - alpha) < 1e-12, "\(case_["matrix"]!) \(orientation) \(path): \(m.alpha) vs \(alpha)")
            #expect(abs(m.alpha - (case_["alpha_authors_epsilon"] as! Double)) < 1e-9)
          } else {
            // Every weight product 0: 0/0 exactly, −1 in the authors' script.
            #expect(m.alpha == -1 && (case_["alpha_authors_epsilon"] as! Double) == -1)
          }
        }
      }
    }
    let example = r["krippendorff_2011_example"] as! [String: Any]
    let data = (example["data"] as! [[Any]]).map { $0.map { $0 as? Double } }
    for (levelName, expected) in example["alpha"] as! [String: Double] {
      let level = KrippendorffLevel(rawValue: levelName)!
      #expect(abs(Literal.krippendorffAlpha(data, level: level) - expected) < 1e-12, "\(level)")
      #expect(abs(Fast.krippendorffAlpha(data, level: level) - expected) < 1e-12, "\(level)")
    }
  }

  @Test(
    "Quantus MPRT: cascading by default, every layer re-seeded alike, batch norms apart; its last step is our full randomisation's"
  )
  func quantusMPRT() throws {
    let q = try EvaluationFixture.json("quantus.json")
    #expect(q["mprt_layer_order_default"] as! String == "top_down")  // its docstring says "independent"
    #expect(q["mprt_equal_shapes_get_equal_values"] as! Bool)
    let modules = q["mprt_reset_modules_top_down"] as! [String]
    // Quantus resets a convolution and its batch norm as two steps; we re-initialise them together.
    let net = try EvaluationFixture.zoo("r3d_mini", .r3d_mini, FastBackend.self)
    #expect(modules.count == 2 * net.parameterizedLayers.count - 1)  // every conv has a BN, fc has none
    #expect(modules.first == "model.fc" && modules.last == "model.stem.0")
  }

  @Test(
    "Quantus RandomLogit (Spearman, no |·|) on the zoo's r3d_mini: our gradient maps for its classes give its values")
  func quantusRandomLogit() throws {
    let q = try EvaluationFixture.json("quantus.json")
    let targets = q["targets"] as! [Int], others = q["random_logit_other_classes"] as! [Int]
    let net = try EvaluationFixture.zoo("r3d_mini", .r3d_mini, LiteralBackend<Double>.self)
    let x = EvaluationFixture.clip.asDouble
    let a = try Saliency().attribute(x, targets: targets, network: net, score: .logit).map
    let b = try Saliency().attribute(x, targets: others, network: net, score: .logit).map
    let theirs = q["random_logit_spearman"] as! [Double]
    let per = a.count / 2
    for i in 0..<2 {
      // Quantus normalises by the maximum |value| and keeps the sign (RandomLogit's abs=False).
      func normalised(_ m: Tensor<Double>) -> [Double] {
        let clip = Array(m.scalars[(i * per)..<((i + 1) * per)])
        let top = clip.map(abs).max()!
        return clip.map { $0 / top }
      }
      let ours = Literal.spearmanCorrelation(normalised(a), normalised(b))
      // Quantus' maps are float32 gradients (ours Double, equal to PyTorch float64 to 1e-10):
      // values within a float32 rounding of each other may swap ranks, each swap of two values r
      // ranks apart moving ρ by ≤ 12r/n³ (n = 24 576); measured 8e-8 and 1e-7. Not a derived
      // bound: a measured agreement with a tenfold margin (a wrong sign, |·| or normalisation
      // moves ρ by more than 0.1).
      #expect(abs(ours - theirs[i]) < 1e-6, "clip \(i): \(ours) vs Quantus \(theirs[i])")
    }
  }
}
