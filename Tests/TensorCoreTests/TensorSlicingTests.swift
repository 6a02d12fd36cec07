import TensorCore
import Testing

@Suite("Slicing clips and frames out of N×C×T×H×W tensors")
struct TensorSlicingTests {
  /// x[n, c, t, h, w] = 10000n + 1000c + 100t + 10h + w: every element names its position.
  static let x: Tensor<Double> = {
    let shape = [3, 2, 4, 2, 3]
    var s: [Double] = []
    for n in 0..<3 {
      for c in 0..<2 {
        for t in 0..<4 {
          for h in 0..<2 {
            for w in 0..<3 {
              s.append(Double(10000 * n + 1000 * c + 100 * t + 10 * h + w))
            }
          }
        }
      }
    }
    return Tensor(shape: shape, scalars: s)
  }()

  @Test("clips(range) holds exactly the clips of the range, in order")
  func clips() {
    let c = Self.x.clips(1..<3)
    #expect(c.shape == [2, 2, 4, 2, 3])
    #expect(c.scalars.first == 10000 && c.scalars.last == 21312)
    #expect(c.scalars == Self.x.scalars.filter { $0 >= 10000 })
    #expect(Self.x.clips(0..<0).shape == [0, 2, 4, 2, 3])
    #expect(Self.x.clips(0..<3) == Self.x)
  }

  @Test("frames(range) keeps every clip and channel and only the frames of the range")
  func frames() {
    let f = Self.x.frames(1..<3)
    #expect(f.shape == [3, 2, 2, 2, 3])
    let expected = Self.x.scalars.filter {
      let t = Int($0 / 100) % 10; return t == 1 || t == 2
    }
    #expect(f.scalars == expected)
  }
}
