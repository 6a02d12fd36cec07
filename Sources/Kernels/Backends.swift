import RealModule
import TensorCore

/// The reference path: every requirement forwards to the `Literal` function of the same name.
/// Tests run it with `Scalar == Double`.
public enum LiteralBackend<Scalar: Real & BinaryFloatingPoint & Sendable>: KernelBackend {
  public static var pathName: String { "literal" }

  @inlinable public static func conv3d(
    _ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?, geometry: Conv3DGeometry
  ) -> Tensor<Scalar> {
    Literal.conv3d(x, weight: weight, bias: bias, geometry: geometry)
  }

  @inlinable public static func conv3dBackwardInput(
    _ dy: Tensor<Scalar>, weight: Tensor<Scalar>, inputShape: [Int], geometry: Conv3DGeometry
  ) -> Tensor<Scalar> {
    Literal.conv3dBackwardInput(dy, weight: weight, inputShape: inputShape, geometry: geometry)
  }

  @inlinable public static func conv3dBackwardWeight(
    _ dy: Tensor<Scalar>, input: Tensor<Scalar>, weightShape: [Int], geometry: Conv3DGeometry
  ) -> Tensor<Scalar> {
    Literal.conv3dBackwardWeight(dy, input: input, weightShape: weightShape, geometry: geometry)
  }

  @inlinable public static func conv3dBackwardBias(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.conv3dBackwardBias(dy)
  }

  @inlinable public static func batchNorm(
    _ x: Tensor<Scalar>, scale: Tensor<Scalar>, shift: Tensor<Scalar>, mean: Tensor<Scalar>, variance: Tensor<Scalar>,
    epsilon: Scalar
  ) -> Tensor<Scalar> {
    Literal.batchNorm(x, scale: scale, shift: shift, mean: mean, variance: variance, epsilon: epsilon)
  }

  @inlinable public static func batchNormBackwardInput(
    _ dy: Tensor<Scalar>, scale: Tensor<Scalar>, variance: Tensor<Scalar>, epsilon: Scalar
  ) -> Tensor<Scalar> {
    Literal.batchNormBackwardInput(dy, scale: scale, variance: variance, epsilon: epsilon)
  }

  @inlinable public static func batchNormTraining(
    _ x: Tensor<Scalar>, scale: Tensor<Scalar>, shift: Tensor<Scalar>, epsilon: Scalar
  ) -> BatchNormTrainingResult<Scalar> {
    Literal.batchNormTraining(x, scale: scale, shift: shift, epsilon: epsilon)
  }

  @inlinable public static func batchNormTrainingBackward(
    _ dy: Tensor<Scalar>, input: Tensor<Scalar>, scale: Tensor<Scalar>, saved: BatchNormTrainingResult<Scalar>
  ) -> BatchNormTrainingGradients<Scalar> {
    Literal.batchNormTrainingBackward(dy, input: input, scale: scale, saved: saved)
  }

  @inlinable public static func relu(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.relu(x)
  }

  @inlinable public static func reluBackward(_ dy: Tensor<Scalar>, input: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.reluBackward(dy, input: input)
  }

  @inlinable public static func maxPool3d(_ x: Tensor<Scalar>, geometry: Pool3DGeometry) -> MaxPoolResult<Scalar> {
    Literal.maxPool3d(x, geometry: geometry)
  }

  @inlinable public static func maxPool3dBackward(
    _ dy: Tensor<Scalar>, argmax: [Int32], inputShape: [Int]
  ) -> Tensor<Scalar> {
    Literal.maxPool3dBackward(dy, argmax: argmax, inputShape: inputShape)
  }

  @inlinable public static func avgPool3d(
    _ x: Tensor<Scalar>, geometry: Pool3DGeometry, countIncludePad: Bool
  ) -> Tensor<Scalar> {
    Literal.avgPool3d(x, geometry: geometry, countIncludePad: countIncludePad)
  }

  @inlinable public static func avgPool3dBackward(
    _ dy: Tensor<Scalar>, inputShape: [Int], geometry: Pool3DGeometry, countIncludePad: Bool
  ) -> Tensor<Scalar> {
    Literal.avgPool3dBackward(dy, inputShape: inputShape, geometry: geometry, countIncludePad: countIncludePad)
  }

