extension MethodRegistry {
  /// Integrated gradients, Blur IG and the SmoothGrad family.
  static let integralEntries: [Entry] = [
    Entry(
      name: "integrated_gradients",
      summary: "(x − b) ⊙ ∫ ∂s/∂x along the line from baseline b to x (Li et al.: left Riemann, 25 steps, black clip)",
      options: [MethodOption.steps.erased, MethodOption.rule.erased, MethodOption.baseline.erased]
    ) { a in
      let steps = try a.value(.steps), rule = try a.value(.rule)
      guard steps >= rule.minimumPoints else {
        throw AttributionError.conflictingOptions(
          ["rule", "steps"], reason: "\(rule) needs at least \(rule.minimumPoints) steps, got \(steps)")
      }
      return IntegratedGradients(
        steps: steps, rule: rule, baseline: try a.value(.baseline), seed: a.seed, batch: a.batch)
    },
    Entry(
      name: "blur_ig",
      summary: "integrated gradients along per-frame Gaussian blurs, σ from 50 to 0",
      options: [MethodOption.steps.erased]
    ) { a in
      BlurIntegratedGradients(steps: try a.value(.steps), batch: a.batch)
    },
    smoothGradEntry(.smoothgrad, "mean of ∂s/∂x at noisy copies of x"),
    smoothGradEntry(.smoothgradSquared, "mean of (∂s/∂x)² at noisy copies of x"),
    smoothGradEntry(.vargrad, "variance of ∂s/∂x over noisy copies of x"),
  ]

  private static func smoothGradEntry(_ variant: SmoothGrad.Variant, _ summary: String) -> Entry {
    Entry(
      name: variant.rawValue, summary: summary,
      options: [MethodOption.samples.erased, MethodOption.noise.erased, MethodOption.noiseAbsolute.erased]
    ) { a in
      let absolute = try a.value(.noiseAbsolute)
      // Captum's absolute default σ = 1.0 when only noise-absolute is given; Li's 0.15·range otherwise.
      let noise = try a.optional(.noise) ?? (absolute ? 1.0 : 0.15)
      return SmoothGrad(
        variant, samples: try a.value(.samples), noise: noise, noiseIsAbsolute: absolute, seed: a.seed, batch: a.batch)
    }
  }
}
