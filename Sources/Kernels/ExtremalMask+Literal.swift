import RealModule
import TensorCore

extension Literal {
  /// The smooth max of TorchRay's `MaskGenerator` (pooling method "softmax"):
  ///
  ///     smax_c(z) = Σ_k z_k·softmax(c·z)_k = Σ_k z_k·e^(c·z_k) / Σ_k e^(c·z_k),
  ///
  /// evaluated with the exponents shifted by M = max_k z_k (e^(c(z_k − M)), as PyTorch's
  /// `softmax`; the shift cancels). It lies between the mean and the max of z and increases
  /// to the max as c grows (Proofs/extremal-mask.md, P-MASK-1).
  ///
  /// - Precondition: z is not empty.
  /// - Complexity: O(|z|).
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func smoothMax<T: Real & BinaryFloatingPoint & Sendable>(_ z: [T], coldness c: T) -> T {
    precondition(!z.isEmpty, "smoothMax: no values")
    var top = z[0]
    for v in z { top = max(top, v) }
    var numerator: T = 0
    var denominator: T = 0
    for v in z {
      let e = T.exp(c * (v - top))
      numerator += v * e
      denominator += e
    }
    return numerator / denominator
  }

  /// TorchRay's `MaskGenerator.generate` (its second result, the padded mask), per frame or
  /// with the temporal lattice of `geometry` (see `ExtremalMaskGeometry` for every formula).
  ///
  /// Shapes: lattice m̄ A×1×T′×h×w → padded mask A×1×T×Hp×Wp. For mask a, frame t and padded
  /// pixel (y, x), over the neighbours k = (k_t, k_y, k_x) of `geometry`:
  ///
  ///     i_t = latticeFrame(t, k_t),  i = ⌊y/s⌋ + k_y − p,  j = ⌊x/s⌋ + k_x − p
  ///     z_k = κ(d(t − s_t·i_t, y − margin − s·i, x − margin − s·j)) · m̄[a, 0, i_t, i, j]
  ///           (m̄ = 0 outside the lattice; such neighbours still count)
  ///     m[a, 0, t, y, x] = clamp(smax_c(z), 0, 1)
  ///
  /// TorchRay builds the same sum with `F.unfold` (padding p, window 2r+1), nearest
  /// upsampling by s, a crop of s − 1 pixels and a precomputed weight table; here it is
  /// one loop per formula.
  ///
  /// - Precondition: the lattice has the shape `geometry.latticeShape(masks: A)`.
  /// - Complexity: O(A·T·Hp·Wp·(2r_t+1)(2r+1)²) exponentials.
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func extremalMask<T: Real & BinaryFloatingPoint & Sendable>(
    _ lattice: Tensor<T>, geometry g: ExtremalMaskGeometry
  ) -> Tensor<T> {
    checkLattice("extremalMask", lattice, g)
    let a = lattice.shape[0]
    var out = Tensor<T>.zeros(g.paddedShape(masks: a))
    let c = T(g.coldness)
    for n in 0..<a {
      for t in 0..<g.frames {
        for y in 0..<g.paddedHeight {
          for x in 0..<g.paddedWidth {
            let z = extremalMaskNeighbourhood(lattice, g, mask: n, frame: t, y: y, x: x).map { $0.z }
            out[n, 0, t, y, x] = min(max(smoothMax(z, coldness: c), 0), 1)
          }
        }
      }
    }
    return out
  }

