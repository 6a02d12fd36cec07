import Kernels
import Networks
import TensorCore

/// How a map at a layer's resolution (t×h×w) is brought to the clip's T×H×W.
///
/// `trilinear`: `F.interpolate(mode="trilinear", align_corners=False)` (`resizeTrilinear`), the
/// default. `nearest`: `F.interpolate(mode="nearest")` (`resizeNearest`), Captum's default for
/// `LayerAttribution.interpolate` and GuidedGradCam. Li et al. repeat each of the t layer frames
/// T/t times (nearest in time) and resize each frame bilinearly (align_corners=False). Trilinear
/// is that same bilinear resize in space; in time it equals the repeat on the first and last
/// T/(2t) frames and blends the two nearest layer frames in between (T = 16, t = 2: frames 0–3
/// and 12–15 equal, frames 4–11 weight the second layer frame 1/16, 3/16, …, 15/16;
/// Proofs/cam-excitation.md, "Upsampling"). `repeat-bilinear` is Li et al.'s resampling: nearest
/// in time (each layer frame repeated T/t times when t divides T, `F.interpolate(mode="nearest")`
/// otherwise), then each frame resized bilinearly (align_corners=False).
public enum Upsampling: String, Sendable, CaseIterable, CustomStringConvertible {
  case trilinear
  case nearest
  case repeatBilinear = "repeat-bilinear"

  public var description: String { rawValue }
}

/// The layer-resolution arithmetic shared by the CAM family and excitation backprop: layer
/// lookup, channel-weighted sums, broadcasting and upsampling — all through backend kernels.
package enum LayerMaps {
  /// A validated layer: its module path and whether it is a stage (a direct child of the root,
  /// where a backward pass can stop).
  struct Layer {
    var path: String
    var isStage: Bool
  }

  /// Resolves `requested` (nil: the architecture's default CAM layer) against the network's
  /// module paths; throws naming the valid layers.
  static func resolve<B: KernelBackend>(_ requested: String?, network: Network<B>, method: String) throws -> Layer {
    let path = requested ?? network.architecture.defaultCAMLayer
    let stages = network.stagePaths
    if stages.contains(path) { return Layer(path: path, isStage: true) }
    if network.modulePaths.contains(path) { return Layer(path: path, isStage: false) }
    throw AttributionError.unknownLayer(
      method: method, layer: path, architecture: "\(network.architecture)",
      valid: stages + network.modulePaths.filter { !stages.contains($0) })
  }

  /// Throws unless a captured tensor is N×K×t×h×w.
  static func requireVideo<S>(_ a: Tensor<S>?, layer: String, method: String) throws -> Tensor<S> {
    guard let a, a.rank == 5 else {
      throw AttributionError.unsuitableLayer(
        method: method, layer: layer,
        reason: "gives \(a.map { Shape.describe($0.shape) } ?? "nothing"), not an N×K×t×h×w activation; "
          + "choose a convolutional layer")
    }
    return a
  }

  /// Σ_k over channels: N×K×t×h×w → N×1×t×h×w (a 1×1×1 convolution with unit weights, so
  /// each element is one K-term reduction in the kernel's order).
  static func channelSum<B: KernelBackend>(_ a: Tensor<B.Scalar>, _: B.Type) -> Tensor<B.Scalar> {
    let ones = Tensor<B.Scalar>(shape: [1, a.shape[1], 1, 1, 1], repeating: 1)
    return B.conv3d(a, weight: ones, bias: nil, geometry: Conv3DGeometry())
  }

  /// Σ_k α[n, k, τ′] · A[n, k, τ, i, j] with α N×K×t′×1×1, t′ ∈ {1, t} (per-clip or per-frame
  /// weights): α is broadcast over the layer grid by a nearest resize from size 1, which copies
  /// exactly, then multiplied and summed over channels.
  static func weightedChannelSum<B: KernelBackend>(
    _ a: Tensor<B.Scalar>, weights alpha: Tensor<B.Scalar>, _: B.Type
  ) -> Tensor<B.Scalar> {
    let grid = Size3(a.shape[2], a.shape[3], a.shape[4])
    let broadcast = B.resizeNearest(alpha, size: grid)
    return channelSum(B.multiply(a, broadcast), B.self)
  }

  /// N×1×T×H×W → N×C×T×H×W, every channel a copy (a 1×1×1 convolution with unit weights).
  static func repeatChannels<B: KernelBackend>(_ m: Tensor<B.Scalar>, _ c: Int, _: B.Type) -> Tensor<B.Scalar> {
    let ones = Tensor<B.Scalar>(shape: [c, 1, 1, 1, 1], repeating: 1)
    return B.conv3d(m, weight: ones, bias: nil, geometry: Conv3DGeometry())
  }

  /// Resizes the T, H, W axes of `m` to those of `clipShape` (N×C×T×H×W).
  package static func upsample<B: KernelBackend>(
    _ m: Tensor<B.Scalar>, to clipShape: [Int], _ mode: Upsampling, _: B.Type
  ) -> Tensor<B.Scalar> {
    let size = Size3(clipShape[2], clipShape[3], clipShape[4])
    if m.shape[2] == size.t && m.shape[3] == size.h && m.shape[4] == size.w { return m }
    switch mode {
    case .trilinear: return B.resizeTrilinear(m, size: size)
    case .nearest: return B.resizeNearest(m, size: size)
    case .repeatBilinear:
      // Nearest along T only, then trilinear with T unchanged, which is bilinear per frame.
      let inTime = B.resizeNearest(m, size: Size3(size.t, m.shape[3], m.shape[4]))
      return B.resizeTrilinear(inTime, size: size)
    }
  }

  /// One-hot N×K of the targets.
  static func oneHot<S: BinaryFloatingPoint>(_ targets: [Int], classes k: Int) -> Tensor<S> {
    var t = Tensor<S>(shape: [targets.count, k], repeating: 0)
    for (n, c) in targets.enumerated() { t.scalars[n * k + c] = 1 }
    return t
  }

  /// Throws unless every target is a class of the network.
  static func checkTargets<B: KernelBackend>(_ targets: [Int], _ x: Tensor<B.Scalar>, _ network: Network<B>) throws {
    guard targets.count == x.shape[0] else {
      throw AttributionError.targetCount(targets: targets.count, clips: x.shape[0])
    }
    if let bad = targets.first(where: { !(0..<network.classes).contains($0) }) {
      throw AttributionError.targetOutOfRange(target: bad, classes: network.classes)
    }
  }
}

