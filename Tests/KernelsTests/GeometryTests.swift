import Kernels
import Testing

@Suite("Geometry: PyTorch's output-extent formula")
struct GeometryTests {
  @Test("r2plus1d_18 stem: 3×16×112×112 through k(1,7,7) s(1,2,2) p(0,3,3) gives 45×16×56×56")
  func stemShape() throws {
    let g = Conv3DGeometry(stride: Size3(1, 2, 2), padding: Size3(0, 3, 3))
    let out = try g.outputShape(input: [1, 3, 16, 112, 112], weight: [45, 3, 1, 7, 7]).get()
    #expect(out == [1, 45, 16, 56, 56])
  }

  @Test("a channel mismatch is reported with every shape named")
  func mismatchMessage() {
    let g = Conv3DGeometry()
    guard case .failure(let e) = g.outputShape(input: [1, 4, 3, 3, 3], weight: [2, 3, 1, 1, 1]) else {
      Issue.record("mismatch not detected")
      return
    }
    #expect(e.message.contains("[1, 4, 3, 3, 3]") && e.message.contains("[2, 3, 1, 1, 1]"))
  }
}
