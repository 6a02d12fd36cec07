import TensorCore

/// How a tensor of rank ≥ 2 splits into batch × channel × everything else, for the kernels
/// that act per channel (batch norm): x has shape N×C×(…), flat index (n·C + c)·S + s with
/// S the product of the trailing extents (T·H·W for video, 1 for N×C features).
struct ChannelLayout {
  var batch: Int
  var channels: Int
  var spatial: Int

  /// Checks that `shape` has rank ≥ 2 and that every per-channel parameter is a vector of C.
  /// - Parameters:
  ///   - kernel: the kernel's name, for the message.
  ///   - shape: the activation's shape.
  ///   - parameters: (name, shape) of each per-channel parameter.
  init(_ kernel: String, shape: [Int], parameters: [(String, [Int])]) {
    precondition(shape.count >= 2, "\(kernel): input \(Shape.describe(shape)) must be N×C×… (rank ≥ 2)")
    batch = shape[0]
    channels = shape[1]
    spatial = Shape.elementCount(Array(shape.dropFirst(2)))
    for (name, p) in parameters {
      precondition(
        p == [channels],
        "\(kernel): \(name) has shape \(Shape.describe(p)); input \(Shape.describe(shape)) needs [\(channels)]")
    }
  }

  /// Elements per channel: N·S.
  var perChannel: Int { batch * spatial }
}
