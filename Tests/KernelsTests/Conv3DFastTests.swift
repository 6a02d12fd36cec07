import Kernels
import TensorCore
import Testing
import _TestSupport

/// Shapes on the SIMD and blocking boundaries of the fast path: channel counts and extents
/// among 1, 7, 8, 9, 15, 16, 17, 31; odd T/H/W; stride 2 and 3 (also larger than the
/// kernel); padding 0…3 (also more than half the kernel); dilation 2; groups 1, 2, 3, 7;
/// with and without bias; a 2-D convolution (T = 1, kt = 1).
let boundaryConvCases: [ConvCase] = [
  ConvCase(inChannels: 7, outChannels: 9, extent: Size3(3, 5, 7), kernel: .cube(1), bias: true),
  ConvCase(
    inChannels: 8, outChannels: 16, extent: Size3(3, 8, 9), kernel: .cube(3),
    geometry: Conv3DGeometry(padding: .cube(1)), bias: true),
  ConvCase(
    inChannels: 9, outChannels: 17, extent: Size3(1, 9, 15), kernel: Size3(1, 3, 3),
    geometry: Conv3DGeometry(stride: Size3(1, 2, 2), padding: Size3(0, 1, 1))),
  ConvCase(
    inChannels: 15, outChannels: 31, extent: Size3(5, 7, 8), kernel: Size3(3, 1, 1),
    geometry: Conv3DGeometry(stride: Size3(2, 1, 1), padding: Size3(1, 0, 0))),
  ConvCase(
    inChannels: 16, outChannels: 15, extent: Size3(7, 9, 17), kernel: .cube(2),
    geometry: Conv3DGeometry(stride: .cube(3)), bias: true),
  ConvCase(
    inChannels: 3, outChannels: 7, extent: Size3(7, 9, 9), kernel: .cube(3),
    geometry: Conv3DGeometry(padding: .cube(2), dilation: .cube(2))),
  ConvCase(
    inChannels: 4, outChannels: 8, extent: Size3(3, 7, 8), kernel: Size3(2, 3, 3),
    geometry: Conv3DGeometry(padding: Size3(2, 3, 3)), bias: true),
  ConvCase(
    inChannels: 8, outChannels: 6, extent: Size3(3, 5, 5), kernel: .cube(3),
    geometry: Conv3DGeometry(padding: .cube(1), groups: 2)),
  ConvCase(
    inChannels: 9, outChannels: 9, extent: Size3(5, 7, 9), kernel: .cube(3),
    geometry: Conv3DGeometry(stride: .cube(2), padding: .cube(1), groups: 3), bias: true),
  ConvCase(
    inChannels: 7, outChannels: 7, extent: Size3(3, 8, 8), kernel: Size3(1, 3, 3),
    geometry: Conv3DGeometry(padding: Size3(0, 1, 1), groups: 7)),
  ConvCase(
    batch: 2, inChannels: 5, outChannels: 13, extent: Size3(4, 6, 31), kernel: Size3(1, 1, 3),
    geometry: Conv3DGeometry(padding: Size3(0, 0, 1)), bias: true),
  ConvCase(
    inChannels: 1, outChannels: 1, extent: Size3(9, 1, 1), kernel: Size3(3, 1, 1),
    geometry: Conv3DGeometry(padding: Size3(1, 0, 0))),
  ConvCase(
    inChannels: 17, outChannels: 31, extent: Size3(3, 5, 5), kernel: .cube(3),
    geometry: Conv3DGeometry(stride: Size3(1, 2, 2), padding: .cube(1))),
  ConvCase(
    inChannels: 2, outChannels: 9, extent: Size3(7, 5, 6), kernel: Size3(3, 2, 2),
    geometry: Conv3DGeometry(stride: Size3(2, 1, 2), padding: Size3(1, 1, 0))),
  ConvCase(
    inChannels: 1, outChannels: 8, extent: Size3(7, 4, 5), kernel: Size3(1, 2, 2),
    geometry: Conv3DGeometry(stride: Size3(3, 1, 1), padding: Size3(0, 1, 0))),
  ConvCase(
    inChannels: 31, outChannels: 1, extent: Size3(2, 7, 7), kernel: Size3(3, 1, 1),
    geometry: Conv3DGeometry(stride: Size3(2, 1, 1), padding: Size3(1, 0, 0)), bias: true),
]

