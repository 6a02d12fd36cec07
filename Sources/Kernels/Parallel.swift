import CMicroKernels
import Dispatch
import Foundation

/// How many threads the fast kernels use.
///
/// Defaults to the number of active processors; `VIDATTR_THREADS=n` in the environment
/// overrides it (benchmarks use it to compare with PyTorch at the same thread count, tests
/// use it to check that results do not depend on it). `withCount(_:_:)` overrides both for
/// the code it runs, in the current task only.
public enum FastThreads {
  @TaskLocal static var scopedCount: Int?

  /// The thread count in effect.
  public static var count: Int {
    if let n = scopedCount { return n }
    if let s = ProcessInfo.processInfo.environment["VIDATTR_THREADS"], let n = Int(s), n >= 1 {
      return n
    }
    return max(1, ProcessInfo.processInfo.activeProcessorCount)
  }

  /// Runs `body` with `count` equal to `n` (≥ 1). The override is task-local: it applies to
  /// `body` and what it calls synchronously, and not to other tasks running at the same time
  /// (so concurrent tests cannot see each other's setting).
  public static func withCount<R>(_ n: Int, _ body: () throws -> R) rethrows -> R {
    precondition(n >= 1, "FastThreads.withCount: thread count \(n) must be ≥ 1")
    return try $scopedCount.withValue(n, operation: body)
  }
}

/// Whether floating-point arithmetic treats subnormal numbers as zero.
///
/// IEEE arithmetic on subnormals (|x| < 2⁻¹²⁶ ≈ 1.2e-38 in Float) takes a microcode assist on
/// x86, about 100× slower than normal arithmetic. Training drives some parameters and gradients
/// there (a dead layer under Adam with L2 decays towards zero geometrically), so that epochs
/// slow down as training goes on, with the Adam update and col2im accumulations on subnormals
/// at the top of the profile (measurements: Benchmarks/README.md, "Measurements behind the
/// kernels' design"). `flushing(_:)` runs code with subnormal operands read as zero and
/// subnormal results written as zero (x86 MXCSR DAZ and FTZ) on the calling thread and on
/// every thread `parallelFor` uses for it, and restores the previous state afterwards —
/// PyTorch's `torch.set_flush_denormal(True)`. Training uses it; inference and attribution
/// do not (the GEMM micro-kernels flush on their own, see CMicroKernels). It changes no value
/// of magnitude ≥ 2⁻¹²⁶, and results stay deterministic. No effect on non-x86 machines.
public enum SubnormalFlushing {
  @TaskLocal static var active = false

  /// Whether the current task runs with subnormals flushed.
  public static var isActive: Bool { active }

  /// Runs `body` with subnormals treated as zero on this thread and in `parallelFor`.
  public static func flushing<R>(_ body: () throws -> R) rethrows -> R {
    let saved = vidattr_flush_subnormals_begin()
    defer { vidattr_flush_subnormals_end(saved) }
    return try $active.withValue(true, operation: body)
  }
}

/// Runs `body(i)` for i in 0..<n on up to `FastThreads.count` threads (in the calling thread
/// when n == 1 or one thread is configured). `body` must write disjoint memory for distinct i.
/// Worker threads inherit the caller's `SubnormalFlushing` setting.
///
/// The threads are the caller and the workers of the C pool (`vidattr_pool_run`), which poll
/// for about a millisecond after a loop before sleeping, so that the next loop — the next
/// phase of a convolution, the next layer — starts without a wake-up; libdispatch's
/// `concurrentPerform` (whose workers sleep at once) runs loops that find the pool busy
/// (concurrent callers, nested loops).
@inlinable
public func parallelFor(_ n: Int, _ body: (Int) -> Void) {
  if n <= 0 { return }
  let threads = FastThreads.count
  if n == 1 || threads == 1 {
    for i in 0..<n { body(i) }
    return
  }
  let flush = SubnormalFlushing.isActive
  withoutActuallyEscaping(body) { body in
    var loop = PoolLoop(body: body, flush: flush)
    let done = withUnsafeMutablePointer(to: &loop) { pointer in
      vidattr_pool_run(
        n, Int32(clamping: threads),
        { context, i in
          context!.assumingMemoryBound(to: PoolLoop.self).pointee.run(i)
        }, pointer)
    }
    if done == 1 { return }
    // Dispatch wants a @Sendable closure; the disjoint-writes contract above is what makes
    // sharing `body` across threads sound, so it is wrapped rather than checked.
    let shared = UncheckedSendable(loop)
    DispatchQueue.concurrentPerform(iterations: n) { i in shared.value.run(i) }
  }
}

/// One parallel loop's body and its caller's subnormal setting, as the pool's workers see it.
@usableFromInline
struct PoolLoop {
  @usableFromInline let body: (Int) -> Void
  @usableFromInline let flush: Bool

  @inlinable init(body: @escaping (Int) -> Void, flush: Bool) {
    self.body = body
    self.flush = flush
  }

  @inlinable func run(_ i: Int) {
    if flush {
      let saved = vidattr_flush_subnormals_begin()
      body(i)
      vidattr_flush_subnormals_end(saved)
    } else {
      body(i)
    }
  }
}

/// Carries a value across a concurrency boundary whose safety the caller guarantees
/// (fast kernels write disjoint slices of one buffer from several threads).
public struct UncheckedSendable<Value>: @unchecked Sendable {
  public let value: Value
  @inlinable public init(_ value: Value) { self.value = value }
}

/// Splits 0..<total into `parts` contiguous, nearly equal ranges (the first `total % parts`
/// get one more element).
@inlinable
public func evenChunks(_ total: Int, parts: Int) -> [Range<Int>] {
  let p = max(1, min(parts, total))
  var out: [Range<Int>] = []
  out.reserveCapacity(p)
  let q = total / p, r = total % p
  var start = 0
  for i in 0..<p {
    let len = q + (i < r ? 1 : 0)
    out.append(start..<(start + len))
    start += len
  }
  return out
}