  @inlinable public static func adaptiveAvgPool3d(_ x: Tensor<Scalar>, outputSize: Size3) -> Tensor<Scalar> {
    Literal.adaptiveAvgPool3d(x, outputSize: outputSize)
  }

  @inlinable public static func adaptiveAvgPool3dBackward(_ dy: Tensor<Scalar>, inputShape: [Int]) -> Tensor<Scalar> {
    Literal.adaptiveAvgPool3dBackward(dy, inputShape: inputShape)
  }

  @inlinable public static func linear(
    _ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?
  ) -> Tensor<Scalar> {
    Literal.linear(x, weight: weight, bias: bias)
  }

  @inlinable public static func linearBackwardInput(_ dy: Tensor<Scalar>, weight: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.linearBackwardInput(dy, weight: weight)
  }

  @inlinable public static func linearBackwardWeight(_ dy: Tensor<Scalar>, input: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.linearBackwardWeight(dy, input: input)
  }

  @inlinable public static func linearBackwardBias(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.linearBackwardBias(dy)
  }

  @inlinable public static func softmax(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.softmax(x)
  }

  @inlinable public static func softmaxBackward(_ dy: Tensor<Scalar>, output: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.softmaxBackward(dy, output: output)
  }

  @inlinable public static func logSoftmax(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.logSoftmax(x)
  }

  @inlinable public static func logSoftmaxBackward(_ dy: Tensor<Scalar>, output: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.logSoftmaxBackward(dy, output: output)
  }

  @inlinable public static func add(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.add(a, b)
  }

  @inlinable public static func multiply(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.multiply(a, b)
  }

  @inlinable public static func scale(_ x: Tensor<Scalar>, by s: Scalar) -> Tensor<Scalar> {
    Literal.scale(x, by: s)
  }

  @inlinable public static func addScaled(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>, scale s: Scalar) -> Tensor<Scalar> {
    Literal.addScaled(a, b, scale: s)
  }

  @inlinable public static func subtract(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.subtract(a, b)
  }

  @inlinable public static func positivePart(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.positivePart(x)
  }

  @inlinable public static func negativePart(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.negativePart(x)
  }

  @inlinable public static func divideOrZero(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    Literal.divideOrZero(a, b)
  }

  @inlinable public static func stabilized(_ z: Tensor<Scalar>, epsilon: Scalar) -> Tensor<Scalar> {
    Literal.stabilized(z, epsilon: epsilon)
  }

  @inlinable public static func sum(_ x: Tensor<Scalar>) -> Scalar {
    Literal.sum(x)
  }

  @inlinable public static func temporalShift(_ x: Tensor<Scalar>, foldDivisor: Int) -> Tensor<Scalar> {
    Literal.temporalShift(x, foldDivisor: foldDivisor)
  }

  @inlinable public static func temporalShiftBackward(_ dy: Tensor<Scalar>, foldDivisor: Int) -> Tensor<Scalar> {
    Literal.temporalShiftBackward(dy, foldDivisor: foldDivisor)
  }

  @inlinable public static func lstmCell(
    input: Tensor<Scalar>, hidden: Tensor<Scalar>, cell: Tensor<Scalar>, weights: LSTMWeights<Scalar>,
    activation: LSTMActivation
  ) -> LSTMCellResult<Scalar> {
    Literal.lstmCell(input: input, hidden: hidden, cell: cell, weights: weights, activation: activation)
  }

  @inlinable public static func lstmCellBackward(
    dHidden: Tensor<Scalar>, dCell: Tensor<Scalar>, input: Tensor<Scalar>, hidden: Tensor<Scalar>, cell: Tensor<Scalar>,
    weights: LSTMWeights<Scalar>, saved: LSTMCellResult<Scalar>, activation: LSTMActivation
  ) -> LSTMCellGradients<Scalar> {
    Literal.lstmCellBackward(
      dHidden: dHidden, dCell: dCell, input: input, hidden: hidden, cell: cell, weights: weights, saved: saved,
      activation: activation)
  }

