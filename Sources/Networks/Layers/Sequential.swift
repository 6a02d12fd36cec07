import Kernels
import TensorCore

/// Modules applied one after the other (PyTorch's `nn.Sequential`).
///
/// The backward pass can stop at, or resume from, a direct child: stopping at child `L`
/// returns the gradient (relevance) with respect to `L`'s **output**; resuming from `L` starts
/// the backward pass at `L` with a given seed. Attribution methods use this to read or replace
/// the signal at a layer (Grad-CAM reads it at `layer4`; contrastive excitation backprop
/// subtracts two signals there and continues down).
public final class Sequential<B: KernelBackend>: NetworkModule {
  public typealias Backend = B
  public typealias T = Tensor<B.Scalar>
  public let path: String
  public let modules: [any NetworkModule<B>]

  public init(path: String, _ modules: [any NetworkModule<B>]) {
    self.path = path
    self.modules = modules
  }

  public var children: [any NetworkModule<B>] { modules }

  public func forward(_ x: T, tape: Tape<B>) -> T {
    var h = x
    for m in modules { h = m.callForward(h, tape: tape) }
    return h
  }

  public func backward(_ g: T, tape: Tape<B>) -> T {
    backward(g, tape: tape, stopAt: nil, resumeFrom: nil)
  }

  /// Backward through the children in reverse order, optionally from child `resumeFrom`
  /// (inclusive) down to just above child `stopAt` (whose output-gradient is returned).
  /// - Precondition: the named children exist, and `stopAt` is below `resumeFrom`.
  public func backward(_ g: T, tape: Tape<B>, stopAt: String?, resumeFrom: String?) -> T {
    var index = modules.count - 1
    if let r = resumeFrom {
      guard let i = modules.lastIndex(where: { $0.path == r }) else {
        preconditionFailure("\(path): no child named \(r) to resume from; children: \(modules.map(\.path))")
      }
      index = i
    }
    if let s = stopAt {
      precondition(modules.contains { $0.path == s }, "\(path): no child named \(s); children: \(modules.map(\.path))")
    }
    var h = g
    while index >= 0 {
      let m = modules[index]
      if m.path == stopAt {
        if tape.capture.contains(m.path) { tape.gradients[m.path] = h }
        return h
      }
      h = m.callBackward(h, tape: tape)
      index -= 1
    }
    return h
  }
}
