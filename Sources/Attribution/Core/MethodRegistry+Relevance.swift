extension MethodRegistry {
  /// Layer-wise relevance propagation (three composites) and DeepLIFT.
  static let relevanceEntries: [Entry] = [
    Entry(
      name: "lrp_epsilon", summary: "LRP-ε on every convolution and dense layer (Bach et al. 2015)",
      options: ["epsilon"]
    ) {
      try LayerwiseRelevance(.epsilon($0.epsilon ?? LayerwiseRelevance.defaultEpsilon), batch: $0.batch)
    },
    Entry(name: "lrp_zplus", summary: "LRP-z⁺ on convolutions, ε on dense layers (Zennit's EpsilonPlus)", options: []) {
      try LayerwiseRelevance(.zPlus, batch: $0.batch)
    },
    Entry(
      name: "lrp_alphabeta", summary: "LRP-αβ on convolutions (α − β = 1, default 2, 1), ε on dense layers",
      options: ["alpha", "beta"]
    ) {
      try LayerwiseRelevance(LayerwiseRelevance.alphaBeta(alpha: $0.alpha, beta: $0.beta), batch: $0.batch)
    },
    Entry(
      name: "deeplift", summary: "DeepLIFT rescale rule: (x − x₀) ⊙ multipliers, Σ = s(x) − s(x₀)",
      options: ["baseline"]
    ) {
      DeepLift(baseline: try Baseline.named($0.baseline, default: .zero), seed: $0.seed, batch: $0.batch)
    },
  ]
}
