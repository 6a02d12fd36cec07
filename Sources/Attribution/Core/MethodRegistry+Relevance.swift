extension MethodRegistry {
  /// Layer-wise relevance propagation (three composites) and DeepLIFT.
  static let relevanceEntries: [Entry] = [
    Entry(
      name: "lrp_epsilon", summary: "LRP-ε on every convolution and dense layer (Bach et al. 2015)",
      options: [MethodOption.epsilon.erased]
    ) { a in
      try LayerwiseRelevance(.epsilon(try a.value(.epsilon)), batch: a.batch)
    },
    Entry(name: "lrp_zplus", summary: "LRP-z⁺ on convolutions, ε on dense layers (Zennit's EpsilonPlus)", options: []) {
      try LayerwiseRelevance(.zPlus, batch: $0.batch)
    },
    Entry(
      name: "lrp_alphabeta", summary: "LRP-αβ on convolutions (α − β = 1), ε on dense layers",
      options: [MethodOption.alpha.erased, MethodOption.beta.erased]
    ) { a in
      try LayerwiseRelevance(
        LayerwiseRelevance.alphaBeta(alpha: try a.optional(.alpha), beta: try a.optional(.beta)), batch: a.batch)
    },
    Entry(
      name: "deeplift", summary: "DeepLIFT rescale rule: (x − x₀) ⊙ multipliers, Σ = s(x) − s(x₀)",
      options: [MethodOption.baseline.defaulting(to: .zero).erased]
    ) { a in
      DeepLift(baseline: try a.value(.baseline), seed: a.seed, batch: a.batch)
    },
  ]
}
