extension MethodRegistry {
  /// Integrated gradients, Blur IG and the SmoothGrad family.
  static let integralEntries: [Entry] = [
    Entry(
      name: "integrated_gradients",
      summary: "(x − b) ⊙ ∫ ∂s/∂x along the line from baseline b to x (default: left Riemann, 25 steps, black clip)",
      options: ["steps", "rule", "baseline"]
    ) { o in
      IntegratedGradients(
        steps: try steps(o, default: 25), rule: try rule(o), baseline: try baseline(o), seed: o.seed, batch: o.batch)
    },
    Entry(
      name: "blur_ig",
      summary: "integrated gradients along per-frame Gaussian blurs, σ from 50 to 0 (default 25 steps)",
      options: ["steps"]
    ) { o in
      BlurIntegratedGradients(steps: try steps(o, default: 25), batch: o.batch)
    },
    smoothGradEntry(.smoothgrad, "mean of ∂s/∂x at noisy copies of x (default 25 samples, σ = 0.15·range)"),
    smoothGradEntry(.smoothgradSquared, "mean of (∂s/∂x)² at noisy copies of x"),
    smoothGradEntry(.vargrad, "variance of ∂s/∂x over noisy copies of x"),
  ]

  private static func smoothGradEntry(_ variant: SmoothGrad.Variant, _ summary: String) -> Entry {
    Entry(name: variant.rawValue, summary: summary, options: ["samples", "noise", "noise-absolute"]) { o in
      let absolute = o.noiseAbsolute ?? false
      // Captum's absolute default σ = 1.0 when only --noise-absolute is given; Li's 0.15·range otherwise.
      let noise = o.noise ?? (absolute ? 1.0 : 0.15)
      guard noise.isFinite && noise >= 0 else {
        throw AttributionError("--noise must be a finite number ≥ 0, got \(noise)")
      }
      let samples = o.samples ?? 25
      guard samples >= 1 else { throw AttributionError("--samples must be ≥ 1, got \(samples)") }
      return SmoothGrad(
        variant, samples: samples, noise: noise, noiseIsAbsolute: absolute, seed: o.seed, batch: o.batch)
    }
  }

  private static func steps(_ o: MethodOptions, default d: Int) throws -> Int {
    let s = o.steps ?? d
    guard s >= 1 else { throw AttributionError("--steps must be ≥ 1, got \(s)") }
    return s
  }

  private static func rule(_ o: MethodOptions) throws -> Quadrature.Rule {
    guard let name = o.rule else { return .riemannLeft }
    guard let r = Quadrature.Rule(rawValue: name) else {
      throw AttributionError("unknown --rule \"\(name)\"; valid rules: \(Quadrature.Rule.names)")
    }
    if let s = o.steps, s < r.minimumPoints {
      throw AttributionError("--rule \(r) needs --steps ≥ \(r.minimumPoints), got \(s)")
    }
    return r
  }

  private static func baseline(_ o: MethodOptions) throws -> Baseline {
    try Baseline.named(o.baseline, default: .black)
  }

}
