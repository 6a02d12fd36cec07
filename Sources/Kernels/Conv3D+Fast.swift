import CMicroKernels
import TensorCore

// Dimensions and the im2col matrix B[K×P] as in Conv3D+FastLayout.swift. The forward pass is,
// per batch element n and group g, the GEMM Y_g[Og×P] = W_g[Og×K]·B[K×P] (+ bias), written
// straight into y (NCTHW is Og×P row-major).

extension Fast {
  /// Equals `Literal.conv3d` (3-D convolution, `torch.nn.Conv3d`), in Float.
  ///
  /// Shapes: x N×Cin×T×H×W, weight Cout×Cg×kt×kh×kw, bias Cout or nil, result
  /// N×Cout×To×Ho×Wo, as `Literal.conv3d`.
  ///
  /// Organisation: implicit-im2col GEMM Y_g = W_g·B on the C micro-kernels of
  /// `FastISA.selected` (AVX-512 8×32, AVX2 6×16 or portable 4×16 register tiles), which read
  /// the weight in place (row-major Og×K; it is never repacked). Output positions are cut into
  /// balanced tiles of at most Nc (`FastConvLayout.positionTiles`); Kc×tile blocks of B are
  /// packed from x into NR-column panels (`FastConvLayout.packIm2col`: the im2col gather, or
  /// row copies for temporal and point-wise kernels) and multiplied into y, the first block
  /// starting from the bias. The dispatcher picks one of two task decompositions:
  /// - `forwardByPositionTiles` when there are at least 2·`fastConvTargetTasks` units
  ///   (n, g, position tile): one task per unit;
  /// - `forwardBySharedBlocks` otherwise (late layers, small P): the blocks are packed once,
  ///   and the output channels are split across tasks.
  ///
  /// On AVX-512 a last panel of at most `VIDATTR_NARROW_COLUMNS_MAX` positions is computed as
  /// dot products along the whole of K (`FastConvForward.multiplyNarrow`). Each output element
  /// is the same chain of operations whatever the tiling, the decomposition and the thread
  /// count. Empty tensors (N = 0 or Cg = 0) go to `Literal.conv3d`.
  ///
  /// - Precondition: shapes as `Literal.conv3d` (messages name them).
  /// - Complexity: O(N·Cout·P·K) time (P = To·Ho·Wo, K = Cg·kt·kh·kw); memory O(Kc·Nc) per
  ///   task, or at most 8 MiB (or one tile's K·Nc) of packed blocks when channels are split.
  public static func conv3d(
    _ x: Tensor<Float>, weight: Tensor<Float>, bias: Tensor<Float>?, geometry: Conv3DGeometry
  ) -> Tensor<Float> {
    conv3d(x, weight: weight, bias: bias, geometry: geometry, isa: .selected)
  }

