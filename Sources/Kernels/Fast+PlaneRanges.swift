/// Splits `planes` independent work items (N·C planes of a video, rows of a matrix…) into
/// one contiguous range per thread and runs `body` on each range, in parallel when the
/// total work (`planes × workPerPlane`, in arithmetic operations or elements moved) is large
/// enough to pay for handing ranges to other threads (`parallelFor`'s worker pool, whose
/// workers may have to be woken from sleep), otherwise in the calling thread as a single
/// range. `body` must write disjoint memory for disjoint ranges.
func forEachPlaneRange(planes: Int, workPerPlane: Int, _ body: (Range<Int>) -> Void) {
  if planes <= 0 { return }
  let threads = FastThreads.count
  let minimumParallelWork = 1 << 17
  if threads == 1 || planes == 1 || planes * max(workPerPlane, 1) < minimumParallelWork {
    body(0..<planes)
    return
  }
  let chunks = evenChunks(planes, parts: threads)
  parallelFor(chunks.count) { i in body(chunks[i]) }
}
