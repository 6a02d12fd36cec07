import RealModule
import TensorCore

/// The geometry of extremal perturbation's smooth mask: TorchRay's `MaskGenerator`
/// (facebookresearch/TorchRay, torchray/attribution/extremal_perturbation.py; Fong, Patrick &
/// Vedaldi, "Understanding Deep Networks via Extremal Perturbations and Smooth Masks", ICCV
/// 2019) for frames of H×W pixels, applied to each of T frames, or — with `stepT` and `sigmaT`
/// — the same construction extended along time.
///
/// **Per frame (TorchRay).** A lattice m̄ of h×w = ⌈H/s⌉×⌈W/s⌉ parameters (s = `step`) is
/// turned into a padded mask of Hp×Wp pixels, larger than the frame by a margin on every side:
///
///     margin  = σ                               padding p = 1 + ⌈(margin + σ)/s⌉
///     radius  r = 1 + ⌈σ/s⌉                     mid  = (h + 2p − (2r + 1) + 1) × (w + …)
///     up      = s·mid                           Hp×Wp = up − s + 1
///     crop offset = round(margin) (Python's round: half to even)
///
/// Padded pixel (y, x) lies in cell (⌊y/s⌋, ⌊x/s⌋) and reads the (2r+1)² lattice nodes
/// i = ⌊y/s⌋ + k_y − p, j = ⌊x/s⌋ + k_x − p (k ∈ 0…2r; nodes outside the lattice read 0 and
/// still count), node (i, j) sitting at padded position (margin + s·i, margin + s·j). The frame
/// is `padded[m ..< m+H, m ..< m+W]` with m the crop offset, so node (i, j) sits at frame pixel
/// (s·i, s·j) + (σ − m). Example (Li et al.'s 112×112 clips): step 7, σ 11 → lattice 16×16,
/// p = 5, r = 3 (7×7 = 49 neighbours), mid 20×20, up 140×140, padded 134×134, crop offset 11.
///
/// **Along time (this package's extension).** With `stepT` = s_t and `sigmaT` = σ_t the lattice
/// also has T′ = ⌈T/s_t⌉ frames, lattice frame i_t sitting at frame s_t·i_t (no margin along
/// time: the padded mask keeps exactly the clip's T frames), and frame t reads lattice frames
/// i_t = ⌊t/s_t⌋ + k_t − r_t, k_t ∈ 0…2r_t, r_t = 1 + ⌈σ_t/s_t⌉ — TorchRay's rule for the
/// radius, and its window placement with margin 0 (the commented-out `self.margin = 0` of
/// `MaskGenerator`, for which p = r). The kernel's argument is the space-time distance with
/// time scaled by σ/σ_t:
///
///     d = ‖(Δt·σ/σ_t, Δy, Δx)‖ / σ = √((Δt/σ_t)² + (Δy² + Δx²)/σ²),
///
/// which is TorchRay's d = ‖(Δy, Δx)‖/σ whenever Δt = 0. Without `stepT`/`sigmaT` (the
/// authors' setting) each frame t reads lattice frame t only (T′ = T, r_t = 0).
///
/// The kernel is κ(d) = exp(−2·max(d − ½, 0)²) (flat 1 for d ≤ ½), and the mask value is the
/// smooth max (`Literal.smoothMax`, coldness c = 20) of z_k = κ(d_k)·m̄_k over the neighbours,
/// clamped to [0, 1] (`Literal.extremalMask`).
///
/// Shapes (A masks, for example one per area): lattice A×1×T′×h×w, padded mask A×1×T×Hp×Wp,
/// cropped mask A×1×T×H×W.
public struct ExtremalMaskGeometry: Sendable, Equatable, CustomStringConvertible {
  /// T, H, W of the clip.
  public let frames: Int
  public let height: Int
  public let width: Int
  /// Lattice step s in pixels and kernel size σ in pixels.
  public let step: Int
  public let sigma: Double
  /// The smooth max's coldness c (TorchRay: 20).
  public let coldness: Double
  /// Lattice step along time in frames and the kernel's σ_t in frames; both nil (each frame
  /// generated independently, as TorchRay and Li et al.) or both set.
  public let stepT: Int?
  public let sigmaT: Double?