/// The classifier of a network and the stages above it: where excitation backprop starts and
/// which weights contrastive excitation backprop negates, and the GAP + linear structure CAM
/// needs.
struct ClassifierHead<B: KernelBackend> {
  /// Index of the classifier's stage among the root's children.
  var index: Int
  /// The stage's path (where a backward pass resumes).
  var stagePath: String
  /// The path whose weight `Tape.negatedWeights` negates (the head's own classifier for the
  /// CNN-LSTM).
  var weightPath: String
  /// The classifier weight K×C (nil for the recurrent head).
  var weight: Tensor<B.Scalar>?
  /// The stages above the classifier (averaging of per-frame logits, flatten).
  var above: [any NetworkModule<B>]

  /// The last stage that is a `Linear`, `FrameLinear` or `RecurrentHead`.
  init(_ network: Network<B>) {
    let modules = network.root.modules
    guard
      let i = modules.lastIndex(where: { $0 is Linear<B> || $0 is FrameLinear<B> || $0 is RecurrentHead<B> })
    else { preconditionFailure("\(network.architecture) has no classifier stage") }
    index = i
    stagePath = modules[i].path
    above = Array(modules[(i + 1)...])
    switch modules[i] {
    case let l as Linear<B>:
      weightPath = l.path
      weight = l.weight.value
    case let f as FrameLinear<B>:
      weightPath = f.path
      weight = f.weight.value
    case let r as RecurrentHead<B>:
      weightPath = r.classifier.path
      weight = nil
    default:
      preconditionFailure("unreachable")
    }
  }

  /// The gradient of Σₙ seed·logits with respect to the classifier's output, through the
  /// stages above it (TSM's average over frames, flatten): those stages are averages of
  /// logits, not layers with non-negative inputs, so they pass the plain gradient — as in
  /// TorchRay, where the consensus mean is not patched. `output` is the classifier's output
  /// recorded on the forward pass.
  func seed(_ logitSeed: Tensor<B.Scalar>, classifierOutput output: Tensor<B.Scalar>?) -> Tensor<B.Scalar> {
    guard !above.isEmpty, let output else { return logitSeed }
    let tape = Tape<B>(mode: .inference, rule: .gradient)
    var h = output
    for m in above { h = m.forward(h, tape: tape) }
    var g = logitSeed
    for m in above.reversed() { g = m.backward(g, tape: tape) }
    return g
  }
}