  @inlinable public static func resizeNearest(_ x: Tensor<Scalar>, size: Size3) -> Tensor<Scalar> {
    Literal.resizeNearest(x, size: size)
  }

  @inlinable public static func resizeNearestBackward(_ dy: Tensor<Scalar>, inputShape: [Int]) -> Tensor<Scalar> {
    Literal.resizeNearestBackward(dy, inputShape: inputShape)
  }

  @inlinable public static func resizeTrilinear(_ x: Tensor<Scalar>, size: Size3) -> Tensor<Scalar> {
    Literal.resizeTrilinear(x, size: size)
  }

  @inlinable public static func resizeTrilinearBackward(_ dy: Tensor<Scalar>, inputShape: [Int]) -> Tensor<Scalar> {
    Literal.resizeTrilinearBackward(dy, inputShape: inputShape)
  }

  @inlinable public static func repeatInterleaveTime(_ x: Tensor<Scalar>, factor: Int) -> Tensor<Scalar> {
    Literal.repeatInterleaveTime(x, factor: factor)
  }

  @inlinable public static func repeatInterleaveTimeBackward(_ dy: Tensor<Scalar>, factor: Int) -> Tensor<Scalar> {
    Literal.repeatInterleaveTimeBackward(dy, factor: factor)
  }

  @inlinable public static func gaussianBlurSpatial(_ x: Tensor<Scalar>, sigma: Double) -> Tensor<Scalar> {
    Literal.gaussianBlurSpatial(x, sigma: sigma)
  }

  @inlinable public static func gaussianBlurSpatialSigmaDerivative(
    _ x: Tensor<Scalar>, sigma: Double
  ) -> Tensor<Scalar> {
    Literal.gaussianBlurSpatialSigmaDerivative(x, sigma: sigma)
  }

  @inlinable public static func gaussianBlurTemporal(_ x: Tensor<Scalar>, sigma: Double) -> Tensor<Scalar> {
    Literal.gaussianBlurTemporal(x, sigma: sigma)
  }

  @inlinable public static func argsort(_ v: [Scalar]) -> [Int] {
    Literal.argsort(v)
  }
}

/// The optimised path: every requirement forwards to the `Fast` function of the same name.
public enum FastBackend: KernelBackend {
  public typealias Scalar = Float
  public static var pathName: String { "fast" }

  @inlinable public static func conv3d(
    _ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?, geometry: Conv3DGeometry
  ) -> Tensor<Scalar> {
    Fast.conv3d(x, weight: weight, bias: bias, geometry: geometry)
  }

  @inlinable public static func conv3dBackwardInput(
    _ dy: Tensor<Scalar>, weight: Tensor<Scalar>, inputShape: [Int], geometry: Conv3DGeometry
  ) -> Tensor<Scalar> {
    Fast.conv3dBackwardInput(dy, weight: weight, inputShape: inputShape, geometry: geometry)
  }

  @inlinable public static func conv3dBackwardWeight(
    _ dy: Tensor<Scalar>, input: Tensor<Scalar>, weightShape: [Int], geometry: Conv3DGeometry
  ) -> Tensor<Scalar> {
    Fast.conv3dBackwardWeight(dy, input: input, weightShape: weightShape, geometry: geometry)
  }

  @inlinable public static func conv3dBackwardBias(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.conv3dBackwardBias(dy)
  }

  @inlinable public static func batchNorm(
    _ x: Tensor<Scalar>, scale: Tensor<Scalar>, shift: Tensor<Scalar>, mean: Tensor<Scalar>, variance: Tensor<Scalar>,
    epsilon: Scalar
  ) -> Tensor<Scalar> {
    Fast.batchNorm(x, scale: scale, shift: shift, mean: mean, variance: variance, epsilon: epsilon)
  }

  @inlinable public static func batchNormBackwardInput(
    _ dy: Tensor<Scalar>, scale: Tensor<Scalar>, variance: Tensor<Scalar>, epsilon: Scalar
  ) -> Tensor<Scalar> {
    Fast.batchNormBackwardInput(dy, scale: scale, variance: variance, epsilon: epsilon)
  }

