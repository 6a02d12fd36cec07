import CMicroKernels
import TensorCore

// Dimensions as in Conv3D+Literal.swift; further, per batch element n and group g:
//   K = Cg·kt·kh·kw (reduction), P = To·Ho·Wo (output positions), and the im2col matrix
//   B[K×P] with B[k, p] = x[n, g·Cg + c, tₒ·sₜ − pₜ + i·dₜ, …] for k = ((c·kt + i)·kh + j)·kw + l,
//   p = (tₒ·Ho + hₒ)·Wo + wₒ (see CMicroKernels.h). The forward pass is the GEMM
//   Y_g[Og×P] = W_g[Og×K]·B[K×P] (+ bias), written straight into y (NCTHW is Og×P row-major).

/// Shapes of one fast convolution call and the C description of one (n, g) slab.
struct FastConvLayout {
  let batch, inChannels, outChannels, groups, inPerGroup, outPerGroup: Int
  /// K = Cg·kt·kh·kw, kt·kh·kw, P = To·Ho·Wo, T·H·W.
  let reduction, kernelVolume, positions, inputVolume: Int
  let outputShape: [Int]
  let slab: vidattr_conv_geometry
  /// Kernel 1 along H and W with stride 1 and no padding there (temporal and point-wise
  /// convolutions): every im2col row, restricted to one output frame, is then a contiguous
  /// slice of one input frame (Ho·Wo = H·W), so blocks are packed by plain row copies, one
  /// frame segment at a time.
  let rowsAreContiguous: Bool

