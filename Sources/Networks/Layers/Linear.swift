import Kernels
import TensorCore

/// `Linear`: x N×I → y = x·Wᵀ + b, N×O; parameters `<path>.weight` O×I and `<path>.bias` O.
///
/// Backward rules: gradient family dyW; excitation and LRP with the dense rule of the
/// composite (`RelevanceRules`). At inference, a path in `tape.negatedWeights` runs the
/// backward pass with −W (contrastive excitation backprop's dual classifier).
public final class Linear<B: KernelBackend>: NetworkModule {
  public typealias Backend = B
  public typealias T = Tensor<B.Scalar>
  public let path: String
  public let weight: Parameter<B.Scalar>
  public let bias: Parameter<B.Scalar>?

  public init(path: String, weight: Parameter<B.Scalar>, bias: Parameter<B.Scalar>?) {
    self.path = path
    self.weight = weight
    self.bias = bias
  }

  public var ownParameters: [Parameter<B.Scalar>] { [weight] + (bias.map { [$0] } ?? []) }

  public func forward(_ x: T, tape: Tape<B>) -> T {
    precondition(
      x.rank == 2 && x.shape[1] == weight.shape[1],
      "\(path): input \(Shape.describe(x.shape)) does not fit weight \(Shape.describe(weight.shape))")
    tape.save(self, x)
    return B.linear(x, weight: weight.value, bias: bias?.value)
  }

  public func backward(_ g: T, tape: Tape<B>) -> T {
    let x: T = tape.load(self)
    if tape.mode == .training || tape.wantsParameterGradients {
      if tape.wantsParameterGradients {
        weight.accumulate(B.linearBackwardWeight(g, input: x), backend: B.self)
        bias?.accumulate(B.linearBackwardBias(g), backend: B.self)
      }
      if tape.mode == .training { return B.linearBackwardInput(g, weight: weight.value) }
    }
    let forward: (T, T?) -> T = { B.linear($0, weight: $1!, bias: nil) }
    let transpose: (T, T?) -> T = { B.linearBackwardInput($0, weight: $1!) }
    let w = tape.negatedWeights.contains(path) ? B.scale(weight.value, by: -1) : weight.value
    switch tape.rule {
    case .gradient, .guidedBackprop, .deconvnet, .deepLiftRescale:
      return B.linearBackwardInput(g, weight: w)
    case .excitation:
      return RelevanceRules<B>.excitation(g, input: x, weight: w, forward: forward, transpose: transpose)
    case .lrp(let c):
      return RelevanceRules<B>.lrp(
        g, rule: c.dense, input: x, weight: w,
        biasedForward: { [bias] in B.linear($0, weight: w, bias: bias?.value) }, forward: forward,
        transpose: transpose)
    }
  }
}
