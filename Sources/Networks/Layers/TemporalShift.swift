import Kernels
import TensorCore

/// TSM's temporal shift in front of a module (Lin et al., ICCV 2019, "blockres" placement:
/// the shift wraps the first convolution of each residual branch, so the identity path is not
/// shifted). On N×C×T×H×W: channels [0, C/d) take the next frame's values, [C/d, 2C/d) the
/// previous frame's, zero at the ends, d = `foldDivisor` (8 in the paper), the rest unchanged.
///
/// Path: the official implementation wraps `conv1` as `TemporalShift(net=conv1)`, so the
/// wrapped module's parameters are named `…conv1.net.weight`; this module's path is `…conv1`.
/// Backward (every rule): the opposite shift — the shift is a 0/1 linear map, so relevance
/// and gradient move back with the channels they came from.
public final class TemporalShift<B: KernelBackend>: NetworkModule {
  public typealias Backend = B
  public let path: String
  public let foldDivisor: Int
  public let wrapped: any NetworkModule<B>

  public init(path: String, foldDivisor: Int, wrapping wrapped: any NetworkModule<B>) {
    self.path = path
    self.foldDivisor = foldDivisor
    self.wrapped = wrapped
  }

  public var children: [any NetworkModule<B>] { [wrapped] }

  public func forward(_ x: Tensor<B.Scalar>, tape: Tape<B>) -> Tensor<B.Scalar> {
    wrapped.callForward(B.temporalShift(x, foldDivisor: foldDivisor), tape: tape)
  }

  public func backward(_ g: Tensor<B.Scalar>, tape: Tape<B>) -> Tensor<B.Scalar> {
    B.temporalShiftBackward(wrapped.callBackward(g, tape: tape), foldDivisor: foldDivisor)
  }
}
