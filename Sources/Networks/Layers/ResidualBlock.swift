import Kernels
import TensorCore

/// A residual block y = ReLU(main(x) + shortcut(x)) (torchvision's `BasicBlock` and
/// `Bottleneck`, 2-D or video), with shortcut = identity or a downsampling conv + BN.
///
/// Backward: the final ReLU by its rule, then the sum z = h + s: the plain gradient goes to
/// both branches; excitation backprop splits it in proportion to h⁺ and s⁺ and LRP in
/// proportion to h and s (`RelevanceRules.splitSum`), so relevance is conserved across the
/// block. (TorchRay copies the excitation signal to both branches, which doubles Σp at every
/// block; Proofs/ compares the two and the cross-check records TorchRay's behaviour.)
public final class ResidualBlock<B: KernelBackend>: NetworkModule {
  public typealias Backend = B
  public typealias T = Tensor<B.Scalar>
  public let path: String
  public let main: Sequential<B>
  public let shortcut: (any NetworkModule<B>)?
  public let activation: ReLU<B>

  public init(path: String, main: [any NetworkModule<B>], shortcut: (any NetworkModule<B>)?) {
    self.path = path
    self.main = Sequential(path: path, main)
    self.shortcut = shortcut
    self.activation = ReLU(path: childPath(path, "relu"))
  }

  public var children: [any NetworkModule<B>] {
    main.modules + (shortcut.map { [$0] } ?? []) + [activation]
  }

  public func forward(_ x: T, tape: Tape<B>) -> T {
    let h = main.forward(x, tape: tape)
    let s = shortcut?.callForward(x, tape: tape) ?? x
    if tape.rule.needsLinearInputs && tape.mode == .inference { tape.save(self, (h, s)) }
    return activation.callForward(B.add(h, s), tape: tape)
  }

  public func backward(_ g: T, tape: Tape<B>) -> T {
    let gz = activation.callBackward(g, tape: tape)
    var gh = gz, gs = gz
    if tape.rule.needsLinearInputs && tape.mode == .inference {
      let (h, s): (T, T) = tape.load(self)
      (gh, gs) = RelevanceRules<B>.splitSum(gz, h, s, rule: tape.rule)
    }
    let gxMain = main.backward(gh, tape: tape)
    let gxShort = shortcut?.callBackward(gs, tape: tape) ?? gs
    return B.add(gxMain, gxShort)
  }
}
