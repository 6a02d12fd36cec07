import TensorCore

/// The windows of a pooling along one axis (T, H or W), PyTorch's rules.
///
/// Fixed windows (`torch.nn.MaxPool3d` / `AvgPool3d`, floor mode, dilation 1): output o
/// covers the padded positions [o·s − p, o·s − p + k); the input elements it reads are those
/// positions clipped to [0, in). PyTorch's average pool also keeps the *padded extent*
///   min(o·s − p + k, in + p) − (o·s − p),
/// the window clipped to the padded input, as its count_include_pad divisor (the product of
/// the three axes' padded extents). In floor mode with p ≤ k/2 the clip at in + p never bites
/// (o ≤ (in + 2p − k)/s gives o·s − p + k ≤ in + p), so the padded extent is k; the rule is
/// kept as PyTorch states it (it matters in ceil mode, which this package does not offer).
///
/// Adaptive windows (`torch.nn.AdaptiveAvgPool3d`): output i of Out covers the input
/// elements [⌊i·In/Out⌋, ⌈(i+1)·In/Out⌉).
struct PoolAxis {
  var input: Int
  var output: Int
  var kernel: Int
  var stride: Int
  var padding: Int

  /// The input elements [start, end) read by output o, and the padded extent (see above).
  @inline(__always)
  func window(_ o: Int) -> (start: Int, end: Int, paddedExtent: Int) {
    let first = o * stride - padding
    let last = min(first + kernel, input + padding)
    return (max(first, 0), min(last, input), last - first)
  }

  /// Outputs whose window lies wholly inside the input: o·s − p ≥ 0 and o·s − p + k ≤ in.
  var interior: Range<Int> {
    let lo = (padding + stride - 1) / stride
    let room = input + padding - kernel
    let hi = room < 0 ? 0 : min(output, room / stride + 1)
    return lo < hi ? lo..<hi : lo..<lo
  }

  /// The three axes of a pooling of `input` (N×C×T×H×W) to `output` with `geometry`.
  static func axes(input: [Int], output: [Int], geometry: Pool3DGeometry) -> (t: PoolAxis, h: PoolAxis, w: PoolAxis) {
    let k = geometry.kernel, s = geometry.stride, p = geometry.padding
    return (
      PoolAxis(input: input[2], output: output[2], kernel: k.t, stride: s.t, padding: p.t),
      PoolAxis(input: input[3], output: output[3], kernel: k.h, stride: s.h, padding: p.h),
      PoolAxis(input: input[4], output: output[4], kernel: k.w, stride: s.w, padding: p.w)
    )
  }
}

/// Adaptive-pooling bin of output i along an axis of `input` elements split into `output`:
/// [⌊i·In/Out⌋, ⌈(i+1)·In/Out⌉), as PyTorch's `start_index` / `end_index`.
@inline(__always)
func adaptiveBin(_ i: Int, input: Int, output: Int) -> Range<Int> {
  (i * input / output)..<(((i + 1) * input + output - 1) / output)
}