  init(input: [Int], weight: [Int], output: [Int], geometry: Conv3DGeometry) {
    (batch, inChannels, outChannels, groups) = (input[0], input[1], weight[0], geometry.groups)
    inPerGroup = inChannels / groups
    outPerGroup = outChannels / groups
    kernelVolume = weight[2] * weight[3] * weight[4]
    reduction = inPerGroup * kernelVolume
    positions = output[2] * output[3] * output[4]
    inputVolume = input[2] * input[3] * input[4]
    outputShape = output
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
  /// x into NR-column panels at `dst`: by row copies when `rowsAreContiguous`, else by the
  /// im2col gather.
  func packIm2col(
    _ isa: FastISA, _ x: UnsafePointer<Float>, _ k0: Int, _ depth: Int, _ tile: Range<Int>, nr: Int,
    _ dst: UnsafeMutablePointer<Float>
  ) {
    var geometry = slab
    guard rowsAreContiguous else {
      vidattr_conv_pack_im2col(isa.rawValue, &geometry, x, k0, depth, tile.lowerBound, tile.count, Int32(nr), dst)
      return
    }
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

extension Fast {
  /// Equals `Literal.conv3d` (3-D convolution, `torch.nn.Conv3d`), in Float.
  ///
  /// Organisation: implicit-im2col GEMM on the C micro-kernels of `FastISA.selected`
  /// (AVX-512 8×32, AVX2 6×16 or portable 4×16 register tiles), which read the weight in
  /// place (row-major Og×K; it is never repacked). Output positions are cut into balanced
  /// tiles of at most Nc; per tile, Kc×Nc blocks of the im2col matrix are packed from x into
  /// NR-column panels (stride, padding and dilation handled while gathering; by plain row
  /// copies for temporal and point-wise kernels; the im2col matrix is never stored whole) and
  /// multiplied into y, the first block starting from the bias; on AVX-512 a last panel of at
  /// most 8 positions (P mod 32, e.g. 2 of layer 4's 98) is computed as dot products along the
  /// whole of K (`vidattr_gemm_narrow_columns`, from its columns gathered as the blocks are
  /// packed) instead of a 16- or 32-wide tile that would cost as much as a full one. Tasks (n,
  /// g, position tile)
  /// run under `parallelFor`; when there are fewer than sixteen (late layers: small P), the
  /// im2col blocks of a batch of tiles are packed once in parallel and the output channels are
  /// split instead. Each output element is the same operation chain whatever the tiling and
  /// thread count.
  ///
  /// - Complexity: O(N·Cout·P·K) time (P = To·Ho·Wo, K = Cg·kt·kh·kw); memory O(Kc·Nc) per
  ///   task, or at most 8 MiB (or one tile's K·Nc) of packed blocks when channels are split.
  public static func conv3d(
    _ x: Tensor<Float>, weight: Tensor<Float>, bias: Tensor<Float>?, geometry: Conv3DGeometry
  ) -> Tensor<Float> {
    conv3d(x, weight: weight, bias: bias, geometry: geometry, isa: .selected)
  }

  /// `conv3d` on a given instruction-set level (tests run every level the machine supports).
  package static func conv3d(
    _ x: Tensor<Float>, weight: Tensor<Float>, bias: Tensor<Float>?, geometry: Conv3DGeometry, isa: FastISA
  ) -> Tensor<Float> {
    let outShape = geometry.checkedOutputShape(input: x.shape, weight: weight.shape)
    if let bias {
      precondition(
        bias.shape == [weight.shape[0]],
        "conv3d: bias \(Shape.describe(bias.shape)) must be [Cout] for weight \(Shape.describe(weight.shape))")
    }
    // Empty tensors (N = 0 or Cin/g = 0): nothing to multiply; the literal loops handle them.
    if x.count == 0 || weight.count == 0 { return Literal.conv3d(x, weight: weight, bias: bias, geometry: geometry) }
    let L = FastConvLayout(input: x.shape, weight: weight.shape, output: outShape, geometry: geometry)
    let bl = isa.blocking
    let (mr, nr, kc, mc, nc) = (Int(bl.mr), Int(bl.nr), Int(bl.kc), Int(bl.mc), Int(bl.nc))
    let (K, P, Og) = (L.reduction, L.positions, L.outPerGroup)
    let panels = ceilDiv(Og, mr)
    // AVX-512 only: there a 16-column half tile costs ~0.7 of a full one whatever its width.
    let narrowColumns = isa == .avx512 ? VIDATTR_NARROW_COLUMNS_MAX : 0
    // Tiles: balanced, ≥ 2·`fastConvTargetTasks` (n, g, tile) units when tiles of ≥ 128
    // positions allow; otherwise (late layers) the output channels are split instead.
    let tiles = L.positionTiles(
      maxSize: nc, minCount: ceilDiv(2 * fastConvTargetTasks, L.batch * L.groups), minSize: 128, align: nr)
    let units = L.batch * L.groups * tiles.count
    let biasScalars: [Float]? = bias?.scalars
    let y = uninitializedFloats(Shape.elementCount(outShape)) { yp in
      let out = UncheckedSendable(yp)
      x.withUnsafeBufferPointer { xb in
        let xs = UncheckedSendable(xb.baseAddress!)
        weight.withUnsafeBufferPointer { wb in
          let ws = UncheckedSendable(wb.baseAddress!)
          withOptionalPointer(biasScalars) { biasPointer in
            let bs = UncheckedSendable(biasPointer)
            // A last panel of at most `narrowColumns` positions (always the last P mod NR
            // positions: tiles start at multiples of NR) is computed as dot products over the
            // whole reduction, from its columns gathered into `narrowStride` floats per tile
            // as the blocks are packed; the rest of the tile in register tiles, block by block.
            func narrowCount(_ tile: Range<Int>) -> Int {
              let tail = tile.count % nr
              return tail >= 1 && tail <= narrowColumns ? tail : 0
            }
            let narrowStride = K * narrowColumns
            // Output rows `rowPanels` of group g for the wide part of `tile`, with the im2col
            // block of reduction rows k0 ..< k0 + depth packed in `packedB`; W_g is read in
            // place (row-major, Og×K). The block's narrow columns, if any, are copied to
            // `narrow` (column j at narrow + j·K + k0) by `gatherNarrow`.
            func multiply(
              _ n: Int, _ g: Int, _ rowPanels: Range<Int>, _ tile: Range<Int>, _ k0: Int, _ depth: Int,
              _ packedB: UnsafePointer<Float>
            ) {
              let row0 = rowPanels.lowerBound * mr
              let rows = min(Og - row0, rowPanels.count * mr)
              let wide = tile.count - narrowCount(tile)
              guard wide > 0 else { return }
              vidattr_gemm(
                isa.rawValue, rows, wide, depth, ws.value + (g * Og + row0) * K + k0, K, 1, packedB, depth * nr,
                out.value + L.outputOffset(n, g, row: row0) + tile.lowerBound, P, 1, k0 > 0 ? 1 : 0,
                k0 == 0 ? bs.value.map { $0 + g * Og + row0 } : nil)
            }
            func gatherNarrow(
              _ tile: Range<Int>, _ k0: Int, _ depth: Int, _ packedB: UnsafePointer<Float>,
              _ narrow: UnsafeMutablePointer<Float>
            ) {
              let count = narrowCount(tile)
              guard count > 0 else { return }
              let wide = tile.count - count
              vidattr_copy_panel_columns(packedB + (wide / nr) * depth * nr, Int32(nr), depth, count, narrow + k0, K)
            }
            func multiplyNarrow(
              _ n: Int, _ g: Int, _ rowPanels: Range<Int>, _ tile: Range<Int>, _ narrow: UnsafePointer<Float>
            ) {
              let count = narrowCount(tile)
              guard count > 0 else { return }
              let row0 = rowPanels.lowerBound * mr
              let rows = min(Og - row0, rowPanels.count * mr)
              let handled = vidattr_gemm_narrow_columns(
                isa.rawValue, rows, count, K, ws.value + (g * Og + row0) * K, K, narrow,
                out.value + L.outputOffset(n, g, row: row0) + tile.upperBound - count, P, 0,
                bs.value.map { $0 + g * Og + row0 })
              precondition(handled == 1, "conv3d: the narrow-column kernel refused \(count) columns")
            }
            if units >= 2 * fastConvTargetTasks {
              // Many position tiles: one task per (n, g, tile), each packing its own blocks.
              let rowGroups = evenChunks(panels, parts: ceilDiv(Og, mc))
              parallelFor(units) { u in
                let (ng, tile) = (u / tiles.count, tiles[u % tiles.count])
                let (n, g) = (ng / L.groups, ng % L.groups)
                let blockFloats = kc * ceilDiv(tile.count, nr) * nr
                withScratch(blockFloats + (narrowCount(tile) > 0 ? narrowStride : 0)) { packedB in
                  let narrow = packedB + blockFloats
                  for k0 in stride(from: 0, to: K, by: kc) {
                    let depth = min(kc, K - k0)
                    L.packIm2col(isa, xs.value + L.inputOffset(n, g), k0, depth, tile, nr: nr, packedB)
                    gatherNarrow(tile, k0, depth, packedB, narrow)
                    for rowPanels in rowGroups { multiply(n, g, rowPanels, tile, k0, depth, packedB) }
                  }
                  multiplyNarrow(n, g, 0..<panels, tile, narrow)
                }
              }
            } else {
              // Few position tiles (late layers): pack the im2col blocks of a batch of units
              // once, in parallel over (unit, Kc block), then split the output channels across
              // tasks. Batches hold at most 2²¹ packed floats (8 MiB) — about K·Nc for the
              // largest layers — so memory stays bounded whatever P.
              let kBlocks = ceilDiv(K, kc)
              let blockStride = kc * ceilDiv(tiles.map(\.count).max() ?? 0, nr) * nr
              let unitStride = kBlocks * blockStride + narrowStride
              let perBatch = max(1, min(units, (1 << 21) / max(1, unitStride)))
              for first in stride(from: 0, to: units, by: perBatch) {
                let batch = first..<min(units, first + perBatch)
                let rowGroups = evenChunks(
                  panels, parts: max(ceilDiv(Og, mc), min(panels, ceilDiv(2 * fastConvTargetTasks, batch.count))))
                withScratch(batch.count * unitStride) { packedB in
                  let bShared = UncheckedSendable(packedB)
                  // Block kb of unit b's packed im2col blocks; block(b, kBlocks) is its narrow-column buffer.
                  func block(_ b: Int, _ kb: Int) -> UnsafeMutablePointer<Float> {
                    bShared.value + b * unitStride + kb * blockStride
                  }
                  parallelFor(batch.count * kBlocks) { job in
                    let (b, kb) = (job / kBlocks, job % kBlocks)
                    let u = batch.lowerBound + b
                    let (ng, tile) = (u / tiles.count, tiles[u % tiles.count])
                    let (k0, depth) = (kb * kc, min(kc, K - kb * kc))
                    L.packIm2col(
                      isa, xs.value + L.inputOffset(ng / L.groups, ng % L.groups), k0, depth, tile, nr: nr, block(b, kb))
                    gatherNarrow(tile, k0, depth, block(b, kb), block(b, kBlocks))
                  }
                  parallelFor(batch.count * rowGroups.count) { job in
                    let (b, r) = (job / rowGroups.count, job % rowGroups.count)
                    let u = batch.lowerBound + b
                    let (ng, tile) = (u / tiles.count, tiles[u % tiles.count])
                    for kb in 0..<kBlocks {
                      let k0 = kb * kc
                      multiply(ng / L.groups, ng % L.groups, rowGroups[r], tile, k0, min(kc, K - k0), block(b, kb))
                    }
                    multiplyNarrow(ng / L.groups, ng % L.groups, rowGroups[r], tile, block(b, kBlocks))
                  }
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: outShape, scalars: y)
  }
}

/// Calls `body` with a pointer to the array's elements, or nil for a nil array.
@inline(__always)
func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
  guard let array else { return body(nil) }
  return array.withUnsafeBufferPointer { body($0.baseAddress) }
}
