import Foundation
import TensorCore

/// A study's report: `report.md` and a self-contained `report.html` (tables, the summary's
/// answers, mean insertion and deletion curves as inline SVG, example clips as PNG contact sheets
/// and GIF animations embedded as data URIs), plus every raw number as `results.csv` and
/// `results.json`. Written from the records alone, so a merged study and a single run give the
/// same report.
public struct StudyReport {
  public var configuration: StudyConfiguration
  public var records: [StudyRecord]
  /// The command line, the versions and the seeds, shown at the top.
  public var provenance: [String: String]
  /// Sections computed from the records (the summary's answers, reliability, sanity).
  public var sections: [(title: String, markdown: String)]
  /// Pictures: (caption, file name under figures/).
  public var pictures: [(caption: String, file: String)]
  /// Curves: (caption, SVG text).
  public var curves: [(caption: String, svg: String)]

  public init(
    configuration: StudyConfiguration, records: [StudyRecord], provenance: [String: String],
    sections: [(title: String, markdown: String)], pictures: [(caption: String, file: String)],
    curves: [(caption: String, svg: String)]
  ) {
    self.configuration = configuration
    self.records = records
    self.provenance = provenance
    self.sections = sections
    self.pictures = pictures
    self.curves = curves
  }

  /// A file-name-safe form of a label: letters, digits, '-' and '_' kept, anything else '_'.
  public static func slug(_ s: String) -> String {
    String(s.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" })
  }

  /// The report in Markdown; pictures are linked from figures/.
  public var markdown: String {
    var out = "# VideoAttribution study\n\n"
    for key in provenance.keys.sorted() { out += "- \(key): `\(provenance[key]!)`\n" }
    for s in sections { out += "\n## \(s.title)\n\n\(s.markdown)\n" }
    if !curves.isEmpty {
      out += "\n## Curves\n\n"
      for (i, c) in curves.enumerated() { out += "- [\(c.caption)](figures/curve-\(i).svg)\n" }
    }
    if !pictures.isEmpty {
      out += "\n## Examples\n\n"
      for p in pictures { out += "**\(p.caption)**\n\n![\(p.caption)](figures/\(p.file))\n\n" }
    }
    return out
  }

  /// The report as one HTML file with every picture inside it.
  public func html(figures: String) -> String {
    var out = """
      <!DOCTYPE html>
      <html lang="en"><head><meta charset="utf-8"><title>VideoAttribution study</title>
      <style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}
      table{border-collapse:collapse;margin:1em 0;font-size:90%}td,th{border:1px solid #bbb;padding:2px 6px;text-align:right}
      th:first-child,td:first-child{text-align:left}img{image-rendering:pixelated;max-width:100%}
      figure{display:inline-block;margin:0.5em}</style></head><body>
      <h1>VideoAttribution study</h1>
      <ul>
      """
    for key in provenance.keys.sorted() {
      out += "<li>\(Self.escape(key)): <code>\(Self.escape(provenance[key]!))</code></li>\n"
    }
    out += "</ul>\n"
    for s in sections { out += "<h2>\(Self.escape(s.title))</h2>\n" + Self.html(markdown: s.markdown) }
    if !curves.isEmpty {
      out += "<h2>Curves</h2>\n"
      for c in curves { out += "<figure>\(c.svg)<figcaption>\(Self.escape(c.caption))</figcaption></figure>\n" }
    }
    if !pictures.isEmpty {
      out += "<h2>Examples</h2>\n"
      for p in pictures {
        let mime = p.file.hasSuffix(".gif") ? "image/gif" : "image/png"
        let data = FileManager.default.contents(atPath: "\(figures)/\(p.file)") ?? Data()
        out +=
          "<figure><img alt=\"\(Self.escape(p.caption))\" src=\"data:\(mime);base64,\(data.base64EncodedString())\">"
          + "<figcaption>\(Self.escape(p.caption))</figcaption></figure>\n"
      }
    }
    return out + "</body></html>\n"
  }

  /// Markdown tables and paragraphs as HTML (the subset the report's sections use: `| … |`
  /// tables with a separator row, `### ` headings, `- ` lists, paragraphs).
  static func html(markdown: String) -> String {
    var out = "", table: [[String]] = [], list: [String] = []
    func flush() {
      if !table.isEmpty {
        out += "<table>\n"
        for (i, row) in table.enumerated() {
          let tag = i == 0 ? "th" : "td"
          out += "<tr>" + row.map { "<\(tag)>\(escape($0))</\(tag)>" }.joined() + "</tr>\n"
        }
        out += "</table>\n"
        table = []
      }
      if !list.isEmpty {
        out += "<ul>" + list.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        list = []
      }
    }
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.hasPrefix("|") {
        let cells = trimmed.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false)
          .map { $0.trimmingCharacters(in: .whitespaces) }
        if cells.allSatisfy({ $0.allSatisfy { $0 == "-" || $0 == ":" } && !$0.isEmpty }) { continue }
        table.append(cells)
      } else if trimmed.hasPrefix("- ") {
        list.append(String(trimmed.dropFirst(2)))
      } else {
        flush()
        if trimmed.hasPrefix("### ") {
          out += "<h3>\(escape(String(trimmed.dropFirst(4))))</h3>\n"
        } else if !trimmed.isEmpty {
          out += "<p>\(escape(trimmed))</p>\n"
        }
      }
    }
    flush()
    return out
  }

  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }

  /// Every record as CSV (one row per value; curves in results.json only).
  public var csv: String {
    var lines = ["model,video,label,method,metric,unit,order,value"]
    for r in records {
      lines.append(
        [
          r.model, r.video.map { "\($0)" } ?? "", r.label.map { "\($0)" } ?? "", "\"\(r.method)\"", r.metric,
          r.unit ?? "",
          r.order ?? "", "\(r.value)",
        ].joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Writes report.md, report.html, results.csv, results.json and figures/curve-i.svg into
  /// `directory` (figures/ already holds the pictures), each atomically.
  public func write(to directory: String) throws {
    let figures = directory + "/figures"
    try FileManager.default.createDirectory(atPath: figures, withIntermediateDirectories: true)
    for (i, c) in curves.enumerated() {
      try AtomicFile.write(bytes: Array(c.svg.utf8), to: "\(figures)/curve-\(i).svg")
    }
    try AtomicFile.write(bytes: Array(markdown.utf8), to: directory + "/report.md")
    try AtomicFile.write(bytes: Array(html(figures: figures).utf8), to: directory + "/report.html")
    try AtomicFile.write(bytes: Array(csv.utf8), to: directory + "/results.csv")
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    try AtomicFile.write(bytes: Array(try encoder.encode(records)), to: directory + "/results.json")
  }
}
