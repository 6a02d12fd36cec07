import RealModule
import TensorCore

/// The set of kernels a network or an attribution method runs on.
///
/// Networks and methods are written once, generic over a backend; `LiteralBackend<Double>`
/// runs them on the reference path (tests), `FastBackend` on the optimised path. Every
/// requirement forwards to the `Literal` / `Fast` function of the same name and labels,
/// whose doc comments give the equation, the shapes and the source.
///
/// Shapes use N C T H W for video, N×K for logits and features. All functions are pure:
/// they allocate their result and never modify their arguments.
public protocol KernelBackend: Sendable {
  associatedtype Scalar: Real & BinaryFloatingPoint & Sendable

  /// "literal" or "fast", recorded in output metadata.
  static var pathName: String { get }

  // MARK: Convolution
  static func conv3d(_ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?, geometry: Conv3DGeometry)
    -> Tensor<Scalar>
  static func conv3dBackwardInput(
    _ dy: Tensor<Scalar>, weight: Tensor<Scalar>, inputShape: [Int], geometry: Conv3DGeometry
  ) -> Tensor<Scalar>
  static func conv3dBackwardWeight(
    _ dy: Tensor<Scalar>, input: Tensor<Scalar>, weightShape: [Int], geometry: Conv3DGeometry
  ) -> Tensor<Scalar>
  static func conv3dBackwardBias(_ dy: Tensor<Scalar>) -> Tensor<Scalar>

  // MARK: Normalisation and activation
  static func batchNorm(
    _ x: Tensor<Scalar>, scale: Tensor<Scalar>, shift: Tensor<Scalar>, mean: Tensor<Scalar>,
    variance: Tensor<Scalar>, epsilon: Scalar
  ) -> Tensor<Scalar>
  static func batchNormBackwardInput(
    _ dy: Tensor<Scalar>, scale: Tensor<Scalar>, variance: Tensor<Scalar>, epsilon: Scalar
  ) -> Tensor<Scalar>
  static func batchNormTraining(_ x: Tensor<Scalar>, scale: Tensor<Scalar>, shift: Tensor<Scalar>, epsilon: Scalar)
    -> BatchNormTrainingResult<Scalar>
  static func batchNormTrainingBackward(
    _ dy: Tensor<Scalar>, input: Tensor<Scalar>, scale: Tensor<Scalar>, saved: BatchNormTrainingResult<Scalar>
  ) -> BatchNormTrainingGradients<Scalar>
  static func relu(_ x: Tensor<Scalar>) -> Tensor<Scalar>
  static func reluBackward(_ dy: Tensor<Scalar>, input: Tensor<Scalar>) -> Tensor<Scalar>

  // MARK: Pooling
  static func maxPool3d(_ x: Tensor<Scalar>, geometry: Pool3DGeometry) -> MaxPoolResult<Scalar>
  static func maxPool3dBackward(_ dy: Tensor<Scalar>, argmax: [Int32], inputShape: [Int]) -> Tensor<Scalar>
  static func avgPool3d(_ x: Tensor<Scalar>, geometry: Pool3DGeometry, countIncludePad: Bool) -> Tensor<Scalar>
  static func avgPool3dBackward(
    _ dy: Tensor<Scalar>, inputShape: [Int], geometry: Pool3DGeometry, countIncludePad: Bool
  ) -> Tensor<Scalar>
  static func adaptiveAvgPool3d(_ x: Tensor<Scalar>, outputSize: Size3) -> Tensor<Scalar>
  static func adaptiveAvgPool3dBackward(_ dy: Tensor<Scalar>, inputShape: [Int]) -> Tensor<Scalar>

  // MARK: Dense layers and classifiers
  static func linear(_ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?) -> Tensor<Scalar>
  static func linearBackwardInput(_ dy: Tensor<Scalar>, weight: Tensor<Scalar>) -> Tensor<Scalar>
  static func linearBackwardWeight(_ dy: Tensor<Scalar>, input: Tensor<Scalar>) -> Tensor<Scalar>
  static func linearBackwardBias(_ dy: Tensor<Scalar>) -> Tensor<Scalar>
  static func softmax(_ x: Tensor<Scalar>) -> Tensor<Scalar>
  static func softmaxBackward(_ dy: Tensor<Scalar>, output: Tensor<Scalar>) -> Tensor<Scalar>
  static func logSoftmax(_ x: Tensor<Scalar>) -> Tensor<Scalar>
  static func logSoftmaxBackward(_ dy: Tensor<Scalar>, output: Tensor<Scalar>) -> Tensor<Scalar>

