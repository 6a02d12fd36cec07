import RealModule
import TensorCore

// Dimensions used in this file and in Conv3D+Backward+Literal.swift:
//   N batch, Cin / Cout input / output channels, G groups, Cg = Cin/G, Og = Cout/G,
//   T H W input extents, To Ho Wo output extents, kt kh kw kernel extents,
//   s stride, p padding, d dilation (per axis t, h, w).

extension Literal {
  /// 3-D convolution (cross-correlation, as `torch.nn.Conv3d`).
  ///
  /// Shapes: x N×Cin×T×H×W, weight Cout×Cg×kt×kh×kw (Cg = Cin/G), bias Cout or nil, result
  /// N×Cout×To×Ho×Wo with To = ⌊(T + 2pₜ − dₜ(kt − 1) − 1)/sₜ⌋ + 1 and likewise Ho, Wo.
  ///
  ///     y[n, o, t, h, w] = b[o] + Σ_{c<Cg} Σ_{i<kt} Σ_{j<kh} Σ_{l<kw}
  ///                        w[o, c, i, j, l] · x[n, g·Cg + c, t·sₜ − pₜ + i·dₜ, h·s_h − p_h + j·d_h,
  ///                                             w·s_w − p_w + l·d_w]
  ///
  /// with g = o / Og the group of output channel o and x taken as 0 outside the input (zero
  /// padding). A 2-D convolution is the case T = 1, kt = 1 (pₜ = 0): there is no separate
  /// function for it. The sum starts from b[o] (or 0) and adds the terms in the order
  /// c, i, j, l.
  ///
  /// Source: PyTorch `torch.nn.Conv3d` documentation (cross-correlation, zero padding,
  /// dilation, groups; output extent in floor mode).
  ///
  /// - Precondition: shapes as above (`Conv3DGeometry.outputShape(input:weight:)`), bias of
  ///   shape [Cout]; messages name the shapes.
  /// - Complexity: O(N·Cout·To·Ho·Wo·Cg·kt·kh·kw) time, one pass; no memory beyond the result.
  @_specialize(where T == Float)
  @_specialize(where T == Double)
  public static func conv3d<T: Real & BinaryFloatingPoint & Sendable>(
    _ x: Tensor<T>, weight: Tensor<T>, bias: Tensor<T>?, geometry: Conv3DGeometry
  ) -> Tensor<T> {
    let outShape = geometry.checkedOutputShape(input: x.shape, weight: weight.shape)
    if let bias {
      precondition(
        bias.shape == [weight.shape[0]],
        "conv3d: bias \(Shape.describe(bias.shape)) must be [Cout] for weight \(Shape.describe(weight.shape))")
    }
    let s = ConvIndexing(input: x.shape, weight: weight.shape, output: outShape, geometry: geometry)
    let xs = x.scalars, ws = weight.scalars, bs = bias?.scalars
    var y = [T](repeating: 0, count: Shape.elementCount(outShape))
    for n in 0..<s.batch {
      for o in 0..<s.outChannels {
        let g = o / s.outPerGroup
        for t in 0..<s.outT {
          for h in 0..<s.outH {
            for w in 0..<s.outW {
              var sum: T = bs?[o] ?? 0
              for c in 0..<s.inPerGroup {
                for i in 0..<s.kt {
                  for j in 0..<s.kh {
                    for l in 0..<s.kw {
                      guard let xi = s.inputIndex(n, g * s.inPerGroup + c, t, h, w, i, j, l) else { continue }
                      sum += ws[s.weightIndex(o, c, i, j, l)] * xs[xi]
                    }
                  }
                }
              }
              y[s.outputIndex(n, o, t, h, w)] = sum
            }
          }
        }
      }
    }
    return Tensor(shape: outShape, scalars: y)
  }
}

/// Flat-index arithmetic of a 3-D convolution, shared by the literal forward and backward
/// passes so that each reads as its equation.
struct ConvIndexing {
  let batch, inChannels, inT, inH, inW: Int
  let outChannels, inPerGroup, kt, kh, kw: Int
  let outPerGroup, outT, outH, outW: Int
  let geometry: Conv3DGeometry

  init(input: [Int], weight: [Int], output: [Int], geometry: Conv3DGeometry) {
    (batch, inChannels, inT, inH, inW) = (input[0], input[1], input[2], input[3], input[4])
    (outChannels, inPerGroup, kt, kh, kw) = (weight[0], weight[1], weight[2], weight[3], weight[4])
    (outT, outH, outW) = (output[2], output[3], output[4])
    outPerGroup = outChannels / geometry.groups
    self.geometry = geometry
  }

  /// Flat index of x[n, channel, t·sₜ − pₜ + i·dₜ, h·s_h − p_h + j·d_h, w·s_w − p_w + l·d_w],
  /// or nil where that position is padding.
  @inline(__always)
  func inputIndex(_ n: Int, _ channel: Int, _ t: Int, _ h: Int, _ w: Int, _ i: Int, _ j: Int, _ l: Int) -> Int? {
    let g = geometry
    let ti = t * g.stride.t - g.padding.t + i * g.dilation.t
    let hi = h * g.stride.h - g.padding.h + j * g.dilation.h
    let wi = w * g.stride.w - g.padding.w + l * g.dilation.w
    guard ti >= 0, ti < inT, hi >= 0, hi < inH, wi >= 0, wi < inW else { return nil }
    return (((n * inChannels + channel) * inT + ti) * inH + hi) * inW + wi
  }

  @inline(__always)
  func weightIndex(_ o: Int, _ c: Int, _ i: Int, _ j: Int, _ l: Int) -> Int {
    (((o * inPerGroup + c) * kt + i) * kh + j) * kw + l
  }

  @inline(__always)
  func outputIndex(_ n: Int, _ o: Int, _ t: Int, _ h: Int, _ w: Int) -> Int {
    (((n * outChannels + o) * outT + t) * outH + h) * outW + w
  }
}
