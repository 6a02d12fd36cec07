import Kernels
import TensorCore

/// A layer or a composition of layers, with a forward pass and a backward pass under the
/// tape's rule.
///
/// `path` is the PyTorch module path (`layer1.0.conv1`), so captures and parameter names
/// match `state_dict()` keys. Modules are classes because parameters are shared with
/// optimisers and because the tape keys saved values by module identity.
public protocol NetworkModule<Backend>: AnyObject {
  associatedtype Backend: KernelBackend

  /// PyTorch module path ("" for the root).
  var path: String { get }

  /// y = f(x); saves on `tape` what `backward` needs under `tape.rule`.
  func forward(_ x: Tensor<Backend.Scalar>, tape: Tape<Backend>) -> Tensor<Backend.Scalar>

  /// Given dL/dy (or the relevance of y) returns that of x, under `tape.rule`; accumulates
  /// parameter gradients when `tape.wantsParameterGradients`.
  func backward(_ g: Tensor<Backend.Scalar>, tape: Tape<Backend>) -> Tensor<Backend.Scalar>

  /// Direct sub-modules, in forward order.
  var children: [any NetworkModule<Backend>] { get }

  /// This module's own parameters (not its children's), in `state_dict()` order.
  var ownParameters: [Parameter<Backend.Scalar>] { get }
}

extension NetworkModule {
  public var children: [any NetworkModule<Backend>] { [] }
  public var ownParameters: [Parameter<Backend.Scalar>] { [] }

  /// Every parameter of this module and its descendants, depth-first in forward order
  /// (the order of `state_dict()`).
  public var allParameters: [Parameter<Backend.Scalar>] {
    var out = ownParameters
    for c in children { out += c.allParameters }
    return out
  }

  /// Every module of the tree, depth-first, this one first.
  public var allModules: [any NetworkModule<Backend>] {
    var out: [any NetworkModule<Backend>] = [self]
    for c in children { out += c.allModules }
    return out
  }

  /// Runs `forward` and records the output when `path` is captured.
  public func callForward(_ x: Tensor<Backend.Scalar>, tape: Tape<Backend>) -> Tensor<Backend.Scalar> {
    let y = forward(x, tape: tape)
    if tape.capture.contains(path) { tape.activations[path] = y }
    return y
  }

  /// Records the incoming gradient when `path` is captured, then runs `backward`.
  public func callBackward(_ g: Tensor<Backend.Scalar>, tape: Tape<Backend>) -> Tensor<Backend.Scalar> {
    if tape.capture.contains(path) { tape.gradients[path] = g }
    return backward(g, tape: tape)
  }
}

/// Joins a parent path and a child name the way PyTorch does ("layer1" + "0" → "layer1.0").
@inlinable
public func childPath(_ parent: String, _ name: String) -> String {
  parent.isEmpty ? name : parent + "." + name
}
