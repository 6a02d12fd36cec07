import Evaluation
import Foundation
import Kernels
import TensorCore

/// The answers a study gives to the papers' questions, each computed from the records:
/// which methods suit which family, whether objective and subjective metrics rank methods in
/// opposite order, whether deletion is less reliable than insertion, whether STEP beats 3D-EP
/// beats 2D-EP, which methods pass the sanity checks, and how the benchmark's ground-truth
/// metrics agree with the papers' metrics.
public struct StudySummary {
  public let tables: StudyTables
  /// Seed of the bootstrap resamples.
  public let seed: UInt64

  /// The columns the papers report: insertion and deletion AUC with block units (MoRF), the
  /// pointing game; and the ground truth the papers did not have.
  var objective: String { "insertion·block\(configuration.block)·morf" }
  var deletion: String { "deletion·block\(configuration.block)·morf" }
  var subjective: String { column("pointing_game") ?? "pointing_game" }
  var groundTruth: [String] { ["evidence_mass", "temporal_pointing_game"].compactMap(column) }

  /// The study's column of a per-clip metric (its unit appended), nil when it has none.
  func column(_ metric: String) -> String? { tables.columns.first { $0 == metric || $0.hasPrefix(metric + "·") } }

  /// The columns the report's tables show: every per-clip metric, curves most relevant first.
  var reportColumns: [String] {
    tables.columns.filter { !$0.hasPrefix("sanity") && !$0.hasSuffix("·lerf") }
  }
  /// Spearman's ρ of |map| below which a method counts as having lost its map under full
  /// cascading randomisation: ρ² < ½, less than half of the rank variance shared (the
  /// threshold of EvaluationTests/SanityZooTests, P-SANITY-6).
  public static let sanityThreshold = 0.5.squareRoot()

  public init(tables: StudyTables, seed: UInt64) {
    self.tables = tables
    self.seed = seed
  }

  var configuration: StudyConfiguration { tables.configuration }
  var methods: [String] { configuration.methods.map(\.label) }
  var random: String? { configuration.methods.first { $0.name == "random" }?.label }

  /// Every section, in the order the report shows them.
  public var sections: [(title: String, markdown: String)] {
    [
      ("Which methods suit which family", bestMethods),
      ("Do objective and subjective metrics rank methods in opposite order?", objectiveVersusSubjective),
      ("Is deletion less reliable than insertion?", reliability),
      ("Does STEP beat 3D-EP beat 2D-EP?", extremalOrder),
      ("Which methods pass the sanity checks?", sanity),
      ("Do the ground-truth metrics agree with the papers' metrics?", groundTruthAgreement),
      ("Tables (mean ± 95 % interval over clips; curves most relevant first)", tables.markdown(columns: reportColumns)),
    ]
  }

  /// The method means of a column for one model, in method order (nil where missing).
  func means(_ model: String, _ column: String, excludingRandom: Bool = true) -> [(String, Double)] {
    methods.compactMap { m in
      guard !(excludingRandom && m == random), let c = tables.cells[model]?[m]?[column] else { return nil }
      return (m, c.mean)
    }
  }

  var bestMethods: String {
    var out =
      "| model | best insertion AUC | best deletion AUC (lowest) | best pointing game | most evidence mass |\n|---|---|---|---|---|\n"
    var any = false
    for model in configuration.models {
      func best(_ column: String, lowest: Bool = false) -> String {
        let m = means(model, column)
        guard let b = (lowest ? m.min { $0.1 < $1.1 } : m.max { $0.1 < $1.1 }) else { return "–" }
        any = true
        return String(format: "%@ (%.3f)", b.0, b.1)
      }
      out +=
        "| \(model) | \(best(objective)) | \(best(deletion, lowest: true)) | \(best(subjective)) | \(best(column("evidence_mass") ?? "evidence_mass")) |\n"
    }
    return any ? out : "Not computed: the study has no insertion, deletion, pointing or evidence records."
  }

