import CMicroKernels
import TensorCore

// Dimensions and the im2col matrix B[K×P] as in Conv3D+FastLayout.swift. Per batch element n and
// group g the backward passes are the GEMMs
//   input:  D[K×P] = W_g[Og×K]ᵀ · dY_g[Og×P], then dx += col2im(D)   (scatter-add)
//   weight: dW_g[Og×K] += dY_g[Og×P] · B[K×P]ᵀ
// and the bias gradient is a row sum of dY. Temporal and point-wise kernels (1×1 along H, W)
// use gather forms without im2col instead: per input frame, dx = Σ_taps Wᵀ·dY(shifted frame);
// and dW_gᵀ = X·dYᵀ with X read in place.

extension Fast {
  /// Equals `Literal.conv3dBackwardInput` (gradient of `conv3d` with respect to its input).
  ///
  /// Shapes: dy N×Cout×To×Ho×Wo, weight Cout×Cg×kt×kh×kw, result `inputShape` (N×Cin×T×H×W),
  /// as `Literal.conv3dBackwardInput`:
  ///
  ///     dx[n, g·Cg + c, t·sₜ − pₜ + i·dₜ, h·s_h − p_h + j·d_h, w·s_w − p_w + l·d_w]
  ///         += w[o, c, i, j, l] · dy[n, o, t, h, w]
  ///
  /// over every output element and tap (g = o / Og), skipping terms that read padding.
  ///
  /// Organisation: a dispatcher over two strategies on the C micro-kernels, both writing every
  /// dx element from one task in an order set by the shape alone, so the result does not depend
  /// on the thread count:
  /// - `backwardInputByFrames` for kernels 1×1 along H and W with stride 1 and no padding there
  ///   (`FastConvLayout.rowsAreContiguous`: temporal and point-wise convolutions) — a gather
  ///   GEMM per input frame, without col2im;
  /// - `backwardInputByCol2im` for every other kernel — D = W_gᵀ·dY_g, then the col2im
  ///   scatter-add of D into dx.
  ///
  /// Empty tensors go to `Literal.conv3dBackwardInput`.
  ///
  /// - Precondition: dy has the output shape of `conv3d` for `inputShape`, the weight and the
  ///   geometry (messages name the shapes).
  /// - Complexity: O(N·Cout·P·K) time (P = To·Ho·Wo, K = Cg·kt·kh·kw); memory: see each strategy.
  public static func conv3dBackwardInput(
    _ dy: Tensor<Float>, weight: Tensor<Float>, inputShape: [Int], geometry: Conv3DGeometry
  ) -> Tensor<Float> {
    conv3dBackwardInput(dy, weight: weight, inputShape: inputShape, geometry: geometry, isa: .selected)
  }

  /// `conv3dBackwardInput` on a given instruction-set level: checks the shapes, then
  /// dispatches to `backwardInputByFrames` or `backwardInputByCol2im`.
  package static func conv3dBackwardInput(
    _ dy: Tensor<Float>, weight: Tensor<Float>, inputShape: [Int], geometry: Conv3DGeometry, isa: FastISA
  ) -> Tensor<Float> {
    let outShape = geometry.checkedOutputShape(input: inputShape, weight: weight.shape)
    precondition(
      dy.shape == outShape,
      "conv3dBackwardInput: dy \(Shape.describe(dy.shape)) must be \(Shape.describe(outShape)) for input "
        + "\(Shape.describe(inputShape)), weight \(Shape.describe(weight.shape)), \(geometry)")
    if dy.count == 0 || weight.count == 0 {
      return Literal.conv3dBackwardInput(dy, weight: weight, inputShape: inputShape, geometry: geometry)
    }
    let layout = FastConvLayout(input: inputShape, weight: weight.shape, output: outShape, geometry: geometry)
    if layout.rowsAreContiguous { return backwardInputByFrames(dy, weight: weight, layout: layout, isa: isa) }
    return backwardInputByCol2im(dy, weight: weight, layout: layout, isa: isa)
  }

