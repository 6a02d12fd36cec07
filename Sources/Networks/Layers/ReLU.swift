import Kernels
import TensorCore

/// ReLU, y = max(x, 0), with the backward rules of the attribution literature:
/// gradient g·[x > 0]; guided backprop g·[x > 0]·[g > 0] (Springenberg et al. 2015);
/// deconvnet max(g, 0) (Zeiler & Fergus 2014); excitation backprop g·[x > 0] (TorchRay
/// passes ReLU as a plain gradient); LRP identity (relevance passes through unchanged,
/// Bach et al. 2015 — where x ≤ 0 the output is 0, so the layer above gave it no relevance
/// under ε/z⁺ anyway); DeepLIFT rescale m·(y − y₀)/(x − x₀) (`DeepLiftRules.rescale`).
///
/// Saves its output (which the next layer holds anyway; no copy): y > 0 ⟺ x > 0. Under the
/// DeepLIFT rule it also keeps its input, which the secant slope needs.
public final class ReLU<B: KernelBackend>: NetworkModule {
  public typealias Backend = B
  public let path: String
  public init(path: String) { self.path = path }

  private struct Pair {
    var input: Tensor<B.Scalar>
    var output: Tensor<B.Scalar>
  }

  public func forward(_ x: Tensor<B.Scalar>, tape: Tape<B>) -> Tensor<B.Scalar> {
    let y = B.relu(x)
    if tape.rule.needsReference && tape.mode == .inference {
      tape.save(self, Pair(input: x, output: y))
    } else {
      tape.save(self, y)
    }
    return y
  }

  public func backward(_ g: Tensor<B.Scalar>, tape: Tape<B>) -> Tensor<B.Scalar> {
    if tape.rule.needsReference && tape.mode == .inference {
      let p: Pair = tape.load(self), r: Pair = tape.loadReference(self)
      return DeepLiftRules<B>.rescale(
        g, input: p.input, output: p.output, referenceInput: r.input, referenceOutput: r.output)
    }
    let y: Tensor<B.Scalar> = tape.load(self)
    if tape.mode == .training { return B.reluBackward(g, input: y) }
    switch tape.rule {
    case .gradient, .excitation: return B.reluBackward(g, input: y)
    case .guidedBackprop: return B.reluBackward(B.positivePart(g), input: y)
    case .deconvnet: return B.positivePart(g)
    case .lrp: return g
    case .deepLiftRescale: preconditionFailure("unreachable: handled above")
    }
  }
}
