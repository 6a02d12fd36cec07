import ArgumentParser
import Foundation
import Synchronization
import VideoAttribution

/// `vidattr experiment`: experiments whose tables stand in Proofs/.
struct ExperimentCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "experiment",
    abstract: "Run an experiment whose results Proofs/ reports.",
    subcommands: [EPExtensionExperiment.self, EPBudgetExperiment.self])
}

/// `vidattr experiment ep-extension`: 2D-EP, 3D-EP and STEP on clips whose evidence lives in a few
/// frames (flash, a_then_b, b_then_a) and on motion classes (translate_right, rotate_clockwise,
/// grow), with the benchmark's ground truth (Proofs/extremal-perturbation.md, "The experiment").
struct EPExtensionExperiment: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ep-extension",
    abstract: "Compare 2D-EP, 3D-EP and STEP on the built-in benchmark's ground truth.",
    discussion: """
      For every clip and method (Li-TCSVT settings, --iterations), one JSON line on stdout: the \
      share of the map on key frames and inside the evidence mask; for the mask of area 0.1, the \
      preserved probability p_c(Φ(x; m)) (blur), the number of frames holding 90 % of its mass, and \
      its share on key frames. Then a Markdown table of the means per class group on stdout.
      """)

  @Option(help: "Zoo model.") var model: Architecture = .r2plus1d_mini
  @Option(help: "Weights (default: Reference/models/<model>.safetensors).") var weights: String?
  @Option(help: "Test clips per class.") var videosPerClass: Int = 2
  @Option(help: "Iterations (Li-TCSVT: 1200).") var iterations: Int = 1200
  @Option(help: "Seed of the tie orders.") var seed: UInt64 = 0
  @Option(help: "Perturbed copies per forward pass.") var batch: Int = 8

  static let fewFrameClasses = ["flash", "a_then_b", "b_then_a"]
  static let motionClasses = ["translate_right", "rotate_clockwise", "grow"]

  func validate() throws {
    guard videosPerClass >= 1, iterations >= 1, batch >= 1 else {
      throw ValidationError("--videos-per-class, --iterations and --batch must be ≥ 1")
    }
  }

  func run() throws {
    guard let path = weights ?? locateReferenceFile("models/\(model.rawValue).safetensors") else {
      throw ValidationError("no weights for \(model): give --weights")
    }
    let net: Network<FastBackend> = try WeightsFile.read(contentsOf: path).network(model)
    let generator = try Synthetic.Generator(Synthetic.Configuration())
    let names = Synthetic.classNames
    let classes = (Self.fewFrameClasses + Self.motionClasses).map { names.firstIndex(of: $0)! }
    let all = try generator.batch(split: .test, count: 11 * videosPerClass)
    let picked = (0..<all.count).filter { classes.contains(all.labels[$0]) }
    let x = all.input.clips(0..<all.count)
    let clip = Tensor.concatenate(picked.map { x.clips($0..<($0 + 1)) })
    let targets = picked.map { all.labels[$0] }
    let (t, h, w) = (clip.shape[2], clip.shape[3], clip.shape[4])

    var rows: [(group: String, method: String, values: [Double])] = []
    for variant in ExtremalPerturbation.Variant.allCases {
      var s = ExtremalSettings.preset(.tcsvt, grouping: variant.grouping, core: variant == .step ? .init() : nil)
      s.iterations = iterations
      let progress = ProgressReporter(
        "\(variant.rawValue), clip-iterations", total: picked.count * iterations, interval: 30)
      let done = Mutex(0)
      let method = ExtremalPerturbation(
        variant, settings: s, preset: .tcsvt, seed: seed, batch: batch,
        progress: { _, _ in
          progress.update(
            done: done.withLock {
              $0 += 1; return $0
            })
        })
      let r = try method.attribute(clip, targets: targets, network: net, score: .probability)
      let masks = r.extras["masks"]!  // N×A×T×H×W
      let a = s.areas.count, tenth = s.areas.firstIndex(of: 0.1)!
      let pyramid = FastBackend.blurPyramid(clip, levels: s.pyramidLevels, maxSigma: s.maxBlur)
      for (j, index) in picked.enumerated() {
        let map = r.map.clips(j..<(j + 1)).scalars.map(Double.init)  // T×H×W
        let key = (0..<t).map { all.keyFrames.scalars[index * t + $0] != 0 }
        let evidence = all.evidence.scalars[(index * t * h * w)..<((index + 1) * t * h * w)].map { $0 != 0 }
        let mask = Array(masks.scalars[((j * a + tenth) * t * h * w)..<((j * a + tenth + 1) * t * h * w)])
        let perturbed = FastBackend.pyramidPerturbation(
          pyramid, mask: Tensor(shape: [1, 1, t, h, w], scalars: mask.map(Float.init)), clips: [j])
        let p = FastBackend.softmax(net.logits(perturbed)).scalars[targets[j]]
        let values = [
          Self.share(map, frames: key, t: t), Self.share(map, voxels: evidence),
          Double(p), Double(Self.framesHolding(0.9, of: mask, t: t)), Self.share(mask, frames: key, t: t),
        ]
        let group = Self.fewFrameClasses.contains(names[targets[j]]) ? "few-frame evidence" : "motion"
        rows.append((group, variant.rawValue, values))
        var line = JSONLine()
        line["clip"] = index
        line["class"] = names[targets[j]]
        line["method"] = variant.rawValue
        line["map_on_key_frames"] = values[0]
        line["map_in_evidence"] = values[1]
        line["preserved_probability_a0.1"] = values[2]
        line["frames_for_90pc_of_mask_a0.1"] = values[3]
        line["mask_a0.1_on_key_frames"] = values[4]
        line.print()
      }
    }
    print(
      "\n| group | method | map on key frames | map in evidence | p_c preserved (a = 0.1) | frames for 90 % of mask (of \(t)) | mask on key frames |"
    )
    print("|---|---|---|---|---|---|---|")
    for group in ["few-frame evidence", "motion"] {
      for method in ExtremalPerturbation.Variant.allCases.map(\.rawValue) {
        let sel = rows.filter { $0.group == group && $0.method == method }.map(\.values)
        let means = (0..<5).map { k in sel.map { $0[k] }.reduce(0, +) / Double(max(sel.count, 1)) }
        print("| \(group) | \(method) | " + means.map { String(format: "%.3f", $0) }.joined(separator: " | ") + " |")
      }
    }
  }

  /// Σ over frames where `frames` holds / Σ, of a T×H×W map.
  static func share(_ v: [Double], frames: [Bool], t: Int) -> Double {
    let per = v.count / t
    var inside = 0.0, total = 0.0
    for f in 0..<t {
      let s = v[(f * per)..<((f + 1) * per)].reduce(0, +)
      total += s
      if frames[f] { inside += s }
    }
    return total > 0 ? inside / total : 0
  }

  /// Σ over voxels where `voxels` holds / Σ.
  static func share(_ v: [Double], voxels: [Bool]) -> Double {
    var inside = 0.0, total = 0.0
    for i in v.indices {
      total += v[i]
      if voxels[i] { inside += v[i] }
    }
    return total > 0 ? inside / total : 0
  }

  /// The fewest frames whose mass reaches `fraction` of the total.
  static func framesHolding(_ fraction: Double, of v: [Double], t: Int) -> Int {
    let per = v.count / t
    let masses = (0..<t).map { f in v[(f * per)..<((f + 1) * per)].reduce(0, +) }.sorted(by: >)
    let total = masses.reduce(0, +)
    var sum = 0.0
    for (k, m) in masses.enumerated() {
      sum += m
      if sum >= fraction * total { return k + 1 }
    }
    return t
  }
}