  /// Creates the geometry after checking every argument.
  ///
  /// - Throws: `ExtremalMaskGeometryError` naming the first argument that is out of range:
  ///   an extent or step below 1, σ or σ_t not a finite positive number, a coldness that is
  ///   not finite and positive, only one of `stepT`/`sigmaT`, a σ so small against the step
  ///   that the padded mask does not cover the frame (TorchRay would silently return a
  ///   cropped mask smaller than the frame), or settings too large to compute (extents above
  ///   2²⁰, steps or σ/step above 4096, more than 2²⁶ weights per pixel phase and neighbour).
  public init(
    frames: Int, height: Int, width: Int, step: Int, sigma: Double, coldness: Double = 20,
    stepT: Int? = nil, sigmaT: Double? = nil
  ) throws(ExtremalMaskGeometryError) {
    for (name, value) in [("frames", frames), ("height", height), ("width", width)] where value < 1 {
      throw .nonPositiveExtent(name: name, value: value)
    }
    guard step >= 1 else { throw .nonPositiveStep(name: "step", value: step) }
    guard sigma.isFinite && sigma > 0 else { throw .invalidSigma(name: "sigma", value: sigma) }
    guard coldness.isFinite && coldness > 0 else { throw .invalidColdness(coldness) }
    switch (stepT, sigmaT) {
    case (nil, nil): break
    case let (st?, sst?):
      guard st >= 1 else { throw .nonPositiveStep(name: "stepT", value: st) }
      guard sst.isFinite && sst > 0 else { throw .invalidSigma(name: "sigmaT", value: sst) }
    default: throw .incompleteTemporalSettings(stepT: stepT, sigmaT: sigmaT)
    }
    // Keep every derived extent far inside Int and exactly representable in Double (extents
    // ≤ 2²⁰, steps and σ/step ≤ 2¹², so (2r_t+1)(2r+1)² ≤ 8195³ cannot overflow), then bound
    // the work: the padded mask times the neighbours, and the generator's weights per pixel
    // phase and neighbour, s_t·s·(s + 16)·(2r_t+1)(2r+1)² (TorchRay tabulates K·Hp·Wp).
    let (extentLimit, stepLimit) = (1 << 20, 1 << 12)
    let reach = [2 * sigma / Double(step), (sigmaT ?? 0) / Double(stepT ?? 1)].max()!
    guard frames <= extentLimit, height <= extentLimit, width <= extentLimit, step <= stepLimit,
      (stepT ?? 1) <= stepLimit, reach <= Double(stepLimit)
    else {
      throw .tooLarge(frames: frames, height: height, width: width, sigma: sigma, sigmaT: sigmaT)
    }
    self.frames = frames
    self.height = height
    self.width = width
    self.step = step
    self.sigma = sigma
    self.coldness = coldness
    self.stepT = stepT
    self.sigmaT = sigmaT
    let work = Shape.checkedElementCount([frames, paddedHeight, paddedWidth, neighbourCount])
    let weights = Shape.checkedElementCount([stepT ?? 1, step, step + 16, neighbourCount])
    guard let work, let weights, work <= 1 << 44, weights <= 1 << 26 else {
      throw .tooLarge(frames: frames, height: height, width: width, sigma: sigma, sigmaT: sigmaT)
    }
    guard cropOffset + height <= paddedHeight else {
      throw .cropOutsidePaddedMask(axis: "height", offset: cropOffset, extent: height, padded: paddedHeight)
    }
    guard cropOffset + width <= paddedWidth else {
      throw .cropOutsidePaddedMask(axis: "width", offset: cropOffset, extent: width, padded: paddedWidth)
    }
  }

  // MARK: Derived extents (TorchRay's names)