  /// `conv3dBackwardInput` for a general kernel, through the im2col matrix: per (n, g) the GEMM
  /// D[K×P] = W_g[Og×K]ᵀ · dY_g[Og×P] (W_gᵀ read in place; dY packed once in NR-column panels,
  /// shared by all tasks), one tile of ≤ Nc output positions at a time, followed by the col2im
  /// scatter-add of D into dx (`vidattr_conv_col2im_add`, the adjoint of the im2col gather);
  /// D is never larger than (rows of one task)×Nc.
  ///
  /// Tasks own disjoint parts of dx: a block of input channels (all kernel taps of those
  /// channels, hence their K rows of D) and, when there are fewer than `fastConvTargetTasks`
  /// such blocks (the first layer has 3 input channels), a slab of input frames, for which only
  /// the tiles whose windows reach the slab are computed, in tile order. Every dx element
  /// receives its terms from one task, in an order set by the shape alone.
  ///
  /// - Complexity: O(N·Cout·P·K) time, plus O(P·K) for the scatter; memory: one packed copy of
  ///   dy, and O(rows·Nc) per task.
  private static func backwardInputByCol2im(
    _ dy: Tensor<Float>, weight: Tensor<Float>, layout L: FastConvLayout, isa: FastISA
  ) -> Tensor<Float> {
    let bl = isa.blocking
    let (nr, kc, mc, nc) = (Int(bl.nr), Int(bl.kc), Int(bl.mc), Int(bl.nc))
    let (K, P, Og, kvol) = (L.reduction, L.positions, L.outPerGroup, L.kernelVolume)
    let (T, st, pt, dt, kt) = (L.slab.t, L.slab.st, L.slab.pt, L.slab.dt, L.slab.kt)
    let outT = L.slab.ot, frame = L.slab.oh * L.slab.ow

    // Channel blocks: at most Mc rows of D each, and at least `fastConvTargetTasks` tasks
    // overall when the channels allow; then frame slabs if still short of tasks.
    let wanted = max(ceilDiv(K, mc), min(L.inPerGroup, ceilDiv(fastConvTargetTasks, L.batch * L.groups)))
    let channelBlocks = evenChunks(L.inPerGroup, parts: wanted)
    let perSlab = L.batch * L.groups * channelBlocks.count
    let slabs = evenChunks(T, parts: perSlab >= fastConvTargetTasks ? 1 : min(T, ceilDiv(fastConvTargetTasks, perSlab)))
    let tasks = perSlab * slabs.count

    // dY is packed once (NR-column panels per position tile and Kc block of output channels,
    // about the size of dy) and shared by every channel block and slab.
    let tileCount = ceilDiv(P, nc), tileSize = ceilDiv(ceilDiv(P, tileCount), nr) * nr
    let tiles = stride(from: 0, to: P, by: tileSize).map { $0..<min($0 + tileSize, P) }
    let region = Og * tileSize  // floats per (n, g, tile)

    var dx = [Float](repeating: 0, count: Shape.elementCount(L.inputShape))
    dx.withUnsafeMutableBufferPointer { dxb in
      let dxs = UncheckedSendable(dxb.baseAddress!)
      dy.withUnsafeBufferPointer { dyb in
        let dys = UncheckedSendable(dyb.baseAddress!)
        weight.withUnsafeBufferPointer { wb in
          let ws = UncheckedSendable(wb.baseAddress!)
          withScratch(L.batch * L.groups * tiles.count * region) { packedAll in
            let packed = UncheckedSendable(packedAll)
            parallelFor(L.batch * L.groups * tiles.count) { u in
              let (ng, tile) = (u / tiles.count, tiles[u % tiles.count])
              let (n, g) = (ng / L.groups, ng % L.groups)
              let npad = ceilDiv(tile.count, nr) * nr
              for o0 in stride(from: 0, to: Og, by: kc) {
                vidattr_pack_b(
                  isa.rawValue, dys.value + L.outputOffset(n, g, row: o0) + tile.lowerBound, P, 1, min(kc, Og - o0),
                  tile.count, Int32(nr), packed.value + u * region + o0 * npad)
              }
            }
            parallelFor(tasks) { task in
              let slab = slabs[task % slabs.count]
              let rest = task / slabs.count
              let channels = channelBlocks[rest % channelBlocks.count]
              let ng = rest / channelBlocks.count
              let (n, g) = (ng / L.groups, ng % L.groups)
              // Output frames whose windows read a frame in the slab: tₒ·sₜ − pₜ + i·dₜ ∈ slab.
              let firstT = max(0, -floorDiv(-(slab.lowerBound + pt - (kt - 1) * dt), st))
              let lastT = min(outT - 1, floorDiv(slab.upperBound - 1 + pt, st))
              let pBegin = min(firstT, outT) * frame, pEnd = max(lastT + 1, firstT) * frame
              guard pEnd > pBegin, !channels.isEmpty else { return }
              let k0 = channels.lowerBound * kvol, rows = channels.count * kvol
              var geometry = L.slab
              withScratch(rows * tileSize) { columns in
                // Whole tiles meeting the slab's positions, in order (so the order in which a dx
                // element receives its terms does not depend on the slabs).
                for (index, tile) in tiles.enumerated() where tile.upperBound > pBegin && tile.lowerBound < pEnd {
                  let np = tile.count, npad = ceilDiv(np, nr) * nr
                  let block = packed.value + (ng * tiles.count + index) * region
                  for o0 in stride(from: 0, to: Og, by: kc) {
                    let depth = min(kc, Og - o0)
                    // Wᵀ read in place (k-major): element (r, o) = w[g·Og + o0 + o, k0 + r].
                    vidattr_gemm(
                      isa.rawValue, rows, np, depth, ws.value + (g * Og + o0) * K + k0, 1, K, block + o0 * npad,
                      depth * nr, columns, np, 1, o0 > 0 ? 1 : 0, nil)
                  }
                  vidattr_conv_col2im_add(
                    isa.rawValue, &geometry, columns, np, k0, rows, tile.lowerBound, np,
                    slab.lowerBound, slab.upperBound, dxs.value + L.inputOffset(n, g))
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: L.inputShape, scalars: dx)
  }

  /// `conv3dBackwardInput` (equal to `Literal.conv3dBackwardInput`) for a kernel 1×1 along H
  /// and W with stride 1 and no padding there (`FastConvLayout.rowsAreContiguous`: temporal
  /// and point-wise convolutions; the dispatcher picks it for every such kernel), in gather
  /// form, without col2im: for each input frame t,
  ///
  ///     dx[n, g·Cg + c, t, ·] = Σ_i Σ_o w[g·Og + o, c, i] · dy[n, g·Og + o, tₒ(t, i), ·]
  ///
  /// over the taps i with tₒ(t, i) = (t + pₜ − i·dₜ)/sₜ an integer in 0 ..< To — a GEMM per
  /// frame (rows c, columns H·W), the weight read in place (row stride kt, reduction stride
  /// K), rows of dy packed by row copies. A frame no window reads (stride larger than the
  /// kernel) gets 0. Tasks are (n, g, frame, tile of ≤ Nc pixels, group of channel panels).
  /// Each dx element is written by one task, its terms added in the order (i, o), so the
  /// result does not depend on the thread count.
  ///
  /// - Complexity: O(N·Cout·P·Cg·kt) time; memory Kc·Nc packed floats per task.
  private static func backwardInputByFrames(
    _ dy: Tensor<Float>, weight: Tensor<Float>, layout L: FastConvLayout, isa: FastISA
  ) -> Tensor<Float> {
    let bl = isa.blocking
    let (mr, nr, kc, mc, nc) = (Int(bl.mr), Int(bl.nr), Int(bl.kc), Int(bl.mc), Int(bl.nc))
    let (K, Cg, Og) = (L.reduction, L.inPerGroup, L.outPerGroup)
    let g0 = L.slab
    let (T, To, frame, kt) = (g0.t, g0.ot, g0.oh * g0.ow, g0.kt)
    let tileSize = ceilDiv(ceilDiv(frame, ceilDiv(frame, nc)), nr) * nr
    let frameTiles = stride(from: 0, to: frame, by: tileSize).map { $0..<min($0 + tileSize, frame) }
    let units = L.batch * L.groups * T * frameTiles.count
    let panels = ceilDiv(Cg, mr)
    let rowGroups = evenChunks(
      panels,
      parts: units >= fastConvTargetTasks
        ? ceilDiv(Cg, mc) : max(ceilDiv(Cg, mc), min(panels, ceilDiv(fastConvTargetTasks, units))))
    let dx = uninitializedFloats(L.batch * L.inChannels * L.inputVolume) { dxp in
      let out = UncheckedSendable(dxp)
      dy.withUnsafeBufferPointer { dyb in
        let dys = UncheckedSendable(dyb.baseAddress!)
        weight.withUnsafeBufferPointer { wb in
          let ws = UncheckedSendable(wb.baseAddress!)
          parallelFor(units * rowGroups.count) { task in
            let rowPanels = rowGroups[task % rowGroups.count]
            var rest = task / rowGroups.count
            let tile = frameTiles[rest % frameTiles.count]
            rest /= frameTiles.count
            let t = rest % T
            let ng = rest / T
            let (n, g) = (ng / L.groups, ng % L.groups)
            let c0 = rowPanels.lowerBound * mr, rows = min(Cg - c0, rowPanels.count * mr)
            let c = out.value + L.inputOffset(n, g) + c0 * L.inputVolume + t * frame + tile.lowerBound
            var first = true
            withScratch(kc * ceilDiv(tile.count, nr) * nr) { packed in
              withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: kc) { dyRows in
                for i in 0..<kt {
                  let shifted = t + g0.pt - i * g0.dt
                  guard shifted >= 0, shifted % g0.st == 0, shifted / g0.st < To else { continue }
                  let to = shifted / g0.st
                  for o0 in stride(from: 0, to: Og, by: kc) {
                    let depth = min(kc, Og - o0)
                    for o in 0..<depth {
                      dyRows[o] = UnsafePointer(
                        dys.value + L.outputOffset(n, g, row: o0 + o) + to * frame + tile.lowerBound)
                    }
                    vidattr_pack_b_rows(isa.rawValue, dyRows.baseAddress, depth, tile.count, Int32(nr), packed)
                    // A(c, o) = w[g·Og + o0 + o, c0 + c, i]: row stride kt, reduction stride K.
                    vidattr_gemm(
                      isa.rawValue, rows, tile.count, depth, ws.value + (g * Og + o0) * K + c0 * kt + i, kt, K,
                      packed, depth * nr, c, L.inputVolume, 1, first ? 0 : 1, nil)
                    first = false
                  }
                }
              }
            }
            if first {
              // No output frame reads frame t (stride larger than the kernel): its gradient is 0.
              for r in 0..<rows { (c + r * L.inputVolume).update(repeating: 0, count: tile.count) }
            }
          }
        }
      }
    }
    return Tensor(shape: [L.batch, L.inChannels, g0.t, g0.h, g0.w], scalars: dx)
  }

  /// Equals `Literal.conv3dBackwardWeight` (gradient of `conv3d` with respect to its weight).
  ///
  /// Shapes: dy N×Cout×To×Ho×Wo, x N×Cin×T×H×W, result `weightShape` (Cout×Cg×kt×kh×kw), as
  /// `Literal.conv3dBackwardWeight`:
  ///
  ///     dw[o, c, i, j, l] = Σ_{n, t, h, w} dy[n, o, t, h, w]
  ///                         · x[n, g·Cg + c, t·sₜ − pₜ + i·dₜ, h·s_h − p_h + j·d_h, w·s_w − p_w + l·d_w]
  ///
  /// with g = o / Og and x = 0 in the padding.
  ///
  /// Organisation: a dispatcher over two strategies on the C micro-kernels, both reducing over
  /// positions in a FIXED number of chunks set by the shape (partials added in chunk order),
  /// so the result does not depend on the thread count:
  /// - `backwardWeightByFrames` for kernels 1×1 along H and W with stride 1 and no padding
  ///   there (`FastConvLayout.rowsAreContiguous`) on at least 1024 positions (N·P) — the
  ///   transposed form dW_gᵀ = X·dY_gᵀ with X read in place; with fewer positions (late
  ///   layers) its partial-gradient traffic costs more than the im2col packing it saves;
  /// - `backwardWeightByIm2col` for every other case — dW_g = dY_g·Bᵀ.
  ///
  /// Empty tensors go to `Literal.conv3dBackwardWeight`.
  ///
  /// - Precondition: dy has the output shape of `conv3d` for the input, `weightShape` and the
  ///   geometry (messages name the shapes).
  /// - Complexity: O(N·Cout·P·K) time; memory: see each strategy.
  public static func conv3dBackwardWeight(
    _ dy: Tensor<Float>, input: Tensor<Float>, weightShape: [Int], geometry: Conv3DGeometry
  ) -> Tensor<Float> {
    conv3dBackwardWeight(dy, input: input, weightShape: weightShape, geometry: geometry, isa: .selected)
  }

  /// `conv3dBackwardWeight` on a given instruction-set level: checks the shapes, then
  /// dispatches to `backwardWeightByFrames` or `backwardWeightByIm2col`.
  package static func conv3dBackwardWeight(
    _ dy: Tensor<Float>, input: Tensor<Float>, weightShape: [Int], geometry: Conv3DGeometry, isa: FastISA
  ) -> Tensor<Float> {
    let outShape = geometry.checkedOutputShape(input: input.shape, weight: weightShape)
    precondition(
      dy.shape == outShape,
      "conv3dBackwardWeight: dy \(Shape.describe(dy.shape)) must be \(Shape.describe(outShape)) for input "
        + "\(Shape.describe(input.shape)), weight \(Shape.describe(weightShape)), \(geometry)")
    if dy.count == 0 || Shape.elementCount(weightShape) == 0 {
      return Literal.conv3dBackwardWeight(dy, input: input, weightShape: weightShape, geometry: geometry)
    }
    let layout = FastConvLayout(input: input.shape, weight: weightShape, output: outShape, geometry: geometry)
    if layout.rowsAreContiguous && layout.batch * layout.positions >= 1024 {
      return backwardWeightByFrames(dy, input: input, layout: layout, isa: isa)
    }
    return backwardWeightByIm2col(dy, input: input, layout: layout, isa: isa)
  }

  /// `conv3dBackwardWeight` for a general kernel (and for temporal and point-wise kernels on
  /// fewer than 1024 positions), through the im2col matrix: per group the GEMM
  /// dW_g[Og×K] = Σ_n dY_g[Og×P] · B[K×P]ᵀ, reducing over output positions and the batch, with
  /// dY read in place and blocks of Bᵀ gathered from x into NR-column panels
  /// (`vidattr_conv_pack_im2col_transposed`; on AVX-512 a row-major gather then 16×16 register
  /// transposes; the im2col matrix is never stored whole).
  ///
  /// Tasks own tiles of dW (≤ Mc output channels × ≤ Nc columns of K); when there are fewer
  /// than `fastConvTargetTasks` tiles (small layers, for example the first), the positions are
  /// also split into a FIXED number of chunks set by the shape (≥ 1024 positions each, at most
  /// 64 Mi floats of partials), each chunk's partial dW is computed by its own task, and the
  /// partials are added in chunk order.
  ///
  /// - Complexity: O(N·Cout·P·K) time; memory O(Kc·Nc) per task, plus one partial weight
  ///   gradient per chunk when positions are chunked (only for small weights).
  private static func backwardWeightByIm2col(
    _ dy: Tensor<Float>, input: Tensor<Float>, layout L: FastConvLayout, isa: FastISA
  ) -> Tensor<Float> {
    let bl = isa.blocking
    let (mr, nr, kc, mc, nc) = (Int(bl.mr), Int(bl.nr), Int(bl.kc), Int(bl.mc), Int(bl.nc))
    let (K, P, Og) = (L.reduction, L.positions, L.outPerGroup)
    let weightCount = Shape.elementCount(L.weightShape)
    let panels = ceilDiv(Og, mr)
    let rowGroups = evenChunks(panels, parts: ceilDiv(Og, mc))
    let columnTiles = ceilDiv(K, nc)
    let tiles = L.groups * rowGroups.count * columnTiles
    // Position chunks: only when the tiles alone cannot keep eight tasks busy; at least 1024
    // positions each, and at most 64 Mi floats of partial gradients.
    var chunkCount = 1
    if tiles < fastConvTargetTasks {
      chunkCount = min(ceilDiv(fastConvTargetTasks, tiles), max(1, P / 1024), max(1, (1 << 26) / weightCount))
    }
    let chunks = evenChunks(P, parts: chunkCount)

    let dw = uninitializedFloats(weightCount) { dwp in
      let out = UncheckedSendable(dwp)
      withScratch(chunks.count > 1 ? chunks.count * weightCount : 0) { partials in
        let partial = UncheckedSendable(partials)
        dy.withUnsafeBufferPointer { dyb in
          let dys = UncheckedSendable(dyb.baseAddress!)
          input.withUnsafeBufferPointer { xb in
            let xs = UncheckedSendable(xb.baseAddress!)
            parallelFor(tiles * chunks.count) { task in
              let chunk = chunks[task % chunks.count]
              var rest = task / chunks.count
              let ct = rest % columnTiles
              rest /= columnTiles
              let rowPanels = rowGroups[rest % rowGroups.count]
              let g = rest / rowGroups.count
              let row0 = rowPanels.lowerBound * mr, rows = min(Og - row0, rowPanels.count * mr)
              let k0 = ct * nc, cols = min(nc, K - k0)
              let target = chunks.count > 1 ? partial.value + (task % chunks.count) * weightCount : out.value
              let c = target + (g * Og + row0) * K + k0
              guard !chunk.isEmpty else {
                for r in 0..<rows { (c + r * K).update(repeating: 0, count: cols) }
                return
              }
              var geometry = L.slab
              withScratch(kc * ceilDiv(cols, nr) * nr + kc * cols) { packedX in
                var first = true
                for n in 0..<L.batch {
                  for p0 in stride(from: chunk.lowerBound, to: chunk.upperBound, by: kc) {
                    let depth = min(kc, chunk.upperBound - p0)
                    vidattr_conv_pack_im2col_transposed(
                      isa.rawValue, &geometry, xs.value + L.inputOffset(n, g), p0, depth, k0, cols, Int32(nr), packedX,
                      packedX + kc * ceilDiv(cols, nr) * nr)
                    // dY read in place (row-major, rows of P positions).
                    vidattr_gemm(
                      isa.rawValue, rows, cols, depth, dys.value + L.outputOffset(n, g, row: row0) + p0, P, 1,
                      packedX, depth * nr, c, K, 1, first ? 0 : 1, nil)
                    first = false
                  }
                }
              }
            }
            if chunks.count > 1 {
              // Partials added in chunk order, element by element.
              let ranges = evenChunks(weightCount, parts: ceilDiv(weightCount, 1 << 14))
              parallelFor(ranges.count) { r in
                for i in ranges[r] {
                  var sum = partial.value[i]
                  for chunk in 1..<chunks.count { sum += partial.value[chunk * weightCount + i] }
                  out.value[i] = sum
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: L.weightShape, scalars: dw)
  }

  /// `conv3dBackwardWeight` (equal to `Literal.conv3dBackwardWeight`) for a kernel 1×1 along
  /// H and W with stride 1 and no padding there (`FastConvLayout.rowsAreContiguous`), which the
  /// dispatcher picks when N·P ≥ 1024: per group, dW_gᵀ = X·dY_gᵀ reduced over positions in
  /// blocks of Kc: one packed block of dYᵀ (positions × Og, dy rows are contiguous across
  /// frames) serves all K = Cg·kt rows, and for tap i the rows c of X are input frames
  /// tᵢ = tₒ·sₜ − pₜ + i·dₜ of channel c — read in place (row stride T·H·W) when sₜ = 1 and
  /// the block reads no temporal padding, else copied into a row-major block with zeros for
  /// the padding. The only packing that scales with the work is of dY, reused K times
  /// (against Og times for im2col packing in the other orientation).
  ///
  /// Positions (with the batch) are split into a FIXED number of chunks set by the shape (at
  /// least 1024 positions each, at most `fastConvTargetTasks`), whose partial gradients are
  /// added in chunk order; when that gives fewer than `fastConvTargetTasks` tasks, the input
  /// channels are split too. Each task owns its rows of its chunk's partial, so the result
  /// does not depend on the thread count.
  ///
  /// - Complexity: O(N·Cout·P·Cg·kt) time; memory one partial gradient per chunk, plus
  ///   Kc·(Og + rows) floats per task.
  private static func backwardWeightByFrames(
    _ dy: Tensor<Float>, input: Tensor<Float>, layout L: FastConvLayout, isa: FastISA
  ) -> Tensor<Float> {
    let bl = isa.blocking
    let (mr, nr, kc) = (Int(bl.mr), Int(bl.nr), Int(bl.kc))
    let (K, Cg, Og, P) = (L.reduction, L.inPerGroup, L.outPerGroup, L.positions)
    let g0 = L.slab
    let (T, frame, kt, volume) = (g0.t, g0.oh * g0.ow, g0.kt, L.inputVolume)
    let weightCount = L.outChannels * K
    // Chunks of the flattened (n, position) range, at least 1024 positions each.
    let chunkCount = min(fastConvTargetTasks, max(1, L.batch * P / 1024), max(1, (1 << 24) / max(1, weightCount)))
    let chunks = evenChunks(L.batch * P, parts: chunkCount)
    let panels = ceilDiv(Cg, mr)
    let channelGroups = evenChunks(panels, parts: min(panels, ceilDiv(fastConvTargetTasks, chunks.count * L.groups)))
    // Partial gradient of chunk u, group g, laid out [g][i][c][o] (Cg×Og per tap).
    let partialCount = L.groups * kt * Cg * Og
    let dw = uninitializedFloats(weightCount) { dwp in
      let out = UncheckedSendable(dwp)
      withScratch(chunks.count * partialCount) { partials in
        let partial = UncheckedSendable(partials)
        dy.withUnsafeBufferPointer { dyb in
          let dys = UncheckedSendable(dyb.baseAddress!)
          input.withUnsafeBufferPointer { xb in
            let xs = UncheckedSendable(xb.baseAddress!)
            parallelFor(chunks.count * L.groups * channelGroups.count) { task in
              let cg = channelGroups[task % channelGroups.count]
              let g = (task / channelGroups.count) % L.groups
              let u = task / (channelGroups.count * L.groups)
              let c0 = cg.lowerBound * mr, rows = min(Cg - c0, cg.count * mr)
              let base = partial.value + u * partialCount + g * kt * Cg * Og
              for i in 0..<kt {
                for c in 0..<rows { (base + (i * Cg + c0 + c) * Og).update(repeating: 0, count: Og) }
              }
              withScratch(kc * ceilDiv(Og, nr) * nr + rows * kc) { scratch in
                let packed = scratch, copied = scratch + kc * ceilDiv(Og, nr) * nr
                // Blocks of ≤ Kc positions of one batch element, in order.
                var q = chunks[u].lowerBound
                while q < chunks[u].upperBound {
                  let n = q / P, q0 = q % P
                  let depth = min(kc, chunks[u].upperBound - q, P - q0)
                  q += depth
                  // dYᵀ block: B(q, o) = dy[n, g·Og + o, q0 + q].
                  vidattr_pack_b(
                    isa.rawValue, dys.value + L.outputOffset(n, g) + q0, 1, P, depth, Og, Int32(nr), packed)
                  let x = xs.value + L.inputOffset(n, g) + c0 * volume
                  for i in 0..<kt {
                    // Input frame read at position q0 + e: tₒ·sₜ − pₜ + i·dₜ with tₒ = (q0 + e) / F.
                    let firstT = (q0 / frame) * g0.st - g0.pt + i * g0.dt
                    let lastT = ((q0 + depth - 1) / frame) * g0.st - g0.pt + i * g0.dt
                    if lastT < 0 || firstT >= T { continue }
                    var a: UnsafePointer<Float>, rowStride: Int
                    if g0.st == 1 && firstT >= 0 && lastT < T {
                      a = UnsafePointer(x + (i * g0.dt - g0.pt) * frame + q0)
                      rowStride = volume
                    } else {
                      // Frame by frame into a row-major block, zeros where tᵢ is padding.
                      var e = 0
                      while e < depth {
                        let to = (q0 + e) / frame, hw = (q0 + e) % frame
                        let run = min(depth - e, frame - hw)
                        let ti = to * g0.st - g0.pt + i * g0.dt
                        for c in 0..<rows {
                          let d = copied + c * depth + e
                          if ti >= 0 && ti < T {
                            d.update(from: x + c * volume + ti * frame + hw, count: run)
                          } else {
                            d.update(repeating: 0, count: run)
                          }
                        }
                        e += run
                      }
                      a = UnsafePointer(copied)
                      rowStride = depth
                    }
                    vidattr_gemm(
                      isa.rawValue, rows, Og, depth, a, rowStride, 1, packed, depth * nr, base + (i * Cg + c0) * Og,
                      Og, 1, 1, nil)
                  }
                }
              }
            }
            // dw[g·Og + o, c·kt + i] = Σ over chunks, in order, of partial[u][g][i][c][o].
            let outputRows = evenChunks(L.outChannels, parts: ceilDiv(weightCount, 1 << 14))
            parallelFor(outputRows.count) { r in
              for row in outputRows[r] {
                let (g, o) = (row / Og, row % Og)
                for c in 0..<Cg {
                  for i in 0..<kt {
                    let at = g * kt * Cg * Og + (i * Cg + c) * Og + o
                    var sum = partial.value[at]
                    for u in 1..<max(1, chunks.count) { sum += partial.value[u * partialCount + at] }
                    out.value[row * K + c * kt + i] = sum
                  }
                }
              }
            }
          }
        }
      }
    }
    return Tensor(shape: [L.outChannels, Cg, kt, 1, 1], scalars: dw)
  }

  /// Equals `Literal.conv3dBackwardBias`: db[o] = Σ over n, t, h, w of dy[n, o, t, h, w].
  ///
  /// Organisation: per (n, o) a 16-lane sum in a fixed order (`vidattr_sum`), then the batch
  /// added in order n = 0, 1, …; channels in parallel. Independent of the thread count.
  ///
  /// - Complexity: O(N·Cout·To·Ho·Wo).
  public static func conv3dBackwardBias(_ dy: Tensor<Float>) -> Tensor<Float> {
    precondition(dy.rank == 5, "conv3dBackwardBias: dy \(Shape.describe(dy.shape)) must be N×Cout×To×Ho×Wo")
    let (batch, channels) = (dy.shape[0], dy.shape[1])
    let positions = dy.shape[2] * dy.shape[3] * dy.shape[4]
    let db = uninitializedFloats(channels) { dbp in
      let out = UncheckedSendable(dbp)
      dy.withUnsafeBufferPointer { dyb in
        let dys = UncheckedSendable(dyb.baseAddress)
        let blocks = evenChunks(channels, parts: ceilDiv(channels * batch * positions, 1 << 16))
        parallelFor(blocks.count) { b in
          for o in blocks[b] {
            var sum: Float = 0
            for n in 0..<batch {
              let s = positions == 0 ? 0 : vidattr_sum(dys.value! + (n * channels + o) * positions, positions)
              sum = n == 0 ? s : sum + s
            }
            out.value[o] = sum
          }
        }
      }
    }
    return Tensor(shape: [channels], scalars: db)
  }
}
