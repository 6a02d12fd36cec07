import Kernels

/// The concrete geometry of an extremal-perturbation run on clips of one shape: the settings'
/// frame-size dependent lengths resolved, every setting checked, before any work starts.
///
/// Lengths given at 112×112 (mask step 7 and σ 11, the core's spatial size 11, the final
/// smoothing 10) are scaled by min(H, W)/112 when the settings leave them unset; a step or core
/// size rounds to the nearest integer and is at least 1.
package struct ExtremalPlan {
  package let geometry: ExtremalMaskGeometry
  package let core: ExtremalCore?
  package let sgd: SGDSettings
  /// σ of the final per-frame smoothing, in pixels.
  package let smoothing: Double

  /// - Throws: `AttributionError` naming the option: `.invalidValue` for an area outside (0, 1),
  ///   no areas, fewer than one iteration, a step or σ the mask generator refuses, a learning
  ///   rate SGD refuses; `.conflictingOptions` for a core that does not fit the clip or only
  ///   one of the temporal step and σ.
  package init(settings s: ExtremalSettings, clipShape: [Int], method: String) throws {
    precondition(clipShape.count == 4, "clip shape C×T×H×W")
    let (t, h, w) = (clipShape[1], clipShape[2], clipShape[3])
    let size = min(h, w)
    guard !s.areas.isEmpty, s.areas.allSatisfy({ $0 > 0 && $0 < 1 }) else {
      throw AttributionError.invalidValue(
        option: "areas", value: s.areas.optionText, expected: "a comma-separated list, each a number in (0, 1)")
    }
    guard s.iterations >= 1 else {
      throw AttributionError.invalidValue(option: "iterations", value: "\(s.iterations)", expected: "an integer ≥ 1")
    }
    let step = s.maskStep ?? max(1, Int(ExtremalSettings.scaled(7, to: size).rounded()))
    let sigma = s.maskSigma ?? ExtremalSettings.scaled(11, to: size)
    do {
      geometry = try ExtremalMaskGeometry(
        frames: t, height: h, width: w, step: step, sigma: sigma, coldness: s.coldness, stepT: s.maskStepT,
        sigmaT: s.maskSigmaT)
    } catch {
      switch error {
      case .nonPositiveStep(let name, let value):
        throw AttributionError.invalidValue(
          option: name == "step" ? "mask-step" : "mask-step-t", value: "\(value)", expected: "an integer ≥ 1")
      case .invalidSigma(let name, let value):
        throw AttributionError.invalidValue(
          option: name == "sigma" ? "mask-sigma" : "mask-sigma-t", value: value.optionText,
          expected: "a finite number > 0")
      case .incompleteTemporalSettings:
        throw AttributionError.conflictingOptions(
          ["mask-step-t", "mask-sigma-t"], reason: "a temporal lattice needs both (or neither, one lattice per frame)")
      case .cropOutsidePaddedMask:
        throw AttributionError.conflictingOptions(["mask-step", "mask-sigma"], reason: "\(error)")
      default:
        throw AttributionError.inputShape(
          method: method, expected: "a clip the mask generator can cover (\(error))", actual: clipShape)
      }
    }
    if let c = s.core {
      let coreSize = c.size ?? max(1, Int(ExtremalSettings.scaled(11, to: size).rounded()))
      do {
        let k = try ExtremalCore(frames: c.frames, size: coreSize, shape: c.shape)
        _ = try k.responseExtent(frames: t, height: geometry.paddedHeight, width: geometry.paddedWidth)
        core = k
      } catch {
        switch error {
        case .coreFrames(let v):
          throw AttributionError.invalidValue(option: "core-frames", value: "\(v)", expected: "an integer ≥ 1")
        case .coreSize(let v):
          throw AttributionError.invalidValue(option: "core-size", value: "\(v)", expected: "an integer ≥ 1")
        default:
          throw AttributionError.conflictingOptions(
            ["core-frames", "core-size"],
            reason:
              "a core of \(c.frames)×\(coreSize)×\(coreSize) does not fit a clip of \(t) frames whose padded mask "
              + "is \(geometry.paddedHeight)×\(geometry.paddedWidth) (\(error))")
        }
      }
    } else {
      core = nil
    }
    do {
      sgd = try SGDSettings(learningRate: s.learningRate, momentum: s.momentum, dampening: s.dampening)
    } catch {
      throw AttributionError.invalidValue(
        option: "learning-rate", value: s.learningRate.optionText, expected: "SGD settings torch accepts (\(error))")
    }
    smoothing = ExtremalSettings.scaled(s.smoothing, to: size)
  }
}
