/// The reference implementation of every kernel.
///
/// Each function follows its defining equation loop by loop, in the index order of the
/// formula, single-threaded, without SIMD, blocking or BLAS, generic over the scalar type
/// (tests run it in `Double`). Its doc comment names the equation and source it follows.
/// Functions are `@_specialize`d for `Float` and `Double` so that callers in other modules
/// do not pay for generic dispatch per element.
public enum Literal {}

/// The optimised implementation of every kernel, in `Float`.
///
/// SIMD, cache blocking, threads (`parallelFor`: the C worker pool of `thread_pool.c`) and
/// the C micro-kernels of `CMicroKernels`. Each function's doc comment names the `Literal`
/// function it must equal; the test suite checks every pair on shapes that sit on SIMD and
/// blocking boundaries.
public enum Fast {}
