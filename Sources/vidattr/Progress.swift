import Foundation
import Synchronization

/// Progress of a long run on stderr: at most one line every `interval` seconds, with the rate
/// and an estimate of the time left; callable from any thread.
final class ProgressReporter: Sendable {
  private struct State {
    var started = Date()
    var lastLine = Date.distantPast
  }
  private let state = Mutex(State())
  private let label: String
  private let total: Int
  private let interval: TimeInterval

  /// `total` units of work (for example clips × iterations).
  init(_ label: String, total: Int, interval: TimeInterval = 5) {
    self.label = label
    self.total = max(total, 1)
    self.interval = interval
  }

  /// `done` units are finished; prints when the last line is older than `interval` or all is done.
  func update(done: Int, detail: @autoclosure () -> String = "") {
    let now = Date()
    let line: String? = state.withLock { s in
      guard now.timeIntervalSince(s.lastLine) >= interval || done >= total else { return nil }
      s.lastLine = now
      let elapsed = now.timeIntervalSince(s.started)
      let left = done > 0 ? elapsed / Double(done) * Double(total - done) : .nan
      let eta = left.isFinite ? String(format: ", %.0f s left", left) : ""
      return String(
        format: "%@: %d/%d (%.0f %%), %.0f s%@", label, done, total, 100 * Double(done) / Double(total), elapsed, eta)
    }
    if let line { note(line + (detail().isEmpty ? "" : " — " + detail())) }
  }
}