  /// Whether the lattice also has a step along time (`stepT`, `sigmaT` set).
  public var isSpatioTemporal: Bool { stepT != nil }
  /// margin = σ (a real number: node positions are margin + s·i).
  public var margin: Double { sigma }
  /// The crop offset round(margin), ties to even (Python 3's `round`, TorchRay's
  /// `m = round(self.margin)`).
  public var cropOffset: Int { Int(margin.rounded(.toNearestOrEven)) }
  /// p = 1 + ⌈(margin + σ)/s⌉: the lattice's zero padding in nodes (`F.unfold`'s padding).
  public var padding: Int { 1 + Int(((margin + sigma) / Double(step)).rounded(.up)) }
  /// r = 1 + ⌈σ/s⌉: each pixel reads (2r+1)² nodes.
  public var radius: Int { 1 + Int((sigma / Double(step)).rounded(.up)) }
  /// h = ⌈H/s⌉, w = ⌈W/s⌉ (TorchRay's `shape_in`).
  public var latticeHeight: Int { (height + step - 1) / step }
  public var latticeWidth: Int { (width + step - 1) / step }
  /// TorchRay's `shape_mid` = shape_in + 2p − (2r + 1) + 1.
  public var midHeight: Int { latticeHeight + 2 * padding - 2 * radius }
  public var midWidth: Int { latticeWidth + 2 * padding - 2 * radius }
  /// TorchRay's `shape_up` = s·shape_mid.
  public var upHeight: Int { step * midHeight }
  public var upWidth: Int { step * midWidth }
  /// Hp×Wp, TorchRay's `shape_out` = shape_up − s + 1: the padded mask.
  public var paddedHeight: Int { upHeight - step + 1 }
  public var paddedWidth: Int { upWidth - step + 1 }
  /// T′: ⌈T/s_t⌉ lattice frames along time, or T when each frame is generated on its own.
  public var latticeFrames: Int {
    guard let st = stepT else { return frames }
    return (frames + st - 1) / st
  }
  /// r_t = 1 + ⌈σ_t/s_t⌉, or 0 when each frame is generated on its own.
  public var temporalRadius: Int {
    guard let st = stepT, let sst = sigmaT else { return 0 }
    return 1 + Int((sst / Double(st)).rounded(.up))
  }
  /// Nodes each padded pixel reads: (2r_t + 1)·(2r + 1)².
  public var neighbourCount: Int { (2 * temporalRadius + 1) * (2 * radius + 1) * (2 * radius + 1) }

  /// A×1×T′×h×w.
  public func latticeShape(masks a: Int) -> [Int] { [a, 1, latticeFrames, latticeHeight, latticeWidth] }
  /// A×1×T×Hp×Wp.
  public func paddedShape(masks a: Int) -> [Int] { [a, 1, frames, paddedHeight, paddedWidth] }
  /// A×1×T×H×W.
  public func croppedShape(masks a: Int) -> [Int] { [a, 1, frames, height, width] }

  // MARK: Where each pixel reads the lattice

  /// The lattice row (or column) that neighbour k ∈ 0…2r of padded row (or column) u reads:
  /// ⌊u/s⌋ + k − p (outside 0..<h it reads 0). TorchRay computes ⌊u·fl(mid/up)⌋ in float32
  /// for its weights, which is ⌊u/s⌋ − 1 at the multiples of s for some steps ≥ 41
  /// (Reference/extremal_perturbation/README.md); the unfold/interpolate that gathers the
  /// values uses ⌊u/s⌋, as here.
  @inlinable public func latticeIndex(padded u: Int, neighbour k: Int) -> Int { u / step + k - padding }

  /// The lattice frame that temporal neighbour k ∈ 0…2r_t of frame t reads:
  /// ⌊t/s_t⌋ + k − r_t, or t when each frame is generated on its own (k = 0).
  @inlinable public func latticeFrame(frame t: Int, neighbour k: Int) -> Int {
    guard let st = stepT else { return t }
    return t / st + k - temporalRadius
  }

  /// Δ = u − (margin + s·i): from lattice node i to padded pixel u, in pixels.
  @inlinable public func spatialOffset<T: Real & BinaryFloatingPoint>(padded u: Int, lattice i: Int) -> T {
    T(u) - (T(margin) + T(step) * T(i))
  }

  /// Δt = t − s_t·i_t: from lattice frame i_t to frame t (0 when each frame is on its own).
  @inlinable public func temporalOffset<T: Real & BinaryFloatingPoint>(frame t: Int, latticeFrame i: Int) -> T {
    guard let st = stepT else { return 0 }
    return T(t) - T(st) * T(i)
  }

  /// d = ‖(Δt·σ/σ_t, Δy, Δx)‖/σ; per frame √(Δy² + Δx²)/σ, TorchRay's `delta / sigma`.
  @inlinable public func scaledDistance<T: Real & BinaryFloatingPoint>(dt: T, dy: T, dx: T) -> T {
    let s = T(sigma)
    guard let sst = sigmaT else { return (dy * dy + dx * dx).squareRoot() / s }
    let scaledT = dt * s / T(sst)
    return (scaledT * scaledT + dy * dy + dx * dx).squareRoot() / s
  }

