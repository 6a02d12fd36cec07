/// Extremal perturbation on video: ep2d, ep3d, step.
extension MethodRegistry {
  static let extremalEntries: [Entry] = ExtremalPerturbation.Variant.allCases.map(extremalEntry)

  private static let extremalOptions: [AnyMethodOption] = [
    MethodOption.preset.erased, MethodOption.areas.erased, MethodOption.iterations.erased,
    MethodOption.perturbation.erased, MethodOption.maskStep.erased, MethodOption.maskSigma.erased,
    MethodOption.maskStepT.erased, MethodOption.maskSigmaT.erased, MethodOption.reward.erased,
    MethodOption.variant.erased, MethodOption.ties.erased, MethodOption.jitter.erased,
  ]
  private static let coreOptions: [AnyMethodOption] = [
    MethodOption.coreFrames.erased, MethodOption.coreSize.erased, MethodOption.coreShape.erased,
  ]

  private static func extremalEntry(_ variant: ExtremalPerturbation.Variant) -> Entry {
    let summary: String
    switch variant {
    case .ep2d: summary = "extremal perturbation, every frame keeps area a (per-frame TorchRay masks)"
    case .ep3d: summary = "extremal perturbation with one area budget for the clip (Li et al.'s 3D-EP)"
    case .step: summary = "3D-EP plus the spatio-temporal core loss (Li et al.'s STEP)"
    }
    return Entry(
      name: variant.rawValue, summary: summary, options: extremalOptions + (variant == .step ? coreOptions : [])
    ) { a in
      let core =
        variant == .step
        ? ExtremalSettings.CoreSettings(
          frames: try a.value(.coreFrames), size: try a.optional(.coreSize), shape: try a.value(.coreShape)) : nil
      let preset = try a.value(.preset)
      var s = ExtremalSettings.preset(preset, grouping: variant.grouping, core: core)
      if let v = try a.optional(.areas) { s.areas = v }
      if let v = try a.optional(.iterations) { s.iterations = v }
      if let v = try a.optional(.perturbation) { s.perturbation = v }
      if let v = try a.optional(.maskStep) { s.maskStep = v }
      if let v = try a.optional(.maskSigma) { s.maskSigma = v }
      s.maskStepT = try a.optional(.maskStepT)
      s.maskSigmaT = try a.optional(.maskSigmaT)
      if let v = try a.optional(.reward) { s.reward = v }
      s.mode = try a.value(.variant)
      if let v = try a.optional(.ties) { s.ties = v }
      if let v = try a.optional(.jitter) { s.jitter = v }
      return ExtremalPerturbation(variant, settings: s, preset: preset, seed: a.seed, batch: a.batch)
    }
  }
}