  /// `conv3d` on a given instruction-set level (tests run every level the machine supports):
  /// checks the shapes, then dispatches to `forwardByPositionTiles` or `forwardBySharedBlocks`.
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
    let layout = FastConvLayout(input: x.shape, weight: weight.shape, output: outShape, geometry: geometry)
    let biasScalars: [Float]? = bias?.scalars
    let y = uninitializedFloats(Shape.elementCount(outShape)) { yp in
      x.withUnsafeBufferPointer { xb in
        weight.withUnsafeBufferPointer { wb in
          withOptionalPointer(biasScalars) { biasPointer in
            let call = FastConvForward(
              layout: layout, isa: isa, x: xb.baseAddress!, weight: wb.baseAddress!, bias: biasPointer, y: yp)
            if call.units >= 2 * fastConvTargetTasks {
              forwardByPositionTiles(call)
            } else {
              forwardBySharedBlocks(call)
            }
          }
        }
      }
    }
    return Tensor(shape: outShape, scalars: y)
  }

  /// `conv3d`'s decomposition for many position tiles (at least 2·`fastConvTargetTasks` units
  /// (n, g, tile): early layers, large P): one task per unit packs its own Kc×tile blocks of
  /// the im2col matrix, one after the other, and multiplies each into all Og output channels of
  /// its group (in row groups of at most Mc), then computes the narrow last panel, if any.
  ///
  /// - Complexity: O(Og·|tile|·K) time per task; memory Kc·|tile| (+ K·8 for the narrow
  ///   columns) per task.
  private static func forwardByPositionTiles(_ call: FastConvForward) {
    let (kc, nr, K) = (call.kc, call.nr, call.layout.reduction)
    let rowGroups = evenChunks(call.rowPanels, parts: ceilDiv(call.layout.outPerGroup, call.mc))
    parallelFor(call.units) { u in
      let (n, g, tile) = call.unit(u)
      let blockFloats = kc * ceilDiv(tile.count, nr) * nr
      withScratch(blockFloats + (call.narrowCount(tile) > 0 ? call.narrowStride : 0)) { packedB in
        let narrow = packedB + blockFloats
        for k0 in stride(from: 0, to: K, by: kc) {
          let depth = min(kc, K - k0)
          call.pack(n, g, k0, depth, tile, packedB)
          call.gatherNarrow(tile, k0, depth, packedB, narrow)
          for rowPanels in rowGroups { call.multiply(n, g, rowPanels, tile, k0, depth, packedB) }
        }
        call.multiplyNarrow(n, g, 0..<call.rowPanels, tile, narrow)
      }
    }
  }

  /// `conv3d`'s decomposition for few position tiles (fewer than 2·`fastConvTargetTasks`
  /// units: late layers, small P): the units are taken in batches whose packed blocks fit in
  /// 2²¹ floats (8 MiB — about K·Nc for the largest layers — so memory stays bounded whatever
  /// P). Per batch, every (unit, Kc block) of the im2col matrix is packed once, in parallel;
  /// then tasks (unit, row group) multiply all blocks of their unit into their output channels,
  /// the row groups chosen so that a batch gives at least 2·`fastConvTargetTasks` tasks when
  /// the channels allow.
  ///
  /// - Complexity: O(N·Cout·P·K) time over all batches; memory at most max(8 MiB, one unit's
  ///   K·|tile|) of packed blocks.
  private static func forwardBySharedBlocks(_ call: FastConvForward) {
    let (kc, nr, K, Og) = (call.kc, call.nr, call.layout.reduction, call.layout.outPerGroup)
    let units = call.units
    let kBlocks = ceilDiv(K, kc)
    let blockStride = kc * ceilDiv(call.tiles.map(\.count).max() ?? 0, nr) * nr
    let unitStride = kBlocks * blockStride + call.narrowStride
    let perBatch = max(1, min(units, (1 << 21) / max(1, unitStride)))
    for first in stride(from: 0, to: units, by: perBatch) {
      let batch = first..<min(units, first + perBatch)
      let rowGroups = evenChunks(
        call.rowPanels,
        parts: max(ceilDiv(Og, call.mc), min(call.rowPanels, ceilDiv(2 * fastConvTargetTasks, batch.count))))
      withScratch(batch.count * unitStride) { packedB in
        // Block kb of unit b's packed im2col blocks; block(b, kBlocks) is its narrow-column buffer.
        func block(_ b: Int, _ kb: Int) -> UnsafeMutablePointer<Float> { packedB + b * unitStride + kb * blockStride }
        parallelFor(batch.count * kBlocks) { job in
          let (b, kb) = (job / kBlocks, job % kBlocks)
          let (n, g, tile) = call.unit(batch.lowerBound + b)
          let (k0, depth) = (kb * kc, min(kc, K - kb * kc))
          call.pack(n, g, k0, depth, tile, block(b, kb))
          call.gatherNarrow(tile, k0, depth, block(b, kb), block(b, kBlocks))
        }
        parallelFor(batch.count * rowGroups.count) { job in
          let (b, r) = (job / rowGroups.count, job % rowGroups.count)
          let (n, g, tile) = call.unit(batch.lowerBound + b)
          for kb in 0..<kBlocks {
            let k0 = kb * kc
            call.multiply(n, g, rowGroups[r], tile, k0, min(kc, K - k0), block(b, kb))
          }
          call.multiplyNarrow(n, g, rowGroups[r], tile, block(b, kBlocks))
        }
      }
    }
  }
}

/// One fast convolution forward call: its operands, blocking and position tiles, and the
/// steps both task decompositions (`Fast.forwardByPositionTiles`, `Fast.forwardBySharedBlocks`)
/// are made of — packing a block, multiplying it into rows of y, and the narrow last panel.
/// Tasks call these steps on disjoint parts of y.
private struct FastConvForward {
  let layout: FastConvLayout
  let isa: FastISA
  let mr, nr, kc, mc: Int
  let x: UnsafePointer<Float>
  /// Row-major Cout×K (per group Og×K), read in place.
  let weight: UnsafePointer<Float>
  let bias: UnsafePointer<Float>?
  let y: UnsafeMutablePointer<Float>
  /// Balanced position tiles of at most Nc positions, aligned to NR, with at least
  /// 2·`fastConvTargetTasks` units (n, g, tile) when tiles of ≥ 128 positions allow.
  let tiles: [Range<Int>]
  /// The widest last panel computed as dot products: `VIDATTR_NARROW_COLUMNS_MAX` on AVX-512,
  /// where a 16-column half tile, bound by its broadcasts of A, costs most of a full one
  /// whatever its width; 0 (never) at other levels.
  let narrowColumns: Int

  init(
    layout: FastConvLayout, isa: FastISA, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>
  ) {
    let bl = isa.blocking
    (mr, nr, kc, mc) = (Int(bl.mr), Int(bl.nr), Int(bl.kc), Int(bl.mc))
    (self.layout, self.isa, self.x, self.weight, self.bias, self.y) = (layout, isa, x, weight, bias, y)
    narrowColumns = isa == .avx512 ? VIDATTR_NARROW_COLUMNS_MAX : 0
    tiles = layout.positionTiles(
      maxSize: Int(bl.nc), minCount: ceilDiv(2 * fastConvTargetTasks, layout.batch * layout.groups), minSize: 128,
      align: nr)
  }

