/// Accuracy averaged over classes: per class c, hits_c / trials_c summed over its clips, then
/// the mean over the classes that have at least one trial.
///
/// TorchRay's `PointingGame.accuracy` (and Li et al.'s copy of it) averages over **all**
/// `num_classes`, a class without any annotated frame counting as accuracy 0
/// (`hits / (hits + misses).clamp(min=1)`), so the score of a subset of a dataset depends on
/// how many classes the subset misses. Here such a class has no accuracy and is left out.
public struct ClassMeanAccuracy: Sendable, Codable, Equatable {
  /// One class's tally.
  public struct Class: Sendable, Codable, Equatable {
    public var label: Int
    public var hits: Int
    public var trials: Int
    public var accuracy: Double { Double(hits) / Double(trials) }
  }

  /// Classes with at least one trial, by label ascending.
  public var classes: [Class]
  /// The mean of the classes' accuracies; nil when no class has a trial.
  public var accuracy: Double?

  /// Tallies (label, hits, trials) per clip.
  /// - Precondition: 0 ≤ hits ≤ trials for every clip.
  /// - Complexity: O(N + K log K) for K classes.
  public init(_ clips: [(label: Int, hits: Int, trials: Int)]) {
    var tally: [Int: (Int, Int)] = [:]
    for c in clips {
      precondition(c.hits >= 0 && c.hits <= c.trials, "class mean: \(c.hits) hits in \(c.trials) trials")
      guard c.trials > 0 else { continue }
      let (h, t) = tally[c.label] ?? (0, 0)
      tally[c.label] = (h + c.hits, t + c.trials)
    }
    classes = tally.keys.sorted().map { Class(label: $0, hits: tally[$0]!.0, trials: tally[$0]!.1) }
    if classes.isEmpty {
      accuracy = nil
    } else {
      var sum = 0.0
      for c in classes { sum += c.accuracy }
      accuracy = sum / Double(classes.count)
    }
  }
}
