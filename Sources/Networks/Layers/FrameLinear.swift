import Kernels
import TensorCore

/// A fully connected layer applied to every frame: x N×I×T×1×1 → y N×O×T×1×1 with
/// y[n,:,t] = W·x[n,:,t] + b. Parameters have `nn.Linear`'s names and shapes (`weight` O×I,
/// `bias` O), so a PyTorch model that applies `nn.Linear` per frame loads unchanged; the
/// computation is a 1×1×1 convolution (the weight viewed as O×I×1×1×1, no copy).
///
/// Backward rules as `Linear` (the dense rule of an LRP composite; `tape.negatedWeights`).
public final class FrameLinear<B: KernelBackend>: NetworkModule {
  public typealias Backend = B
  public typealias T = Tensor<B.Scalar>
  public let path: String
  public let weight: Parameter<B.Scalar>
  public let bias: Parameter<B.Scalar>?
  private let geometry = Conv3DGeometry()

  public init(path: String, weight: Parameter<B.Scalar>, bias: Parameter<B.Scalar>?) {
    self.path = path
    self.weight = weight
    self.bias = bias
  }

  public var ownParameters: [Parameter<B.Scalar>] { [weight] + (bias.map { [$0] } ?? []) }

  private var kernel: T { weight.value.reshaped(weight.shape + [1, 1, 1]) }

  public func forward(_ x: T, tape: Tape<B>) -> T {
    precondition(
      x.rank == 5 && x.shape[1] == weight.shape[1] && x.shape[3] == 1 && x.shape[4] == 1,
      "\(path): input \(Shape.describe(x.shape)) is not N×\(weight.shape[1])×T×1×1")
    tape.save(self, x)
    return B.conv3d(x, weight: kernel, bias: bias?.value, geometry: geometry)
  }

  public func backward(_ g: T, tape: Tape<B>) -> T {
    let x: T = tape.load(self)
    let k = kernel, geometry = self.geometry
    if tape.wantsParameterGradients {
      let gw = B.conv3dBackwardWeight(g, input: x, weightShape: k.shape, geometry: geometry)
      weight.accumulate(gw.reshaped(weight.shape), backend: B.self)
      bias?.accumulate(B.conv3dBackwardBias(g), backend: B.self)
    }
    let forward: (T, T?) -> T = { B.conv3d($0, weight: $1!, bias: nil, geometry: geometry) }
    let transpose: (T, T?) -> T = { B.conv3dBackwardInput($0, weight: $1!, inputShape: x.shape, geometry: geometry) }
    if tape.mode == .training { return transpose(g, k) }
    let w = tape.negatedWeights.contains(path) ? B.scale(k, by: -1) : k
    switch tape.rule {
    case .gradient, .guidedBackprop, .deconvnet, .deepLiftRescale:
      return transpose(g, w)
    case .excitation:
      return RelevanceRules<B>.excitation(g, input: x, weight: w, forward: forward, transpose: transpose)
    case .lrp(let c):
      return RelevanceRules<B>.lrp(
        g, rule: c.dense, input: x, weight: w,
        biasedForward: { [bias] in B.conv3d($0, weight: w, bias: bias?.value, geometry: geometry) }, forward: forward,
        transpose: transpose)
    }
  }
}