  /// Units (n, g, position tile): N·G·tiles.
  var units: Int { layout.batch * layout.groups * tiles.count }

  /// Row panels of MR output channels per group.
  var rowPanels: Int { ceilDiv(layout.outPerGroup, mr) }

  /// Unit u: batch element n, group g and position tile (tiles vary fastest).
  func unit(_ u: Int) -> (n: Int, g: Int, tile: Range<Int>) {
    let (ng, tile) = (u / tiles.count, tiles[u % tiles.count])
    return (ng / layout.groups, ng % layout.groups, tile)
  }

  /// Positions of `tile`'s narrow last panel: its last |tile| mod NR positions when there are
  /// 1 … `narrowColumns` of them (always the last P mod NR positions: tiles start at multiples
  /// of NR), else 0.
  func narrowCount(_ tile: Range<Int>) -> Int {
    let tail = tile.count % nr
    return tail >= 1 && tail <= narrowColumns ? tail : 0
  }

  /// Floats of one tile's narrow-column buffer: K per narrow column (column j at j·K).
  var narrowStride: Int { layout.reduction * narrowColumns }

  /// Packs rows k0 ..< k0 + depth, positions `tile`, of slab (n, g)'s im2col matrix at `dst`.
  func pack(_ n: Int, _ g: Int, _ k0: Int, _ depth: Int, _ tile: Range<Int>, _ dst: UnsafeMutablePointer<Float>) {
    layout.packIm2col(isa, x + layout.inputOffset(n, g), k0, depth, tile, nr: nr, dst)
  }

  /// y[n, g·Og + rows of `rowPanels`, wide part of `tile`] (+)= W_g[rows, k0 ..< k0 + depth] ·
  /// the block packed in `packedB`: stored when k0 = 0 (starting from the bias), accumulated
  /// after. The narrow last panel, if any, is left to `multiplyNarrow`.
  func multiply(
    _ n: Int, _ g: Int, _ rowPanels: Range<Int>, _ tile: Range<Int>, _ k0: Int, _ depth: Int,
    _ packedB: UnsafePointer<Float>
  ) {
    let (K, P, Og) = (layout.reduction, layout.positions, layout.outPerGroup)
    let row0 = rowPanels.lowerBound * mr
    let rows = min(Og - row0, rowPanels.count * mr)
    let wide = tile.count - narrowCount(tile)
    guard wide > 0 else { return }
    vidattr_gemm(
      isa.rawValue, rows, wide, depth, weight + (g * Og + row0) * K + k0, K, 1, packedB, depth * nr,
      y + layout.outputOffset(n, g, row: row0) + tile.lowerBound, P, 1, k0 > 0 ? 1 : 0,
      k0 == 0 ? bias.map { $0 + g * Og + row0 } : nil)
  }

  /// Copies the narrow columns of the block packed in `packedB` (reduction rows k0 ..< k0 +
  /// depth) into `narrow`, column j at narrow + j·K + k0, so that after the last block
  /// `narrow` holds them over the whole reduction.
  func gatherNarrow(
    _ tile: Range<Int>, _ k0: Int, _ depth: Int, _ packedB: UnsafePointer<Float>, _ narrow: UnsafeMutablePointer<Float>
  ) {
    let count = narrowCount(tile)
    guard count > 0 else { return }
    let wide = tile.count - count
    vidattr_copy_panel_columns(
      packedB + (wide / nr) * depth * nr, Int32(nr), depth, count, narrow + k0, layout.reduction)
  }

  /// y[n, g·Og + rows of `rowPanels`, narrow last panel of `tile`] = bias + W_g·columns, as
  /// dot products over the whole reduction (`vidattr_gemm_narrow_columns`) from the columns
  /// `gatherNarrow` collected in `narrow`.
  func multiplyNarrow(
    _ n: Int, _ g: Int, _ rowPanels: Range<Int>, _ tile: Range<Int>, _ narrow: UnsafePointer<Float>
  ) {
    let count = narrowCount(tile)
    guard count > 0 else { return }
    let (K, P, Og) = (layout.reduction, layout.positions, layout.outPerGroup)
    let row0 = rowPanels.lowerBound * mr
    let rows = min(Og - row0, rowPanels.count * mr)
    let handled = vidattr_gemm_narrow_columns(
      isa.rawValue, rows, count, K, weight + (g * Og + row0) * K, K, narrow,
      y + layout.outputOffset(n, g, row: row0) + tile.upperBound - count, P, 0,
      bias.map { $0 + g * Og + row0 })
    precondition(handled == 1, "conv3d: the narrow-column kernel refused \(count) columns")
  }
}

/// Calls `body` with a pointer to the array's elements, or nil for a nil array.
@inline(__always)
func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
  guard let array else { return body(nil) }
  return array.withUnsafeBufferPointer { body($0.baseAddress) }
}