/// `vidattr experiment ep-budget`: what makes a STEP explanation cheaper without losing its
/// insertion AUC — fewer iterations with the schedule compressed to fit them, a coarser mask
/// lattice — against the papers' 1200 iterations, on zoo clips (Proofs/extremal-perturbation.md,
/// "Cheaper explanations").
struct EPBudgetExperiment: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ep-budget",
    abstract: "Insertion AUC of STEP under cheaper settings against the papers' 1200 iterations.",
    discussion: """
      Settings: the papers' (1200 iterations, λ_a growth 1.0008668, core from iteration 100); the \
      schedule compressed k times into 1200/k iterations (growth 1.0008668^k, core from 100/k) for \
      k = 2, 4, 8; and the papers' iterations with a lattice twice as coarse (mask step and σ \
      doubled). One JSON line per clip and setting (insertion AUC, 7×7-equivalent blocks, MoRF, \
      probability), then a Markdown table of the means and the ratio of iterations.
      """)

  @Option(help: "Zoo model.") var model: Architecture = .r2plus1d_mini
  @Option(help: "Weights (default: Reference/models/<model>.safetensors).") var weights: String?
  @Option(help: "Test clips (the first ones of the split; clip i has class i mod 11).") var videos: Int = 6
  @Option(help: "Perturbed copies per forward pass.") var batch: Int = 8

  func run() throws {
    guard let path = weights ?? locateReferenceFile("models/\(model.rawValue).safetensors") else {
      throw ValidationError("no weights for \(model): give --weights")
    }
    let net: Network<FastBackend> = try WeightsFile.read(contentsOf: path).network(model)
    let all = try Synthetic.Generator(Synthetic.Configuration()).batch(split: .test, count: videos)
    let clip = all.input, targets = all.labels
    let base = ExtremalSettings.preset(.tcsvt, grouping: .clip, core: .init())
    var settings: [(String, ExtremalSettings)] = [("papers: 1200 iterations", base)]
    for k in [2, 4, 8] {
      var s = base
      s.iterations = 1200 / k
      s.areaGrowth = Double.pow(base.areaGrowth, Double(k))
      s.core?.start = 100 / k
      settings.append(("\(1200 / k) iterations, schedule ×\(k)", s))
    }
    var coarse = base
    coarse.maskStep = max(1, Int((7.0 * 2 * Double(clip.shape[3]) / 112).rounded()))
    coarse.maskSigma = 11.0 * 2 * Double(clip.shape[3]) / 112
    settings.append(("1200 iterations, lattice step and σ ×2", coarse))
    let curve = InsertionDeletion(.insertion, order: .morf, unit: .block(2), steps: 128, batch: 16, score: .probability)
    var rows: [(String, Int, Double)] = []
    for (name, s) in settings {
      let progress = ProgressReporter(name, total: videos * s.iterations, interval: 30)
      let done = Mutex(0)
      let method = ExtremalPerturbation(
        .step, settings: s, preset: nil, seed: 0, batch: batch,
        progress: { _, _ in
          progress.update(
            done: done.withLock {
              $0 += 1; return $0
            })
        })
      let started = Date()
      let r = try method.attribute(clip, targets: targets, network: net, score: .probability)
      let seconds = Date().timeIntervalSince(started)
      let maps = Tensor<Double>(converting: r.map)
      let curves = try curve.curves(network: net, clips: clip, targets: targets, maps: maps)
      for (i, c) in curves.enumerated() {
        var line = JSONLine()
        line["setting"] = name
        line["clip"] = i
        line["class"] = Synthetic.classNames[targets[i]]
        line["insertion_auc"] = c.auc
        line.print()
      }
      let mean = curves.map(\.auc).reduce(0, +) / Double(curves.count)
      rows.append((name, s.iterations, mean))
      note(String(format: "%@: mean insertion AUC %.4f in %.0f s", name, mean, seconds))
    }
    print("\n| setting | iterations | mean insertion AUC | AUC / papers' |\n|---|---|---|---|")
    for (name, iterations, auc) in rows {
      print(String(format: "| %@ | %d | %.4f | %.3f |", name, iterations, auc, auc / rows[0].2))
    }
  }
}
