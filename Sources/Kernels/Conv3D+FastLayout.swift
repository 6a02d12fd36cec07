import CMicroKernels
import TensorCore

// Dimensions as in Conv3D+Literal.swift; further, per batch element n and group g:
//   K = Cg·kt·kh·kw (reduction), P = To·Ho·Wo (output positions), and the im2col matrix
//   B[K×P] with B[k, p] = x[n, g·Cg + c, tₒ·sₜ − pₜ + i·dₜ, …] for k = ((c·kt + i)·kh + j)·kw + l,
//   p = (tₒ·Ho + hₒ)·Wo + wₒ (see CMicroKernels.h). The fast convolution passes
//   (Conv3D+Fast.swift, Conv3D+Backward+Fast.swift) are GEMMs with B, which is never stored
//   whole: blocks of it are packed from x into NR-column panels as they are needed.

/// Shapes of one fast convolution call and the C description of one (n, g) slab.
struct FastConvLayout {
  let batch, inChannels, outChannels, groups, inPerGroup, outPerGroup: Int
  /// K = Cg·kt·kh·kw, kt·kh·kw, P = To·Ho·Wo, T·H·W.
  let reduction, kernelVolume, positions, inputVolume: Int
  /// The shapes of x (N×Cin×T×H×W), of the weight (Cout×Cg×kt×kh×kw) and of y (N×Cout×To×Ho×Wo).
  let inputShape, weightShape, outputShape: [Int]
  let slab: vidattr_conv_geometry
  /// Kernel 1 along H and W with stride 1 and no padding there (temporal and point-wise
  /// convolutions): every im2col row, restricted to one output frame, is then a contiguous
  /// slice of one input frame (Ho·Wo = H·W), so blocks are packed by plain row copies, one
  /// frame segment at a time, and the backward passes have gather forms without im2col.
  let rowsAreContiguous: Bool

  init(input: [Int], weight: [Int], output: [Int], geometry: Conv3DGeometry) {
    (batch, inChannels, outChannels, groups) = (input[0], input[1], weight[0], geometry.groups)
    inPerGroup = inChannels / groups
    outPerGroup = outChannels / groups
    kernelVolume = weight[2] * weight[3] * weight[4]
    reduction = inPerGroup * kernelVolume
    positions = output[2] * output[3] * output[4]
    inputVolume = input[2] * input[3] * input[4]
    (inputShape, weightShape, outputShape) = (input, weight, output)
    let (s, p, d) = (geometry.stride, geometry.padding, geometry.dilation)
    rowsAreContiguous = weight[3] == 1 && weight[4] == 1 && s.h == 1 && s.w == 1 && p.h == 0 && p.w == 0
    slab = vidattr_conv_geometry(
      channels: inPerGroup, t: input[2], h: input[3], w: input[4],
      kt: weight[2], kh: weight[3], kw: weight[4],
      st: s.t, sh: s.h, sw: s.w, pt: p.t, ph: p.h, pw: p.w,
      dt: d.t, dh: d.h, dw: d.w,
      ot: output[2], oh: output[3], ow: output[4])
  }

  /// Offset of x[n, g·Cg] in the input.
  func inputOffset(_ n: Int, _ g: Int) -> Int { (n * inChannels + g * inPerGroup) * inputVolume }

  /// Offset of y[n, g·Og + row] (or dy) in the output.
  func outputOffset(_ n: Int, _ g: Int, row: Int = 0) -> Int { (n * outChannels + g * outPerGroup + row) * positions }

