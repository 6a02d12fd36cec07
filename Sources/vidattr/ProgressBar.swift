import Foundation

/// A progress bar on standard error: redrawn in place on a terminal, one line per tenth of the
/// work otherwise (logs stay short). Shows done/total, the percentage and an ETA from the rate
/// so far.
final class ProgressBar {
  let total: Int
  let label: String
  let started = Date()
  let terminal = isatty(2) == 1
  private var lastTenth = -1

  init(total: Int, label: String) {
    self.total = max(total, 1)
    self.label = label
  }

  func update(_ done: Int) {
    let fraction = min(Double(done) / Double(total), 1)
    let elapsed = Date().timeIntervalSince(started)
    let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
    let text = String(
      format: "%@ %d/%d (%3.0f %%), %.0f s, ETA %.0f s", label, done, total, 100 * fraction, elapsed, eta)
    if terminal {
      let width = 30, filled = Int(fraction * Double(width))
      let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
      FileHandle.standardError.write(Data("\r[\(bar)] \(text)".utf8))
      if done >= total { FileHandle.standardError.write(Data("\n".utf8)) }
    } else {
      let tenth = Int(fraction * 10)
      if tenth > lastTenth {
        lastTenth = tenth
        note(text)
      }
    }
  }
}
