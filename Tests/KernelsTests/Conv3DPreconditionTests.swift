import Kernels
import TensorCore
import Testing

@Suite("Conv3D shape preconditions")
struct Conv3DPreconditionTests {
  /// The process must stop on a mismatched shape rather than read out of bounds. The message
  /// (which names both shapes: it is `Conv3DGeometry.outputShape(input:weight:)`'s, checked in
  /// GeometryTests) is not checked here: in optimised builds, which the tests run in, Swift
  /// traps on a failed precondition without printing its message.
  @Test("a channel mismatch stops the process, on both paths and in every direction")
  func mismatchTraps() async {
    await #expect(processExitsWith: .failure) {
      _ = Fast.conv3d(
        Tensor<Float>.zeros([1, 4, 3, 3, 3]), weight: .zeros([2, 3, 1, 1, 1]), bias: nil, geometry: Conv3DGeometry())
    }
    await #expect(processExitsWith: .failure) {
      _ = Literal.conv3d(
        Tensor<Double>.zeros([1, 4, 3, 3, 3]), weight: .zeros([2, 3, 1, 1, 1]), bias: nil, geometry: Conv3DGeometry())
    }
    await #expect(processExitsWith: .failure) {
      _ = Fast.conv3dBackwardInput(
        Tensor<Float>.zeros([1, 2, 3, 3, 2]), weight: .zeros([2, 4, 1, 1, 1]), inputShape: [1, 4, 3, 3, 3],
        geometry: Conv3DGeometry())
    }
    await #expect(processExitsWith: .failure) {
      _ = Fast.conv3dBackwardWeight(
        Tensor<Float>.zeros([1, 2, 3, 3, 3]), input: .zeros([1, 4, 3, 3, 3]), weightShape: [2, 4, 1, 1, 1],
        geometry: Conv3DGeometry(stride: .cube(2)))
    }
    await #expect(processExitsWith: .failure) {
      _ = Fast.conv3d(
        Tensor<Float>.zeros([1, 4, 3, 3, 3]), weight: .zeros([2, 4, 1, 1, 1]), bias: .zeros([3]),
        geometry: Conv3DGeometry())
    }
  }
}