  /// Tiles of output positions: consecutive ranges of P of at most `maxSize` positions, of
  /// equal sizes rounded up to a multiple of `align`, and — while tiles keep at least `minSize`
  /// positions — at least `minCount` of them, so that threads get balanced work. Set by the
  /// shape alone. Tiles may span output frames (`packIm2col` packs one frame segment at a time):
  /// with frames of Ho·Wo = 196 or 49 positions, tiles cut at frame ends left a 4- or 17-column
  /// last panel per frame (layers 3 and 4 of r2plus1d_18), computed at the cost of a full one.
  func positionTiles(maxSize: Int, minCount: Int, minSize: Int, align: Int) -> [Range<Int>] {
    var count = ceilDiv(positions, maxSize)
    if count < minCount { count = max(count, min(minCount, positions / minSize)) }
    let size = ceilDiv(ceilDiv(positions, count), align) * align
    return stride(from: 0, to: positions, by: size).map { $0..<min($0 + size, positions) }
  }

  /// Packs rows k0 ..< k0 + depth, positions `tile`, of the im2col matrix of slab (n, g) of
  /// x (`x` points at x[n, g·Cg]) into NR-column panels at `dst`: by row copies
  /// (`packIm2colByRowCopies`) when `rowsAreContiguous`, else by the C im2col gather
  /// (`vidattr_conv_pack_im2col`, which handles stride, padding and dilation). Both write the
  /// same values; columns past the tile in its last panel are zeros.
  func packIm2col(
    _ isa: FastISA, _ x: UnsafePointer<Float>, _ k0: Int, _ depth: Int, _ tile: Range<Int>, nr: Int,
    _ dst: UnsafeMutablePointer<Float>
  ) {
    if rowsAreContiguous {
      packIm2colByRowCopies(isa, x, k0, depth, tile, nr: nr, dst)
      return
    }
    var geometry = slab
    vidattr_conv_pack_im2col(isa.rawValue, &geometry, x, k0, depth, tile.lowerBound, tile.count, Int32(nr), dst)
  }

  /// `packIm2col` for a kernel 1×1 along H and W (`rowsAreContiguous`): with kh = kw = 1 row
  /// k = c·kt + i of the im2col matrix, over the positions of output frame tₒ, is input frame
  /// tₒ·sₜ − pₜ + i·dₜ of channel c (zeros when that frame is temporal padding). The tile is
  /// cut at output-frame boundaries and each segment's rows are copied into the panels by
  /// `vidattr_pack_b_rows_at`.
  ///
  /// - Complexity: O(depth·|tile|) copies; no memory beyond `depth` row pointers.
  private func packIm2colByRowCopies(
    _ isa: FastISA, _ x: UnsafePointer<Float>, _ k0: Int, _ depth: Int, _ tile: Range<Int>, nr: Int,
    _ dst: UnsafeMutablePointer<Float>
  ) {
    let frame = slab.oh * slab.ow, volume = inputVolume
    withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: depth) { rows in
      // One segment per output frame tₒ the tile touches; within it, every im2col row is the
      // slice [offset, offset + count) of one input frame.
      var start = tile.lowerBound
      while start < tile.upperBound {
        let to = start / frame, offset = start % frame
        let count = min(tile.upperBound - start, frame - offset)
        for kk in 0..<depth {
          // k = c·kt + i (kh = kw = 1): input frame tₒ·sₜ − pₜ + i·dₜ of channel c.
          let (c, i) = ((k0 + kk) / slab.kt, (k0 + kk) % slab.kt)
          let ti = to * slab.st - slab.pt + i * slab.dt
          rows[kk] = ti >= 0 && ti < slab.t ? x + c * volume + ti * frame + offset : nil
        }
        vidattr_pack_b_rows_at(isa.rawValue, rows.baseAddress, depth, count, Int32(nr), dst, start - tile.lowerBound)
        start += count
      }
      // Columns past the tile in its last panel: zeros (the micro-kernels compute on them).
      let padded = ceilDiv(tile.count, nr) * nr
      if padded > tile.count {
        for kk in 0..<depth { rows[kk] = nil }
        vidattr_pack_b_rows_at(isa.rawValue, rows.baseAddress, depth, padded - tile.count, Int32(nr), dst, tile.count)
      }
    }
  }
}

/// How many independent tasks the fast convolution drivers aim for: enough to balance two to
/// eight threads, and fixed by the shape alone so that results never depend on thread count.
let fastConvTargetTasks = 8
