import Foundation

/// Per (model, method, metric column) the mean over clips with a 95 % interval, from a study's
/// records, in the configuration's order — what every table and summary is computed from.
///
/// A metric column is the metric with its unit and order (`insertion·block·morf`); a clip
/// contributes when its value is defined. The interval is mean ± 1.96·s/√n (normal
/// approximation; n is the number of clips, at least 11 in a study's default).
public struct StudyTables: Sendable {
  public struct Cell: Sendable, Equatable, Codable {
    public var mean: Double
    public var halfWidth: Double
    public var count: Int
  }

  /// model → method label → column → cell.
  public let cells: [String: [String: [String: Cell]]]
  /// Columns in a fixed order.
  public let columns: [String]
  public let configuration: StudyConfiguration
  /// Per-clip values: model → column → method label → video → value (for rank statistics).
  public let values: [String: [String: [String: [Int: Double]]]]

  /// The column name of a record.
  public static func column(_ r: StudyRecord) -> String {
    [r.metric, r.unit, r.order].compactMap { $0 }.joined(separator: "·")
  }

  public init(records: [StudyRecord], configuration: StudyConfiguration) {
    self.configuration = configuration
    var values: [String: [String: [String: [Int: Double]]]] = [:]
    var perModel: [String: [String: [String: Double]]] = [:]  // sanity: model → method → column → value
    var columnSet: Set<String> = []
    for r in records where r.value.isFinite {
      let c = Self.column(r)
      columnSet.insert(c)
      if let v = r.video {
        values[r.model, default: [:]][c, default: [:]][r.method, default: [:]][v] = r.value
      } else {
        perModel[r.model, default: [:]][r.method, default: [:]][c] = r.value
      }
    }
    var cells: [String: [String: [String: Cell]]] = [:]
    for (model, byColumn) in values {
      for (column, byMethod) in byColumn {
        for (method, byVideo) in byMethod {
          let xs = byVideo.keys.sorted().map { byVideo[$0]! }
          let n = xs.count
          let mean = xs.reduce(0, +) / Double(n)
          let variance = n > 1 ? xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n - 1) : 0
          cells[model, default: [:]][method, default: [:]][column] = Cell(
            mean: mean, halfWidth: 1.96 * (variance / Double(n)).squareRoot(), count: n)
        }
      }
    }
    for (model, byMethod) in perModel {
      for (method, byColumn) in byMethod {
        for (column, v) in byColumn {
          cells[model, default: [:]][method, default: [:]][column] = Cell(mean: v, halfWidth: 0, count: 1)
        }
      }
    }
    self.cells = cells
    self.values = values
    self.columns = columnSet.sorted()
  }

  /// One Markdown table per model: method rows, metric columns (mean ± half-width).
  public func markdown(columns chosen: [String]? = nil) -> String {
    let cols = chosen ?? columns
    var out = ""
    for model in configuration.models {
      guard let byMethod = cells[model] else { continue }
      out += "\n### \(model)\n\n| method | " + cols.joined(separator: " | ") + " |\n"
      out += "|---|" + String(repeating: "---|", count: cols.count) + "\n"
      for method in configuration.methods.map(\.label) {
        guard let row = byMethod[method] else { continue }
        out += "| \(method) | "
        out += cols.map { c in row[c].map { Self.format($0) } ?? "–" }.joined(separator: " | ") + " |\n"
      }
    }
    return out
  }

  static func format(_ c: Cell) -> String {
    c.count > 1 ? String(format: "%.3f ± %.3f", c.mean, c.halfWidth) : String(format: "%.3f", c.mean)
  }

  /// The table as CSV: model, method, column, mean, half-width, count.
  public var csv: String {
    var lines = ["model,method,column,mean,half_width,count"]
    for model in configuration.models {
      for method in configuration.methods.map(\.label) {
        for column in columns {
          guard let c = cells[model]?[method]?[column] else { continue }
          lines.append("\(model),\"\(method)\",\(column),\(c.mean),\(c.halfWidth),\(c.count)")
        }
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }
}
