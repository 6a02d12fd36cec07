import Attribution
import Evaluation
import Foundation
import Imaging
import SyntheticVideo
import TensorCore

/// The report's figures, from a study's folder: mean insertion and deletion curves per model
/// (SVG), and per kept example clip a contact sheet of every method's map (PNG, one row per
/// method) and an animation of its frames with the maps side by side (GIF).
enum StudyFigures {
  /// Mean curves per model, metric and unit (MoRF), one series per method.
  static func curves(records: [StudyRecord], configuration: StudyConfiguration) -> [(caption: String, svg: String)] {
    var out: [(String, String)] = []
    for model in configuration.models {
      for metric in ["insertion", "deletion"] {
        for unit in ["block\(configuration.block)", "voxel"] {
          var series: [CurvePlot.Series] = []
          for method in configuration.methods.map(\.label) {
            let curves = records.filter {
              $0.model == model && $0.method == method && $0.metric == metric && $0.unit == unit && $0.order == "morf"
            }.compactMap(\.curve)
            guard let n = curves.first?.count, curves.allSatisfy({ $0.count == n }) else { continue }
            series.append(
              CurvePlot.Series(
                label: method, points: (0..<n).map { k in curves.map { $0[k] }.reduce(0, +) / Double(curves.count) }))
          }
          guard !series.isEmpty else { continue }
          let caption = "\(model): mean \(metric) curves, \(unit) units, most relevant first"
          out.append((caption, CurvePlot.svg(title: caption, series: series, yLabel: "p_c")))
        }
      }
    }
    return out
  }

  /// Writes a PNG sheet and a GIF per (model, example clip) into `figures`; returns their
  /// captions and file names. Methods whose map was not kept are left out.
  static func pictures(directory: String, configuration: StudyConfiguration) throws -> [(caption: String, file: String)]
  {
    let figures = directory + "/figures"
    try FileManager.default.createDirectory(atPath: figures, withIntermediateDirectories: true)
    guard configuration.examples > 0 else { return [] }
    let batch = try StudyRunner.clips(configuration)
    var out: [(String, String)] = []
    for model in configuration.models {
      for video in 0..<min(configuration.examples, configuration.videos) {
        var labels: [String] = [], heats: [Tensor<Float>] = []
        for method in configuration.methods {
          let path = "\(directory)/maps/\(model)/\(StudyReport.slug(method.label))-\(video).safetensors"
          guard FileManager.default.fileExists(atPath: path) else { continue }
          let file = try AttributionFile.read(contentsOf: path)
          let post = try method.make(seed: 0).defaultPostProcessing
          heats.append(Tensor<Float>(converting: post.apply(file.attribution)))
          labels.append(method.label)
        }
        guard !heats.isEmpty else { continue }
        let clip = batch.input.clips(video..<(video + 1))
        let t = clip.shape[2], size = clip.shape[3]
        let rows = Tensor.concatenate(Array(repeating: clip, count: heats.count))
        let boxes = Tensor<Float>(
          shape: [heats.count, t, 4],
          scalars: Array(
            (0..<heats.count).map { _ in batch.boxes.scalars[(video * t * 4)..<((video + 1) * t * 4)] }.joined()))
        let name = Synthetic.classNames[batch.labels[video]]
        let sheet = try HeatMapSheet().render(
          clips: rows, normalization: Synthetic.normalization, heat: Tensor.concatenate(heats), boxes: boxes)
        let png = "\(model)-clip\(video).png"
        try PNG.write(sheet, to: "\(figures)/\(png)")
        out.append(("\(model), clip \(video) (\(name)): rows " + labels.joined(separator: ", "), png))
        // The animation: frame t of every method's overlay side by side.
        var strips: [[RGBImage]] = Array(repeating: [], count: t)
        for heat in heats {
          let frames = try HeatMapSheet().frames(
            clips: clip, normalization: Synthetic.normalization, heat: heat, index: 0, scale: max(1, 128 / size))
          for f in 0..<t { strips[f].append(frames[f]) }
        }
        let gifFrames = try strips.map { row -> RGBImage in
          try ContactSheet(scale: 1, gutter: 2).render(rows: [row])
        }
        let gif = "\(model)-clip\(video).gif"
        try GIF.write(gifFrames, to: "\(figures)/\(gif)", delay: 25)
        out.append(("\(model), clip \(video) (\(name)), animated: " + labels.joined(separator: ", "), gif))
      }
    }
    return out
  }
}