  /// The vector-Jacobian product of `extremalMask` with respect to the lattice.
  ///
  /// Shapes: dPadded A×1×T×Hp×Wp (∂L/∂m), lattice A×1×T′×h×w → ∂L/∂m̄ A×1×T′×h×w. With the
  /// smooth max's softmax weights p_k = e^(c·z_k)/Σ_j e^(c·z_j) and m = smax_c(z):
  ///
  ///     ∂m/∂z_k = p_k·(1 + c·(z_k − m))
  ///     ∂L/∂m̄[node] = Σ over (pixel, k) reading node of  g·p_k·(1 + c·(z_k − m))·κ_k,
  ///     g = ∂L/∂m[pixel] where 0 ≤ smax_c(z) ≤ 1, else 0
  ///
  /// (PyTorch's `clamp` passes the gradient where min ≤ input ≤ max, bounds included).
  /// Neighbours outside the lattice get no gradient.
  ///
  /// - Precondition: shapes as above.
  /// - Complexity: that of `extremalMask`.
  @_specialize(where T == Float) @_specialize(where T == Double)
  public static func extremalMaskBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dPadded: Tensor<T>, lattice: Tensor<T>, geometry g: ExtremalMaskGeometry
  ) -> Tensor<T> {
    extremalMaskBackward(dPadded, lattice: lattice, geometry: g, mode: .gradient)
  }

  /// Per lattice node, over the (pixel, k) terms of `extremalMaskBackward` that reach it:
  /// `plain` = Σ |g|·p_k·κ_k and `factor` = Σ |g|·p_k·κ_k·|1 + c·(z_k − m)| — the scales that
  /// the backward's rounding grows with (tests derive their tolerances from them).
  package static func extremalMaskBackwardMagnitudes(
    _ dPadded: Tensor<Double>, lattice: Tensor<Double>, geometry g: ExtremalMaskGeometry
  ) -> (plain: Tensor<Double>, factor: Tensor<Double>) {
    (
      extremalMaskBackward(dPadded, lattice: lattice, geometry: g, mode: .plainMagnitude),
      extremalMaskBackward(dPadded, lattice: lattice, geometry: g, mode: .factorMagnitude)
    )
  }

  /// What `extremalMaskBackward` accumulates per term: the gradient or one of two magnitudes.
  private enum BackwardMode { case gradient, plainMagnitude, factorMagnitude }

  private static func extremalMaskBackward<T: Real & BinaryFloatingPoint & Sendable>(
    _ dPadded: Tensor<T>, lattice: Tensor<T>, geometry g: ExtremalMaskGeometry, mode: BackwardMode
  ) -> Tensor<T> {
    checkLattice("extremalMaskBackward", lattice, g)
    let a = lattice.shape[0]
    precondition(
      dPadded.shape == g.paddedShape(masks: a),
      "extremalMaskBackward: dPadded \(Shape.describe(dPadded.shape)) must be \(Shape.describe(g.paddedShape(masks: a)))"
    )
    var dLattice = Tensor<T>.zeros(lattice.shape)
    let c = T(g.coldness)
    for n in 0..<a {
      for t in 0..<g.frames {
        for y in 0..<g.paddedHeight {
          for x in 0..<g.paddedWidth {
            let terms = extremalMaskNeighbourhood(lattice, g, mask: n, frame: t, y: y, x: x)
            var top = terms[0].z
            for term in terms { top = max(top, term.z) }
            var denominator: T = 0
            for term in terms { denominator += T.exp(c * (term.z - top)) }
            let m = smoothMax(terms.map { $0.z }, coldness: c)
            let inside = m >= 0 && m <= 1
            let dm = inside ? dPadded[n, 0, t, y, x] : 0
            for term in terms {
              guard let node = term.node else { continue }
              let p = T.exp(c * (term.z - top)) / denominator
              let factor = 1 + c * (term.z - m)
              let contribution: T
              switch mode {
              case .gradient: contribution = dm * p * factor * term.kappa
              case .plainMagnitude: contribution = abs(dm) * p * term.kappa
              case .factorMagnitude: contribution = abs(dm) * p * term.kappa * abs(factor)
              }
              dLattice[n, 0, node.t, node.y, node.x] += contribution
            }
          }
        }
      }
    }
    return dLattice
  }

  /// The neighbours of padded pixel (y, x) of frame t of mask n, in the order k_t, k_y, k_x:
  /// their lattice node (nil outside the lattice), κ_k and z_k = κ_k·m̄[node] (0 outside).
  static func extremalMaskNeighbourhood<T: Real & BinaryFloatingPoint & Sendable>(
    _ lattice: Tensor<T>, _ g: ExtremalMaskGeometry, mask n: Int, frame t: Int, y: Int, x: Int
  ) -> [(node: (t: Int, y: Int, x: Int)?, kappa: T, z: T)] {
    var terms: [(node: (t: Int, y: Int, x: Int)?, kappa: T, z: T)] = []
    terms.reserveCapacity(g.neighbourCount)
    for kt in 0...(2 * g.temporalRadius) {
      let it = g.latticeFrame(frame: t, neighbour: kt)
      let dt: T = g.temporalOffset(frame: t, latticeFrame: it)
      for ky in 0...(2 * g.radius) {
        let iy = g.latticeIndex(padded: y, neighbour: ky)
        let dy: T = g.spatialOffset(padded: y, lattice: iy)
        for kx in 0...(2 * g.radius) {
          let ix = g.latticeIndex(padded: x, neighbour: kx)
          let dx: T = g.spatialOffset(padded: x, lattice: ix)
          let kappa: T = g.weight(dt: dt, dy: dy, dx: dx)
          let inside =
            it >= 0 && it < g.latticeFrames && iy >= 0 && iy < g.latticeHeight && ix >= 0 && ix < g.latticeWidth
          if inside {
            terms.append((node: (it, iy, ix), kappa: kappa, z: kappa * lattice[n, 0, it, iy, ix]))
          } else {
            terms.append((node: nil, kappa: kappa, z: 0))
          }
        }
      }
    }
    return terms
  }

  /// Precondition shared by the generator's functions: the lattice is A×1×T′×h×w.
  static func checkLattice<T>(_ name: String, _ lattice: Tensor<T>, _ g: ExtremalMaskGeometry) {
    precondition(
      lattice.rank == 5 && lattice.shape[0] >= 1 && lattice.shape == g.latticeShape(masks: lattice.shape[0]),
      "\(name): lattice \(Shape.describe(lattice.shape)) must be A×1×\(g.latticeFrames)×\(g.latticeHeight)×"
        + "\(g.latticeWidth) for \(g)")
  }
}
