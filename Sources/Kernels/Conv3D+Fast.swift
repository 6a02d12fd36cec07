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
}

/// How many independent tasks the fast convolution drivers aim for: enough to balance two to
/// eight threads, and fixed by the shape alone so that results never depend on thread count.
let fastConvTargetTasks = 8

extension Fast {
  /// Equals `Literal.conv3d` (3-D convolution, `torch.nn.Conv3d`), in Float.
  ///
  /// Organisation: implicit-im2col GEMM on the C micro-kernels of `FastISA.selected`
  /// (AVX-512 12×32, AVX2 6×16 or portable 4×16 register tiles), which read the weight in
  /// place (row-major Og×K; it is never repacked). Output positions are cut into tiles of Nc; per tile, Kc×Nc blocks of the
  /// im2col matrix are gathered from x into NR-column panels (stride, padding and dilation
  /// handled while gathering; the im2col matrix is never stored whole) and multiplied into
  /// y, the first block starting from the bias. Tasks (n, g, position tile) run under
  /// `parallelFor`; when there are fewer than eight (late layers: small P), each tile's
  /// im2col block is packed once in parallel and the output channels are split instead.
  /// Each output element is the same operation chain whatever the tiling and thread count.
  ///
  /// - Complexity: O(N·Cout·P·K) time (P = To·Ho·Wo, K = Cg·kt·kh·kw); memory O(Kc·Nc) per
  ///   task, or O(K·Nc) when output channels are split.
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
    let L = FastConvLayout(input: x.shape, weight: weight.shape, output: outShape, geometry: geometry)
    let bl = isa.blocking
    let (mr, nr, kc, mc, nc) = (Int(bl.mr), Int(bl.nr), Int(bl.kc), Int(bl.mc), Int(bl.nc))
    let (K, P, Og) = (L.reduction, L.positions, L.outPerGroup)
    let panels = ceilDiv(Og, mr)
    let nTiles = ceilDiv(P, nc)
    let units = L.batch * L.groups * nTiles
    let biasScalars: [Float]? = bias?.scalars
    let y = uninitializedFloats(Shape.elementCount(outShape)) { yp in
      let out = UncheckedSendable(yp)
      x.withUnsafeBufferPointer { xb in
        let xs = UncheckedSendable(xb.baseAddress!)
        weight.withUnsafeBufferPointer { wb in
          let ws = UncheckedSendable(wb.baseAddress!)
          withOptionalPointer(biasScalars) { biasPointer in
            let bs = UncheckedSendable(biasPointer)
            // Output rows `rowPanels` of group g for positions p0 ..< p0 + np, with the im2col
            // block of reduction rows k0 ..< k0 + depth packed in `packedB`; W_g is read in
            // place (row-major, Og×K).
            func multiply(
              _ n: Int, _ g: Int, _ rowPanels: Range<Int>, _ p0: Int, _ np: Int, _ k0: Int, _ depth: Int,
              _ packedB: UnsafePointer<Float>
            ) {
              let row0 = rowPanels.lowerBound * mr
              let rows = min(Og - row0, rowPanels.count * mr)
              let rowInit = bs.value.map { $0 + g * Og + row0 }
              vidattr_gemm(
                isa.rawValue, rows, np, depth, ws.value + (g * Og + row0) * K + k0, K, 1, packedB, depth * nr,
                out.value + L.outputOffset(n, g, row: row0) + p0, P, 1, k0 > 0 ? 1 : 0, k0 == 0 ? rowInit : nil)
            }
            if units >= fastConvTargetTasks {
              // Many position tiles: one task per (n, g, tile), each gathering its own blocks.
              let rowGroups = evenChunks(panels, parts: ceilDiv(Og, mc))
              parallelFor(units) { u in
                let (ng, tile) = (u / nTiles, u % nTiles)
                let (n, g) = (ng / L.groups, ng % L.groups)
                let p0 = tile * nc, np = min(nc, P - p0)
                withScratch(kc * ceilDiv(np, nr) * nr) { packedB in
                  for k0 in stride(from: 0, to: K, by: kc) {
                    let depth = min(kc, K - k0)
                    var geometry = L.slab
                    vidattr_conv_pack_im2col(
                      &geometry, xs.value + L.inputOffset(n, g), k0, depth, p0, np, Int32(nr), packedB)
                    for rowPanels in rowGroups { multiply(n, g, rowPanels, p0, np, k0, depth, packedB) }
                  }
                }
              }
            } else {
              // Few position tiles: pack each tile's whole K×Nc im2col block once (in parallel
              // over Kc blocks), then split the output channels across tasks.
              let rowGroups = evenChunks(panels, parts: max(ceilDiv(Og, mc), min(panels, fastConvTargetTasks)))
              let kBlocks = ceilDiv(K, kc)
              for u in 0..<units {
                let (ng, tile) = (u / nTiles, u % nTiles)
                let (n, g) = (ng / L.groups, ng % L.groups)
                let p0 = tile * nc, np = min(nc, P - p0)
                let blockStride = kc * ceilDiv(np, nr) * nr
                withScratch(kBlocks * blockStride) { packedB in
                  let bShared = UncheckedSendable(packedB)
                  parallelFor(kBlocks) { kb in
                    var geometry = L.slab
                    let k0 = kb * kc
                    vidattr_conv_pack_im2col(
                      &geometry, xs.value + L.inputOffset(n, g), k0, min(kc, K - k0), p0, np, Int32(nr),
                      bShared.value + kb * blockStride)
                  }
                  parallelFor(rowGroups.count) { r in
                    for kb in 0..<kBlocks {
                      let k0 = kb * kc
                      multiply(n, g, rowGroups[r], p0, np, k0, min(kc, K - k0), bShared.value + kb * blockStride)
                    }
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