  @inlinable public static func batchNormTraining(
    _ x: Tensor<Scalar>, scale: Tensor<Scalar>, shift: Tensor<Scalar>, epsilon: Scalar
  ) -> BatchNormTrainingResult<Scalar> {
    Fast.batchNormTraining(x, scale: scale, shift: shift, epsilon: epsilon)
  }

  @inlinable public static func batchNormTrainingBackward(
    _ dy: Tensor<Scalar>, input: Tensor<Scalar>, scale: Tensor<Scalar>, saved: BatchNormTrainingResult<Scalar>
  ) -> BatchNormTrainingGradients<Scalar> {
    Fast.batchNormTrainingBackward(dy, input: input, scale: scale, saved: saved)
  }

  @inlinable public static func relu(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.relu(x)
  }

  @inlinable public static func reluBackward(_ dy: Tensor<Scalar>, input: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.reluBackward(dy, input: input)
  }

  @inlinable public static func maxPool3d(_ x: Tensor<Scalar>, geometry: Pool3DGeometry) -> MaxPoolResult<Scalar> {
    Fast.maxPool3d(x, geometry: geometry)
  }

  @inlinable public static func maxPool3dBackward(
    _ dy: Tensor<Scalar>, argmax: [Int32], inputShape: [Int]
  ) -> Tensor<Scalar> {
    Fast.maxPool3dBackward(dy, argmax: argmax, inputShape: inputShape)
  }

  @inlinable public static func avgPool3d(
    _ x: Tensor<Scalar>, geometry: Pool3DGeometry, countIncludePad: Bool
  ) -> Tensor<Scalar> {
    Fast.avgPool3d(x, geometry: geometry, countIncludePad: countIncludePad)
  }

  @inlinable public static func avgPool3dBackward(
    _ dy: Tensor<Scalar>, inputShape: [Int], geometry: Pool3DGeometry, countIncludePad: Bool
  ) -> Tensor<Scalar> {
    Fast.avgPool3dBackward(dy, inputShape: inputShape, geometry: geometry, countIncludePad: countIncludePad)
  }

  @inlinable public static func adaptiveAvgPool3d(_ x: Tensor<Scalar>, outputSize: Size3) -> Tensor<Scalar> {
    Fast.adaptiveAvgPool3d(x, outputSize: outputSize)
  }

  @inlinable public static func adaptiveAvgPool3dBackward(_ dy: Tensor<Scalar>, inputShape: [Int]) -> Tensor<Scalar> {
    Fast.adaptiveAvgPool3dBackward(dy, inputShape: inputShape)
  }

  @inlinable public static func linear(
    _ x: Tensor<Scalar>, weight: Tensor<Scalar>, bias: Tensor<Scalar>?
  ) -> Tensor<Scalar> {
    Fast.linear(x, weight: weight, bias: bias)
  }

  @inlinable public static func linearBackwardInput(_ dy: Tensor<Scalar>, weight: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.linearBackwardInput(dy, weight: weight)
  }

  @inlinable public static func linearBackwardWeight(_ dy: Tensor<Scalar>, input: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.linearBackwardWeight(dy, input: input)
  }

  @inlinable public static func linearBackwardBias(_ dy: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.linearBackwardBias(dy)
  }

  @inlinable public static func softmax(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.softmax(x)
  }

  @inlinable public static func softmaxBackward(_ dy: Tensor<Scalar>, output: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.softmaxBackward(dy, output: output)
  }

  @inlinable public static func logSoftmax(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.logSoftmax(x)
  }

  @inlinable public static func logSoftmaxBackward(_ dy: Tensor<Scalar>, output: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.logSoftmaxBackward(dy, output: output)
  }

  @inlinable public static func add(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.add(a, b)
  }

  @inlinable public static func multiply(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.multiply(a, b)
  }

  @inlinable public static func scale(_ x: Tensor<Scalar>, by s: Scalar) -> Tensor<Scalar> {
    Fast.scale(x, by: s)
  }

  @inlinable public static func addScaled(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>, scale s: Scalar) -> Tensor<Scalar> {
    Fast.addScaled(a, b, scale: s)
  }

  @inlinable public static func subtract(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.subtract(a, b)
  }

