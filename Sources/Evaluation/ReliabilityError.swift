/// Why a reliability measurement cannot run, with cases a caller can switch on.
public enum ReliabilityError: Error, Equatable, CustomStringConvertible {
  /// Fewer videos (rows) or methods (columns) than the measurement needs.
  case tooFew(what: String, count: Int, minimum: Int)
  /// A row of the score matrix has another length than the first.
  case raggedScores(video: Int, methods: Int, expected: Int)
  /// A score is NaN or ±∞.
  case nonFiniteScore(video: Int, method: Int)
  /// Every method has the same score on these videos: their rank correlation is undefined.
  case constantScores(videos: [Int])
  /// The random method's column is not in the matrix.
  case randomMethodOutOfRange(Int, methods: Int)
  /// Method names do not match the matrix's columns.
  case methodNames(count: Int, methods: Int)

  public var description: String {
    switch self {
    case .tooFew(let what, let count, let minimum): return "reliability needs at least \(minimum) \(what), got \(count)"
    case .raggedScores(let video, let methods, let expected):
      return "video \(video) has \(methods) scores, the first video \(expected)"
    case .nonFiniteScore(let video, let method):
      return "the score of method \(method) on video \(video) is NaN or infinite"
    case .constantScores(let videos):
      return "every method has the same score on video(s) \(videos.map(String.init).joined(separator: ", ")): "
        + "their rank correlation is undefined (leave them out)"
    case .randomMethodOutOfRange(let r, let methods): return "the random method's column \(r) is not in 0..<\(methods)"
    case .methodNames(let count, let methods): return "\(count) method names for \(methods) columns of scores"
    }
  }
}