  /// Spearman's ρ between the methods' mean scores under two columns, and a 95 % bootstrap
  /// interval over clips (1000 resamples of the clips with replacement, seeded).
  func rankCorrelation(_ model: String, _ a: String, _ b: String) -> (rho: Double, low: Double, high: Double)? {
    guard let va = tables.values[model]?[a], let vb = tables.values[model]?[b] else { return nil }
    let ms = methods.filter { $0 != random && va[$0] != nil && vb[$0] != nil }
    guard ms.count >= 3 else { return nil }
    let videos = Array(Set(ms.flatMap { Array(va[$0]!.keys) }).intersection(ms.flatMap { Array(vb[$0]!.keys) }))
      .sorted()
    guard videos.count >= 2 else { return nil }
    func rho(_ sample: [Int]) -> Double {
      func mean(_ v: [String: [Int: Double]], _ m: String) -> Double {
        let xs = sample.compactMap { v[m]?[$0] }
        return xs.reduce(0, +) / Double(max(xs.count, 1))
      }
      return Literal.spearmanCorrelation(ms.map { mean(va, $0) }, ms.map { mean(vb, $0) })
    }
    let point = rho(videos)
    var rng = SeededRNG(seed: seed).split(model).split(a + "|" + b)
    var boot: [Double] = []
    for _ in 0..<1000 {
      let r = rho((0..<videos.count).map { _ in videos[rng.int(below: videos.count)] })
      if r.isFinite { boot.append(r) }
    }
    boot.sort()
    guard boot.count >= 100 else { return (point, .nan, .nan) }
    return (point, boot[Int(0.025 * Double(boot.count))], boot[Int(0.975 * Double(boot.count)) - 1])
  }

  var objectiveVersusSubjective: String {
    var out =
      "Spearman's ρ between the methods' mean insertion AUC (block units, MoRF) and their mean pointing-game "
      + "accuracy, and between deletion AUC and the pointing game (deletion: lower is better, so agreement is ρ < 0), "
      + "with 95 % bootstrap intervals over clips. The papers found opposite orders: ρ < 0 for insertion.\n\n"
      + "| model | ρ(insertion, pointing) | 95 % interval | ρ(deletion, pointing) | 95 % interval |\n|---|---|---|---|---|\n"
    var any = false
    for model in configuration.models {
      let i = rankCorrelation(model, objective, subjective)
      let d = rankCorrelation(model, deletion, subjective)
      if i != nil || d != nil { any = true }
      func f(_ r: (rho: Double, low: Double, high: Double)?) -> String {
        guard let r else { return "– | –" }
        return String(format: "%.2f | [%.2f, %.2f]", r.rho, r.low, r.high)
      }
      out += "| \(model) | \(f(i)) | \(f(d)) |\n"
    }
    return any
      ? out : "Not computed: the study needs insertion or deletion and the pointing game for at least 3 methods."
  }

  /// Li et al.'s reliability and Krippendorff's α of each metric column, per model (the random
  /// map as method 0).
  var reliability: String {
    guard let random else {
      return "Not computed: the study has no random map (method `random`), which the measurement needs."
    }
    var out =
      "Li et al.'s reliability α (weighted agreement of the videos' method rankings, the random map as the "
      + "control; the paper: insertion 0.63–0.76 passes, deletion 0.21–0.45 fails) and Krippendorff's α (ordinal) "
      + "of the rank matrix.\n\n| model | metric | reliability α | Krippendorff α | mean weight |\n|---|---|---|---|---|\n"
    var verdicts: [String] = []
    for model in configuration.models {
      var alphas: [String: Double] = [:]
      for column in reportColumns {
        guard let byMethod = tables.values[model]?[column], byMethod[random] != nil else { continue }
        let ms = methods.filter { byMethod[$0] != nil }
        guard ms.count >= 3 else { continue }
        let videos = ms.map { Set(byMethod[$0]!.keys) }.reduce(Set(byMethod[random]!.keys)) { $0.intersection($1) }
          .sorted()
        var order = [random] + ms.filter { $0 != random }
        order = order.filter { byMethod[$0] != nil }
        let scores = videos.map { v in order.map { byMethod[$0]![v]! } }.filter { row in
          !row.allSatisfy { $0 == row[0] }
        }
        let orientation: MetricOrientation = column.hasPrefix("deletion") ? .lowerIsBetter : .higherIsBetter
        guard scores.count >= 2,
          let r = try? MetricReliability.measure(scores: scores, methods: order, random: 0, orientation: orientation)
        else { continue }
        alphas[column] = r.alpha
        out += String(
          format: "| %@ | %@ | %.3f | %.3f | %.3f |\n", model, column, r.alpha, r.krippendorff, r.meanWeight)
      }
      if let ins = alphas[objective], let del = alphas[deletion] {
        verdicts.append(
          "\(model): insertion \(String(format: "%.2f", ins)), deletion \(String(format: "%.2f", del)) — "
            + (del < ins ? "deletion is less reliable, as the paper reports" : "deletion is not less reliable here"))
      }
    }
    return out + (verdicts.isEmpty ? "" : "\n" + verdicts.map { "- " + $0 }.joined(separator: "\n") + "\n")
  }

