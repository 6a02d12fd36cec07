import Kernels
import TensorCore

/// `MaxPool3d` (N×C×T×H×W). Every rule but DeepLIFT routes the incoming gradient or relevance
/// to the selected element of each window (winner takes all); DeepLIFT uses Captum's max-pool
/// rule with summed unpooling (`DeepLiftRules.maxPool`), which keeps completeness.
public final class MaxPool<B: KernelBackend>: NetworkModule {
  public typealias Backend = B
  public let path: String
  public let geometry: Pool3DGeometry
  public init(path: String, geometry: Pool3DGeometry) {
    self.path = path
    self.geometry = geometry
  }

  /// What DeepLIFT keeps: the argmax, the input and the output.
  private struct Values {
    var argmax: [Int32]
    var input: Tensor<B.Scalar>
    var output: Tensor<B.Scalar>
  }

  public func forward(_ x: Tensor<B.Scalar>, tape: Tape<B>) -> Tensor<B.Scalar> {
    let r = B.maxPool3d(x, geometry: geometry)
    if tape.rule.needsReference && tape.mode == .inference {
      tape.save(self, Values(argmax: r.argmax, input: x, output: r.output))
    } else {
      tape.save(self, (r.argmax, x.shape))
    }
    return r.output
  }

  public func backward(_ g: Tensor<B.Scalar>, tape: Tape<B>) -> Tensor<B.Scalar> {
    if tape.rule.needsReference && tape.mode == .inference {
      let v: Values = tape.load(self), r: Values = tape.loadReference(self)
      return DeepLiftRules<B>.maxPool(
        g, input: v.input, output: v.output, argmax: v.argmax, referenceInput: r.input, referenceOutput: r.output,
        referenceArgmax: r.argmax)
    }
    let (argmax, shape): ([Int32], [Int]) = tape.load(self)
    return B.maxPool3dBackward(g, argmax: argmax, inputShape: shape)
  }
}

/// `AdaptiveAvgPool3d(size)` (PyTorch's bins). A linear operation with non-negative weights:
/// excitation and LRP pass relevance in proportion to each input's share of its bin's sum.
///
/// With `keepTime` the temporal extent of the output is that of the input (a 2-D network's
/// `AdaptiveAvgPool2d` applied to every frame).
public final class AdaptiveAveragePool<B: KernelBackend>: NetworkModule {
  public typealias Backend = B
  public let path: String
  public let outputSize: Size3
  public let keepTime: Bool
  public init(path: String, outputSize: Size3, keepTime: Bool = false) {
    self.path = path
    self.outputSize = outputSize
    self.keepTime = keepTime
  }

  private func size(for input: [Int]) -> Size3 {
    keepTime ? Size3(input[2], outputSize.h, outputSize.w) : outputSize
  }

  public func forward(_ x: Tensor<B.Scalar>, tape: Tape<B>) -> Tensor<B.Scalar> {
    tape.save(self, x)
    return B.adaptiveAvgPool3d(x, outputSize: size(for: x.shape))
  }

  public func backward(_ g: Tensor<B.Scalar>, tape: Tape<B>) -> Tensor<B.Scalar> {
    let x: Tensor<B.Scalar> = tape.load(self)
    let size = self.size(for: x.shape)
    let forward: (Tensor<B.Scalar>, Tensor<B.Scalar>?) -> Tensor<B.Scalar> = { a, _ in
      B.adaptiveAvgPool3d(a, outputSize: size)
    }
    let transpose: (Tensor<B.Scalar>, Tensor<B.Scalar>?) -> Tensor<B.Scalar> = { s, _ in
      B.adaptiveAvgPool3dBackward(s, inputShape: x.shape)
    }
    if tape.mode == .training { return transpose(g, nil) }
    switch tape.rule {
    case .gradient, .guidedBackprop, .deconvnet, .deepLiftRescale:
      return transpose(g, nil)
    case .excitation:
      return RelevanceRules<B>.excitation(g, input: x, weight: nil, forward: forward, transpose: transpose)
    case .lrp(let c):
      return RelevanceRules<B>.lrp(
        g, rule: .epsilon(c.stabilizer), input: x, weight: nil, biasedForward: nil, forward: forward,
        transpose: transpose)
    }
  }
}

/// N×C×1×1×1 → N×C (PyTorch's `flatten(1)` after global pooling). Rules pass through.
public final class Flatten<B: KernelBackend>: NetworkModule {
  public typealias Backend = B
  public let path: String
  public init(path: String) { self.path = path }

  public func forward(_ x: Tensor<B.Scalar>, tape: Tape<B>) -> Tensor<B.Scalar> {
    tape.save(self, x.shape)
    return x.reshaped([x.shape[0], x.count / max(x.shape[0], 1)])
  }

  public func backward(_ g: Tensor<B.Scalar>, tape: Tape<B>) -> Tensor<B.Scalar> {
    let shape: [Int] = tape.load(self)
    return g.reshaped(shape)
  }
}