  // MARK: Elementwise
  static func add(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar>
  static func multiply(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar>
  static func scale(_ x: Tensor<Scalar>, by s: Scalar) -> Tensor<Scalar>
  static func addScaled(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>, scale s: Scalar) -> Tensor<Scalar>
  static func subtract(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar>
  /// max(x, 0).
  static func positivePart(_ x: Tensor<Scalar>) -> Tensor<Scalar>
  /// min(x, 0).
  static func negativePart(_ x: Tensor<Scalar>) -> Tensor<Scalar>
  /// a / b, and 0 where b == 0 (the convention of relevance rules for dead units).
  static func divideOrZero(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar>
  /// min(max(x, lower), upper) elementwise, NaN kept (`torch.clamp`).
  static func clamp(_ x: Tensor<Scalar>, lower: Scalar, upper: Scalar) -> Tensor<Scalar>
  /// z + ε·sign(z) with sign(0) = +1 (LRP-ε's stabiliser).
  static func stabilized(_ z: Tensor<Scalar>, epsilon: Scalar) -> Tensor<Scalar>
  /// Σ of all elements (pairwise in a fixed order, independent of threads).
  static func sum(_ x: Tensor<Scalar>) -> Scalar

  // MARK: Time
  static func temporalShift(_ x: Tensor<Scalar>, foldDivisor: Int) -> Tensor<Scalar>
  static func temporalShiftBackward(_ dy: Tensor<Scalar>, foldDivisor: Int) -> Tensor<Scalar>
  static func lstmCell(
    input: Tensor<Scalar>, hidden: Tensor<Scalar>, cell: Tensor<Scalar>, weights: LSTMWeights<Scalar>,
    activation: LSTMActivation
  ) -> LSTMCellResult<Scalar>
  static func lstmCellBackward(
    dHidden: Tensor<Scalar>, dCell: Tensor<Scalar>, input: Tensor<Scalar>, hidden: Tensor<Scalar>,
    cell: Tensor<Scalar>, weights: LSTMWeights<Scalar>, saved: LSTMCellResult<Scalar>, activation: LSTMActivation
  ) -> LSTMCellGradients<Scalar>

  // MARK: Resampling and smoothing
  static func resizeNearest(_ x: Tensor<Scalar>, size: Size3) -> Tensor<Scalar>
  static func resizeNearestBackward(_ dy: Tensor<Scalar>, inputShape: [Int]) -> Tensor<Scalar>
  static func resizeTrilinear(_ x: Tensor<Scalar>, size: Size3) -> Tensor<Scalar>
  static func resizeTrilinearBackward(_ dy: Tensor<Scalar>, inputShape: [Int]) -> Tensor<Scalar>
  static func repeatInterleaveTime(_ x: Tensor<Scalar>, factor: Int) -> Tensor<Scalar>
  static func repeatInterleaveTimeBackward(_ dy: Tensor<Scalar>, factor: Int) -> Tensor<Scalar>
  static func gaussianBlurSpatial(_ x: Tensor<Scalar>, sigma: Double) -> Tensor<Scalar>
  static func gaussianBlurSpatialSigmaDerivative(_ x: Tensor<Scalar>, sigma: Double) -> Tensor<Scalar>
  static func gaussianBlurTemporal(_ x: Tensor<Scalar>, sigma: Double) -> Tensor<Scalar>

  // MARK: Ordering
  static func argsort(_ v: [Scalar]) -> [Int]

  // MARK: Extremal perturbation (mask generator and perturbation)
  /// TorchRay's smooth mask: lattice A×1×T′×h×w → padded mask A×1×T×Hp×Wp.
  static func extremalMask(_ lattice: Tensor<Scalar>, geometry: ExtremalMaskGeometry) -> Tensor<Scalar>
  /// ∂L/∂m̄ (A×1×T′×h×w) from ∂L/∂m (A×1×T×Hp×Wp).
  static func extremalMaskBackward(_ dPadded: Tensor<Scalar>, lattice: Tensor<Scalar>, geometry: ExtremalMaskGeometry)
    -> Tensor<Scalar>
  /// The frame inside the padded mask: A×1×T×Hp×Wp → A×1×T×H×W.
  static func extremalMaskCrop(_ padded: Tensor<Scalar>, geometry: ExtremalMaskGeometry) -> Tensor<Scalar>
  /// Its adjoint, the zero embedding: A×1×T×H×W → A×1×T×Hp×Wp.
  static func extremalMaskCropBackward(_ dCropped: Tensor<Scalar>, geometry: ExtremalMaskGeometry) -> Tensor<Scalar>
  /// Reverses the last axis (jitter); its own VJP.
  static func flipWidth(_ x: Tensor<Scalar>) -> Tensor<Scalar>
  /// N×C×T×H×W → N×L×C×T×H×W, level l blurred with σ_l = (1 − l/(L − 1))·maxSigma.
  static func blurPyramid(_ x: Tensor<Scalar>, levels: Int, maxSigma: Double) -> Tensor<Scalar>
  /// TorchRay's `Perturbation.apply`: pyramid N×L×C×T×H×W, mask A×1×T×H×W → A×C×T×H×W.
  static func pyramidPerturbation(_ pyramid: Tensor<Scalar>, mask: Tensor<Scalar>, clips: [Int]?) -> Tensor<Scalar>
  /// Its VJP with respect to the mask: A×C×T×H×W → A×1×T×H×W.
  static func pyramidPerturbationBackward(
    _ dz: Tensor<Scalar>, pyramid: Tensor<Scalar>, mask: Tensor<Scalar>, clips: [Int]?
  ) -> Tensor<Scalar>
  /// Fade: z = m ⊙ x, x N×C×T×H×W, mask A×1×T×H×W → A×C×T×H×W.
  static func fadePerturbation(_ x: Tensor<Scalar>, mask: Tensor<Scalar>, clips: [Int]?) -> Tensor<Scalar>
  /// Its VJP with respect to the mask: A×C×T×H×W → A×1×T×H×W.
  static func fadePerturbationBackward(_ dz: Tensor<Scalar>, x: Tensor<Scalar>, clips: [Int]?) -> Tensor<Scalar>

  // MARK: Extremal perturbation (losses and optimiser)
  static func sortedRampLoss(_ mask: Tensor<Scalar>, areas: [Double], grouping: AreaGrouping, tieOrder: TieOrder)
    -> ExtremalLossResult<Scalar>
  static func coreResponses(_ mask: Tensor<Scalar>, core: ExtremalCore) -> Tensor<Scalar>
  static func coreLoss(_ mask: Tensor<Scalar>, areas: [Double], core: ExtremalCore, tieOrder: TieOrder)
    -> ExtremalLossResult<Scalar>
  static func sgdStep(
    _ parameter: Tensor<Scalar>, gradient: Tensor<Scalar>, momentumBuffer: Tensor<Scalar>?, settings: SGDSettings
  ) -> SGDStepResult<Scalar>

  // MARK: Segmentation
  /// 3-D SLIC supervoxels of a C×T×H×W (or 1×C×T×H×W) stack of colours → T×H×W labels.
  static func slic(_ clip: Tensor<Scalar>, settings: SLICSettings) throws(SLICError) -> Supervoxels
}

/// What `batchNormTraining` returns: the output and the batch statistics backward needs
/// (per channel: mean μ and 1/√(σ²_biased + ε); the unbiased variance updates running stats).
public struct BatchNormTrainingResult<Scalar: Sendable>: Sendable {
  public var output: Tensor<Scalar>
  public var mean: Tensor<Scalar>
  public var inverseStd: Tensor<Scalar>
  public var unbiasedVariance: Tensor<Scalar>
  public init(
    output: Tensor<Scalar>, mean: Tensor<Scalar>, inverseStd: Tensor<Scalar>, unbiasedVariance: Tensor<Scalar>
  ) {
    self.output = output
    self.mean = mean
    self.inverseStd = inverseStd
    self.unbiasedVariance = unbiasedVariance
  }
}

/// Gradients of training-mode batch norm with respect to its input, scale γ and shift β.
public struct BatchNormTrainingGradients<Scalar: Sendable>: Sendable {
  public var input: Tensor<Scalar>
  public var scale: Tensor<Scalar>
  public var shift: Tensor<Scalar>
  public init(input: Tensor<Scalar>, scale: Tensor<Scalar>, shift: Tensor<Scalar>) {
    self.input = input
    self.scale = scale
    self.shift = shift
  }
}

/// Max-pool output plus, per output element, the flat index (into the whole input tensor)
/// of the element that was selected; ties go to the first in scan order (t, then h, then w
/// ascending), as PyTorch's CPU kernel.
public struct MaxPoolResult<Scalar: Sendable>: Sendable {
  public var output: Tensor<Scalar>
  public var argmax: [Int32]
  public init(output: Tensor<Scalar>, argmax: [Int32]) {
    self.output = output
    self.argmax = argmax
  }
}

/// The nonlinearity of an LSTM's cell input g and of its cell output: `tanh` (standard) or
/// `relu` (the "ReLU-LSTM" of the R50L model in Li et al.). Gates i, f, o always use σ.
public enum LSTMActivation: String, Sendable, CaseIterable {
  case tanh
  case relu
}

/// LSTM parameters in PyTorch's layout and gate order **i, f, g, o** (rows 0..<H input gate,
/// H..<2H forget, 2H..<3H cell candidate, 3H..<4H output): W_ih 4H×I, W_hh 4H×H, b_ih 4H,
/// b_hh 4H.
public struct LSTMWeights<Scalar: Sendable>: Sendable {
  public var inputWeight: Tensor<Scalar>
  public var hiddenWeight: Tensor<Scalar>
  public var inputBias: Tensor<Scalar>?
  public var hiddenBias: Tensor<Scalar>?
  public init(
    inputWeight: Tensor<Scalar>, hiddenWeight: Tensor<Scalar>, inputBias: Tensor<Scalar>?, hiddenBias: Tensor<Scalar>?
  ) {
    self.inputWeight = inputWeight
    self.hiddenWeight = hiddenWeight
    self.inputBias = inputBias
    self.hiddenBias = hiddenBias
  }
}

/// One LSTM step: h′, c′ (N×H), and what backward needs: the activated gates N×4H
/// (σ(i), σ(f), act(g), σ(o) in that order) and act(c′) N×H.
public struct LSTMCellResult<Scalar: Sendable>: Sendable {
  public var hidden: Tensor<Scalar>
  public var cell: Tensor<Scalar>
  public var gates: Tensor<Scalar>
  public var cellActivation: Tensor<Scalar>
  public init(hidden: Tensor<Scalar>, cell: Tensor<Scalar>, gates: Tensor<Scalar>, cellActivation: Tensor<Scalar>) {
    self.hidden = hidden
    self.cell = cell
    self.gates = gates
    self.cellActivation = cellActivation
  }
}

/// Gradients of one LSTM step with respect to x, h, c and every parameter.
public struct LSTMCellGradients<Scalar: Sendable>: Sendable {
  public var input: Tensor<Scalar>
  public var hidden: Tensor<Scalar>
  public var cell: Tensor<Scalar>
  public var inputWeight: Tensor<Scalar>
  public var hiddenWeight: Tensor<Scalar>
  /// Gradient of b_ih, which equals that of b_hh (both add to the same pre-activation).
  public var bias: Tensor<Scalar>
  public init(
    input: Tensor<Scalar>, hidden: Tensor<Scalar>, cell: Tensor<Scalar>, inputWeight: Tensor<Scalar>,
    hiddenWeight: Tensor<Scalar>, bias: Tensor<Scalar>
  ) {
    self.input = input
    self.hidden = hidden
    self.cell = cell
    self.inputWeight = inputWeight
    self.hiddenWeight = hiddenWeight
    self.bias = bias
  }
}
