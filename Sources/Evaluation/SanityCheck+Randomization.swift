import Attribution
import Kernels
import Networks
import TensorCore

extension SanityCheck {
  /// Cascading or independent model randomisation (Adebayo et al. 2018, §3.1): the maps of
  /// `clips` (N×3×T×H×W) for `targets` on the trained `network`, then after each step's
  /// re-initialisation, compared with the first.
  ///
  /// Steps follow `SanityCheck.groups` (from the output down). Cascading: step k re-initialises
  /// group k on top of groups 0…k−1. Independent: step k re-initialises group k alone, and
  /// its parameters are put back after the step. The network's parameters are restored when
  /// the call returns or throws (it is modified meanwhile: do not share it with another task).
  ///
  /// - Parameter progress: called before every step with (step, steps, label).
  /// - Throws: `AttributionError` from the method; `TensorError` for clips the network cannot
  ///   take; `SanityCheckError` for maps the comparison refuses or a `mode` that is not a
  ///   randomisation of layers.
  /// - Complexity: (groups + 1) attributions and comparisons.
  public func randomization<B: KernelBackend>(
    _ mode: Test, network: Network<B>, clips: Tensor<B.Scalar>, targets: [Int],
    progress: ((Int, Int, String) -> Void)? = nil
  ) throws -> Report {
    guard mode == .cascading || mode == .independent else {
      throw SanityCheckError.invalidRequest("\(mode.rawValue) is not a randomisation of layers")
    }
    try network.validate(inputShape: clips.shape)
    let groups = Self.groups(network, granularity: granularity)
    let saved = network.parameters.map(\.value)
    defer { for (p, v) in zip(network.parameters, saved) { p.value = v } }
    let path = path(B.self)
    let original = try method.attribute(clips, targets: targets, network: network, score: score).map
    var steps: [Step] = []
    var randomized: [String] = []
    for (k, group) in groups.enumerated() {
      progress?(k, groups.count, group.label)
      try network.reinitialize(layers: group.layers, seed: seed)
      if mode == .cascading { randomized += group.layers } else { randomized = group.layers }
      let changed = try method.attribute(clips, targets: targets, network: network, score: score).map
      steps.append(try step(k, group.label, randomized, original: original, changed: changed, path: path))
      if mode == .independent {
        for (p, v) in zip(network.parameters, saved) where p.value != v { p.value = v }
      }
    }
    return Report(method: method.name, test: mode, targets: targets, otherClasses: nil, steps: steps)
  }
}
