import Kernels
import Networks
import TensorCore

/// The optimisation of extremal perturbation (Fong et al. 2019; TorchRay's
/// `extremal_perturbation`; Li et al.'s `video_perturbation`) for a group of clips, every
/// area of every clip one row of one batch, so that each iteration is one batched forward and
/// backward pass.
///
/// Row r = n·A + a holds clip n's mask for area a (n within the group). Each iteration t:
///
///     m_pad = G(m̄)                      smooth mask from the lattice (ExtremalMaskGeometry)
///     m = crop(m_pad)                    the frame inside the padded mask
///     z = Φ(x; m)  (and Φ(x; 1 − m))     pyramid blend or fade; flipped along W when jittering
///     E = w·ℓ(f(z)) + λ_a(t)·L_area(m_pad) + λ_K(t)·L_K(m_pad)
///     m̄ ← clamp(SGD(m̄, ∂E/∂m̄), 0, 1)
///
/// ∂E/∂m̄ is assembled backwards: the network's input gradient of the reward loss, through the
/// perturbation's VJP (negated for the complement 1 − m), the crop's adjoint, plus the area and
/// core losses' gradients, through the mask generator's VJP. Rows do not interact (the losses
/// are per row, the network computes each clip on its own), so a clip's result does not depend
/// on the group it is optimised in. The returned masks are those generated at the last
/// iteration, before its step, as both reference implementations return them.
package struct ExtremalOptimization<B: KernelBackend> {
  package typealias T = Tensor<B.Scalar>

  package let settings: ExtremalSettings
  package let geometry: ExtremalMaskGeometry
  package let core: ExtremalCore?
  package let sgd: SGDSettings

  package init(settings: ExtremalSettings, geometry: ExtremalMaskGeometry, core: ExtremalCore?, sgd: SGDSettings) {
    self.settings = settings
    self.geometry = geometry
    self.core = core
    self.sgd = sgd
  }

  /// Masks and the loss history of a group of clips.
  package struct Outcome {
    /// N·A×1×T×H×W cropped masks, clip-major.
    package var masks: T
    /// iterations × N·A × 3 (reward loss w·ℓ, area loss L_area, core loss L_K; unweighted
    /// by λ), row-major.
    package var history: [Double]
  }

  /// The objective of one iteration at lattice m̄ and its gradient.
  package struct Evaluation {
    /// The cropped masks m = crop(G(m̄)), rows×1×T×H×W.
    package var masks: T
    /// Per row: w·ℓ, L_area, L_K (L_K = 0 without a core).
    package var reward: [Double]
    package var area: [Double]
    package var core: [Double]
    /// Per row: E = w·ℓ + λ_a(t)·L_area + λ_K(t)·L_K.
    package var energy: [Double]
    /// ∂(Σ_rows E)/∂m̄, the lattice's shape.
    package var gradient: T
  }

  /// E(m̄) and ∂E/∂m̄ at iteration t for clips `x` (their pyramid or the clips themselves for
  /// fade, `source`), with the given tie orders (`areaTies` for the area loss, `coreTies` for
  /// the core loss).
  package func evaluate(
    _ lattice: T, source: T, targets: [Int], network: Network<B>, iteration t: Int, areaTies: TieOrder,
    coreTies: TieOrder
  ) -> Evaluation {
    let a = settings.areas.count, rows = lattice.shape[0]
    let clipOfRow = (0..<rows).map { $0 / a }
    let areas = (0..<rows).map { settings.areas[$0 % a] }
    let padded = B.extremalMask(lattice, geometry: geometry)
    let m = B.extremalMaskCrop(padded, geometry: geometry)

    // The clips the network sees: kept where m = 1, and/or where m = 0.
    let complement = B.subtract(T(shape: m.shape, repeating: 1), m)
    let keeps: [Bool]
    let masks: T
    switch settings.mode {
    case .preserve: (keeps, masks) = ([true], m)
    case .delete: (keeps, masks) = ([false], complement)
    case .dual: (keeps, masks) = ([true, false], Tensor.concatenate([m, complement]))
    }
    let rowClips = keeps.flatMap { _ in clipOfRow }
    var z = perturb(source, masks, rowClips)
    let flip = settings.jitter && t % 2 == 0
    if flip { z = B.flipWidth(z) }

    let tape = Tape<B>(mode: .inference, rule: .gradient)
    let logits = network.forward(z, tape: tape)
    let k = logits.shape[1]
    var seed = [Double](repeating: 0, count: logits.count)
    var reward = [Double](repeating: 0, count: rows)
    for (pass, kept) in keeps.enumerated() {
      for r in 0..<rows {
        let row = pass * rows + r
        let y = (0..<k).map { Double(logits.scalars[row * k + $0]) }
        let (value, g) = settings.reward.loss(logits: y, target: targets[clipOfRow[r]], kept: kept)
        reward[r] += settings.rewardWeight * value
        for j in 0..<k { seed[row * k + j] = settings.rewardWeight * g[j] }
      }
    }
    var dz = network.backward(ScalarBridge.tensor(seed, shape: logits.shape), tape: tape)
    if flip { dz = B.flipWidth(dz) }
    let dMasks = perturbBackward(dz, source, masks, rowClips)
    // ∂/∂m of the kept clip plus −∂/∂(1 − m) of the deleted one.
    let dm: T
    switch settings.mode {
    case .preserve: dm = dMasks
    case .delete: dm = B.scale(dMasks, by: -1)
    case .dual: dm = B.subtract(dMasks.clips(0..<rows), dMasks.clips(rows..<(2 * rows)))
    }
    var dPadded = B.extremalMaskCropBackward(dm, geometry: geometry)

    let lambdaA = settings.areaWeight(at: t)
    let areaLoss = B.sortedRampLoss(padded, areas: areas, grouping: settings.grouping, tieOrder: areaTies)
    dPadded = B.addScaled(dPadded, areaLoss.gradient, scale: B.Scalar(lambdaA))
    var core = [Double](repeating: 0, count: rows)
    let lambdaK = settings.coreWeight(at: t)
    if let kernel = self.core {
      let c = B.coreLoss(padded, areas: areas, core: kernel, tieOrder: coreTies)
      core = c.loss.map { Double($0) }
      if lambdaK != 0 { dPadded = B.addScaled(dPadded, c.gradient, scale: B.Scalar(lambdaK)) }
    }
    let area = areaLoss.loss.map { Double($0) }
    let energy = (0..<rows).map { reward[$0] + lambdaA * area[$0] + lambdaK * core[$0] }
    let gradient = B.extremalMaskBackward(dPadded, lattice: lattice, geometry: geometry)
    return Evaluation(masks: m, reward: reward, area: area, core: core, energy: energy, gradient: gradient)
  }

  /// The source the perturbation blends from: the blur pyramid of x, or x itself for fade.
  package func source(_ x: T) -> T {
    settings.perturbation == .blur ? B.blurPyramid(x, levels: settings.pyramidLevels, maxSigma: settings.maxBlur) : x
  }

  /// Optimises the masks of clips `x` (N×C×T×H×W) for `targets`; `seeds[n]` draws clip n's tie
  /// orders. The lattice starts at 1 (both papers), or at `start` (tests). `progress(t)` is
  /// called after every iteration.
  package func run(
    _ x: T, targets: [Int], network: Network<B>, seeds: [SeededRNG], start: T? = nil,
    progress: (Int) -> Void = { _ in }
  ) -> Outcome {
    let rows = x.shape[0] * settings.areas.count
    let source = source(x)
    var lattice = start ?? T(shape: geometry.latticeShape(masks: rows), repeating: 1)
    precondition(lattice.shape == geometry.latticeShape(masks: rows), "start lattice \(Shape.describe(lattice.shape))")
    var buffer: T? = nil
    var lastMasks = T(shape: geometry.croppedShape(masks: rows), repeating: 1)
    var history: [Double] = []
    history.reserveCapacity(settings.iterations * rows * 3)
    var rngs = seeds
    for t in 0..<settings.iterations {
      let areaTies = tieOrder(&rngs, rows: rows, groupSize: areaGroupSize)
      let coreTies = core.map { tieOrder(&rngs, rows: rows, groupSize: coreResponseCount($0)) } ?? .stable
      let e = evaluate(
        lattice, source: source, targets: targets, network: network, iteration: t, areaTies: areaTies,
        coreTies: coreTies)
      lastMasks = e.masks
      for r in 0..<rows { history += [e.reward[r], e.area[r], e.core[r]] }
      let step = B.sgdStep(lattice, gradient: e.gradient, momentumBuffer: buffer, settings: sgd)
      lattice = B.clamp(step.parameter, lower: 0, upper: 1)
      buffer = step.momentumBuffer
      progress(t)
    }
    return Outcome(masks: lastMasks, history: history)
  }

  private var areaGroupSize: Int {
    let frame = geometry.paddedHeight * geometry.paddedWidth
    return settings.grouping == .frame ? frame : geometry.frames * frame
  }

  private func coreResponseCount(_ core: ExtremalCore) -> Int {
    let e = try! core.responseExtent(
      frames: geometry.frames, height: geometry.paddedHeight, width: geometry.paddedWidth)
    return e.t * e.h * e.w
  }

  /// Stable, or one permutation per row drawn from the row's clip generator (the papers'
  /// `torch.randperm` before each sort). Clip n's generator serves its A rows in order, so a
  /// clip's draws do not depend on the other clips of the group.
  private func tieOrder(_ rngs: inout [SeededRNG], rows: Int, groupSize: Int) -> TieOrder {
    guard settings.ties == .random else { return .stable }
    let a = settings.areas.count
    return .permuted((0..<rows).map { r in rngs[r / a].permutation(groupSize) })
  }

  private func perturb(_ pyramid: T, _ masks: T, _ clips: [Int]) -> T {
    switch settings.perturbation {
    case .blur: return B.pyramidPerturbation(pyramid, mask: masks, clips: clips)
    case .fade: return B.fadePerturbation(pyramid, mask: masks, clips: clips)
    }
  }

  private func perturbBackward(_ dz: T, _ pyramid: T, _ masks: T, _ clips: [Int]) -> T {
    switch settings.perturbation {
    case .blur: return B.pyramidPerturbationBackward(dz, pyramid: pyramid, mask: masks, clips: clips)
    case .fade: return B.fadePerturbationBackward(dz, x: pyramid, clips: clips)
    }
  }
}