  /// κ(d) = exp(−2·max(d − ½, 0)²), TorchRay's `self.kernel`: 1 for d ≤ ½, then a Gaussian
  /// tail (κ(1) = e^(−½), κ(2) = e^(−4.5)).
  @inlinable public static func kernel<T: Real & BinaryFloatingPoint>(_ d: T) -> T {
    let e = max(d - T(0.5), 0)
    return T.exp(-2 * e * e)
  }

  /// κ of the neighbour at (Δt, Δy, Δx).
  @inlinable public func weight<T: Real & BinaryFloatingPoint>(dt: T, dy: T, dx: T) -> T {
    Self.kernel(scaledDistance(dt: dt, dy: dy, dx: dx))
  }

  public var description: String {
    let time =
      if let st = stepT, let sst = sigmaT { "step_t \(st), σ_t \(sst)" } else { "per frame" }
    return "mask geometry \(frames)×\(height)×\(width): step \(step), σ \(sigma), coldness \(coldness), \(time);"
      + " lattice \(latticeFrames)×\(latticeHeight)×\(latticeWidth) → padded \(frames)×\(paddedHeight)×\(paddedWidth)"
      + " (padding \(padding), radius \(radius), crop offset \(cropOffset))"
  }
}

/// Why an `ExtremalMaskGeometry` cannot be made; each message names the argument.
public enum ExtremalMaskGeometryError: Error, Equatable, Sendable, CustomStringConvertible {
  /// `frames`, `height` or `width` below 1.
  case nonPositiveExtent(name: String, value: Int)
  /// `step` or `stepT` below 1.
  case nonPositiveStep(name: String, value: Int)
  /// `sigma` or `sigmaT` not a finite number > 0.
  case invalidSigma(name: String, value: Double)
  /// The smooth max's coldness not a finite number > 0.
  case invalidColdness(Double)
  /// Only one of `stepT` and `sigmaT` given.
  case incompleteTemporalSettings(stepT: Int?, sigmaT: Double?)
  /// The frame does not fit inside the padded mask at the crop offset (σ too small for the step).
  case cropOutsidePaddedMask(axis: String, offset: Int, extent: Int, padded: Int)
  /// Extents, steps or σ/step so large that the mask could not be indexed or its weights held
  /// (limits in the message).
  case tooLarge(frames: Int, height: Int, width: Int, sigma: Double, sigmaT: Double?)

  public var description: String {
    switch self {
    case let .nonPositiveExtent(name, value):
      return "mask geometry: \(name) must be at least 1, got \(value)"
    case let .nonPositiveStep(name, value):
      return "mask geometry: \(name) (the lattice step) must be at least 1, got \(value)"
    case let .invalidSigma(name, value):
      return "mask geometry: \(name) must be a finite number greater than 0, got \(value)"
    case let .invalidColdness(value):
      return "mask geometry: coldness must be a finite number greater than 0, got \(value)"
    case let .incompleteTemporalSettings(stepT, sigmaT):
      return "mask geometry: stepT and sigmaT go together (both set for a space-time lattice, both absent for"
        + " one lattice per frame); got stepT \(stepT.map(String.init) ?? "none"),"
        + " sigmaT \(sigmaT.map { "\($0)" } ?? "none")"
    case let .cropOutsidePaddedMask(axis, offset, extent, padded):
      return "mask geometry: sigma is too small for the step: the frame's \(axis) \(extent) at crop offset \(offset)"
        + " does not fit in the padded mask's \(padded) (needs offset + \(axis) ≤ \(padded)); use a larger sigma"
    case let .tooLarge(frames, height, width, sigma, sigmaT):
      return "mask geometry: \(frames)×\(height)×\(width) with sigma \(sigma)"
        + (sigmaT.map { ", sigmaT \($0)" } ?? "")
        + " is too large for the mask generator (extents up to 2^20, steps and sigma/step up to 4096,"
        + " at most 2^26 weights per pixel phase and neighbour); use a smaller step or sigma"
    }
  }
}