  var extremalOrder: String {
    let eps = configuration.methods.filter { ["ep2d", "ep3d", "step"].contains($0.name) }
    guard eps.count >= 2 else { return "Not computed: the study runs fewer than two of ep2d, ep3d, step." }
    var out =
      "Mean insertion AUC (block units, MoRF) and evidence mass of the extremal-perturbation methods, and the "
      + "paired difference over clips with its 95 % interval (normal approximation).\n\n"
      + "| model | " + eps.map(\.label).joined(separator: " | ") + " | step − ep3d | ep3d − ep2d |\n|---|"
      + String(repeating: "---|", count: eps.count + 2) + "\n"
    for model in configuration.models {
      let cells = eps.map { m -> String in
        guard let c = tables.cells[model]?[m.label]?[objective] else { return "–" }
        return String(format: "%.3f", c.mean)
      }
      func paired(_ a: String, _ b: String) -> String {
        guard let ma = eps.first(where: { $0.name == a })?.label, let mb = eps.first(where: { $0.name == b })?.label,
          let va = tables.values[model]?[objective]?[ma], let vb = tables.values[model]?[objective]?[mb]
        else { return "–" }
        let d = va.keys.filter { vb[$0] != nil }.map { va[$0]! - vb[$0]! }
        guard d.count >= 2 else { return "–" }
        let mean = d.reduce(0, +) / Double(d.count)
        let sd = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d.count - 1)).squareRoot()
        return String(format: "%+.3f ± %.3f", mean, 1.96 * sd / Double(d.count).squareRoot())
      }
      out +=
        "| \(model) | " + cells.joined(separator: " | ")
        + " | \(paired("step", "ep3d")) | \(paired("ep3d", "ep2d")) |\n"
    }
    return out
  }

  var sanity: String {
    var out = String(
      format: "Spearman's ρ of |map| between the trained model's maps and those after the model's layers are "
        + "randomised from the output down (cascading; Adebayo et al.), at the last step. A method passes when "
        + "ρ < %.3f (ρ² < ½).%@\n\n", Self.sanityThreshold,
      configuration.sanityGranularity == "network"
        ? " Here the last step has every layer random, the stem included; guided backprop's known insensitivity "
          + "concerns the layers near the output (`--full` randomises stage by stage and shows it in the tables)."
        : "")
    out += "| model | method | ρ after full randomisation | passes |\n|---|---|---|---|\n"
    var any = false
    for model in configuration.models {
      for method in methods {
        let control = method == random ? " (control: no model inside)" : ""
        let steps = tables.columns.filter { $0.hasPrefix("sanity·") && $0.hasSuffix("·spearman") }
        let last = steps.compactMap { c -> (Int, Double)? in
          guard let cell = tables.cells[model]?[method]?[c] else { return nil }
          let index = Int(c.split(separator: "·")[1].split(separator: ":")[0]) ?? -1
          return (index, cell.mean)
        }.max { $0.0 < $1.0 }
        guard let (_, rho) = last else { continue }
        any = true
        out += String(
          format: "| %@ | %@ | %.3f | %@ |\n", model, method + control, rho, rho < Self.sanityThreshold ? "yes" : "no")
      }
    }
    return any ? out : "Not computed: the study's metrics do not include `sanity`."
  }

  var groundTruthAgreement: String {
    var out =
      "Spearman's ρ across methods between each ground-truth metric and the papers' metrics (deletion: lower is "
      + "better, so agreement is ρ < 0), with 95 % bootstrap intervals over clips.\n\n"
      + "| model | ground truth | ρ with insertion | ρ with deletion | ρ with pointing game |\n|---|---|---|---|---|\n"
    var any = false
    for model in configuration.models {
      for truth in groundTruth {
        let cells = [objective, deletion, subjective].map { column -> String in
          guard let r = rankCorrelation(model, truth, column) else { return "–" }
          any = true
          return String(format: "%.2f [%.2f, %.2f]", r.rho, r.low, r.high)
        }
        out += "| \(model) | \(truth) | " + cells.joined(separator: " | ") + " |\n"
      }
    }
    return any ? out : "Not computed: the study needs the ground-truth metrics and the papers' metrics."
  }
}