  @inlinable public static func positivePart(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.positivePart(x)
  }

  @inlinable public static func negativePart(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.negativePart(x)
  }

  @inlinable public static func divideOrZero(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> {
    Fast.divideOrZero(a, b)
  }

  @inlinable public static func stabilized(_ z: Tensor<Scalar>, epsilon: Scalar) -> Tensor<Scalar> {
    Fast.stabilized(z, epsilon: epsilon)
  }

  @inlinable public static func sum(_ x: Tensor<Scalar>) -> Scalar {
    Fast.sum(x)
  }

  @inlinable public static func temporalShift(_ x: Tensor<Scalar>, foldDivisor: Int) -> Tensor<Scalar> {
    Fast.temporalShift(x, foldDivisor: foldDivisor)
  }

  @inlinable public static func temporalShiftBackward(_ dy: Tensor<Scalar>, foldDivisor: Int) -> Tensor<Scalar> {
    Fast.temporalShiftBackward(dy, foldDivisor: foldDivisor)
  }

  @inlinable public static func lstmCell(
    input: Tensor<Scalar>, hidden: Tensor<Scalar>, cell: Tensor<Scalar>, weights: LSTMWeights<Scalar>,
    activation: LSTMActivation
  ) -> LSTMCellResult<Scalar> {
    Fast.lstmCell(input: input, hidden: hidden, cell: cell, weights: weights, activation: activation)
  }

  @inlinable public static func lstmCellBackward(
    dHidden: Tensor<Scalar>, dCell: Tensor<Scalar>, input: Tensor<Scalar>, hidden: Tensor<Scalar>, cell: Tensor<Scalar>,
    weights: LSTMWeights<Scalar>, saved: LSTMCellResult<Scalar>, activation: LSTMActivation
  ) -> LSTMCellGradients<Scalar> {
    Fast.lstmCellBackward(
      dHidden: dHidden, dCell: dCell, input: input, hidden: hidden, cell: cell, weights: weights, saved: saved,
      activation: activation)
  }

  @inlinable public static func resizeNearest(_ x: Tensor<Scalar>, size: Size3) -> Tensor<Scalar> {
    Fast.resizeNearest(x, size: size)
  }

  @inlinable public static func resizeNearestBackward(_ dy: Tensor<Scalar>, inputShape: [Int]) -> Tensor<Scalar> {
    Fast.resizeNearestBackward(dy, inputShape: inputShape)
  }

  @inlinable public static func resizeTrilinear(_ x: Tensor<Scalar>, size: Size3) -> Tensor<Scalar> {
    Fast.resizeTrilinear(x, size: size)
  }

  @inlinable public static func resizeTrilinearBackward(_ dy: Tensor<Scalar>, inputShape: [Int]) -> Tensor<Scalar> {
    Fast.resizeTrilinearBackward(dy, inputShape: inputShape)
  }

  @inlinable public static func repeatInterleaveTime(_ x: Tensor<Scalar>, factor: Int) -> Tensor<Scalar> {
    Fast.repeatInterleaveTime(x, factor: factor)
  }

  @inlinable public static func repeatInterleaveTimeBackward(_ dy: Tensor<Scalar>, factor: Int) -> Tensor<Scalar> {
    Fast.repeatInterleaveTimeBackward(dy, factor: factor)
  }

  @inlinable public static func gaussianBlurSpatial(_ x: Tensor<Scalar>, sigma: Double) -> Tensor<Scalar> {
    Fast.gaussianBlurSpatial(x, sigma: sigma)
  }

  @inlinable public static func gaussianBlurSpatialSigmaDerivative(
    _ x: Tensor<Scalar>, sigma: Double
  ) -> Tensor<Scalar> {
    Fast.gaussianBlurSpatialSigmaDerivative(x, sigma: sigma)
  }

  @inlinable public static func gaussianBlurTemporal(_ x: Tensor<Scalar>, sigma: Double) -> Tensor<Scalar> {
    Fast.gaussianBlurTemporal(x, sigma: sigma)
  }

  @inlinable public static func argsort(_ v: [Scalar]) -> [Int] {
    Fast.argsort(v)
  }
}