/// Shapes that span several blocks of every level's blocking (Kc = 256 reduction rows,
/// Mc = 240 output rows, Nc = 512 positions; see `vidattr_gemm_blocking_for`) and that take
/// each driver's alternative branch (channel split, frame slabs, position chunks).
let multiBlockConvCases: [ConvCase] = [
  // K = 432 (2 Kc blocks), P = 2000 (4 Nc tiles), Cout = 24 (3 AVX-512 panels of 8).
  ConvCase(
    inChannels: 16, outChannels: 24, extent: Size3(5, 20, 20), kernel: .cube(3),
    geometry: Conv3DGeometry(padding: .cube(1)), bias: true),
  // Cout = 250 > Mc with P = 20: the forward splits output channels over a shared im2col block.
  ConvCase(
    inChannels: 8, outChannels: 250, extent: Size3(1, 4, 5), kernel: Size3(1, 3, 3),
    geometry: Conv3DGeometry(padding: Size3(0, 1, 1)), bias: true),
  // Cout = 300 > Kc: dx reduces over two Kc blocks; few channels: frame slabs with a halo.
  ConvCase(
    inChannels: 2, outChannels: 300, extent: Size3(9, 3, 4), kernel: Size3(3, 1, 2),
    geometry: Conv3DGeometry(stride: Size3(2, 1, 1), padding: Size3(1, 0, 1))),
  // P = 4224 positions, one dW tile: the weight gradient is split into position chunks.
  ConvCase(
    inChannels: 2, outChannels: 5, extent: Size3(4, 32, 33), kernel: Size3(1, 3, 3),
    geometry: Conv3DGeometry(padding: Size3(0, 1, 1)), bias: true),
  // K = 17·27 = 459 columns of dW with Cout = 250: several dW tiles in both directions.
  ConvCase(
    inChannels: 17, outChannels: 250, extent: Size3(2, 3, 3), kernel: .cube(3),
    geometry: Conv3DGeometry(padding: .cube(1))),
  // Temporal kernel (row-copy packing and the frame-wise backward input): frames of
  // 24·25 = 600 positions (2 Nc tiles), Og = 150 per group, stride 3 > kernel 2 (input frames
  // read by no window), dilation 2, two groups.
  ConvCase(
    inChannels: 4, outChannels: 300, extent: Size3(8, 24, 25), kernel: Size3(2, 1, 1),
    geometry: Conv3DGeometry(stride: Size3(3, 1, 1), padding: Size3(1, 0, 0), dilation: Size3(2, 1, 1), groups: 2),
    bias: true),
  // Temporal kernel, stride 1, batch 2: 2·5·400 = 4000 positions, so the frame-wise weight
  // gradient splits them into 3 chunks; blocks reading padding frames are copied, the others
  // read in place.
  ConvCase(
    batch: 2, inChannels: 3, outChannels: 5, extent: Size3(5, 20, 20), kernel: Size3(3, 1, 1),
    geometry: Conv3DGeometry(padding: Size3(1, 0, 0)), bias: true),
  // Narrow last panels (AVX-512: dot products for ≤ 8 trailing positions): P = 2·7·7 = 98 =
  // 3·32 + 2 with K = 40·9 = 360 (2 Kc blocks, the second 104 deep: a masked 8-float tail) and
  // Cout = 19 (rows not a multiple of 8), bias; and a temporal kernel with P = 4·3·3 = 36 =
  // 32 + 4, batch 2, whose positions cross frames within one tile.
  ConvCase(
    inChannels: 40, outChannels: 19, extent: Size3(2, 7, 7), kernel: Size3(1, 3, 3),
    geometry: Conv3DGeometry(padding: Size3(0, 1, 1)), bias: true),
  ConvCase(
    batch: 2, inChannels: 9, outChannels: 11, extent: Size3(4, 3, 3), kernel: Size3(3, 1, 1),
    geometry: Conv3DGeometry(padding: Size3(1, 0, 0)), bias: true),
]

@Suite("Conv3D fast path equals the literal path within the derived reduction bound")
struct Conv3DFastTests {
  @Test("boundary shapes, forward and all three backward passes, on every ISA level", arguments: boundaryConvCases)
  func boundaryShapes(c: ConvCase) {
    let reference = ConvReference(c, seed: c.seed)
    for isa in FastISA.supported {
      for failure in reference.failures(c, isa: isa) { Issue.record(Comment(rawValue: failure)) }
    }
  }

  @Test("shapes spanning several K, M and N blocks, and every driver branch", arguments: multiBlockConvCases)
  func multiBlockShapes(c: ConvCase) {
    let reference = ConvReference(c, seed: c.seed)
    for isa in FastISA.supported {
      for failure in reference.failures(c, isa: isa) { Issue.record(Comment(rawValue: failure)) }
    }
  }

  @Test("an empty batch gives empty results and a zero weight gradient on both paths")
  func emptyBatch() {
    let g = Conv3DGeometry(padding: .cube(1))
    let x = Tensor<Float>.zeros([0, 3, 4, 5, 6]), w: Tensor<Float> = Fill.weyl([2, 3, 3, 3, 3])
    let dy = Tensor<Float>.zeros([0, 2, 4, 5, 6])
    #expect(Fast.conv3d(x, weight: w, bias: nil, geometry: g).shape == [0, 2, 4, 5, 6])
    #expect(Fast.conv3dBackwardInput(dy, weight: w, inputShape: x.shape, geometry: g).shape == x.shape)
    let dw = Fast.conv3dBackwardWeight(dy, input: x, weightShape: w.shape, geometry: g)
    #expect(dw == Tensor<Float>.zeros(w.shape))
    #expect(Fast.conv3dBackwardBias(dy) == Tensor<Float>.zeros([2]))
  }

  @Test("a transposed weight is caught: the bound is far tighter than the error it would cause")
  func boundDetectsTransposedWeight() {
    let c = boundaryConvCases[1]
    let reference = ConvReference(c, seed: c.seed)
    // Swap two output channels' weights: a plausible indexing mistake.
    var w = reference.w
    let k = c.weightShape[1...].reduce(1, *)
    for i in 0..<k { w.scalars.swapAt(i, k + i) }
    let wrong = Fast.conv3d(reference.x, weight: w, bias: reference.b, geometry: c.geometry)
    #expect(!compare(wrong, reference.y, bound: reference.yBound).passed)
  }
}
