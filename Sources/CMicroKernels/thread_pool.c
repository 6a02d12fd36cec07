// A small pool of worker threads that wait for work by spinning briefly, then sleeping.
//
// Why not libdispatch (`DispatchQueue.concurrentPerform`) for every parallel loop: its idle
// workers sleep at once, and waking one costs microseconds — a visible share of a late-layer
// convolution, which runs as two short parallel loops (pack, then multiply), while a core
// waits idle (`cpu_utilisation` of `vidattr bench kernels`; measurements in
// Benchmarks/README.md, "Measurements behind the kernels' design"). OpenMP runtimes, which
// PyTorch uses, keep their workers spinning for a while after a parallel region for the same
// reason (libgomp's GOMP_SPINCOUNT, Intel's KMP_BLOCKTIME). Here a worker polls for at most
// `SPIN_NANOSECONDS` after its last job — yielding its core between polls after the first
// `YIELD_NANOSECONDS`, so that other runnable threads (the caller's serial work on a busy
// machine) are not starved — then sleeps on a condition variable, so an idle process costs no
// CPU. While other threads start parallel loops too (a loop found the pool busy in the last
// `CONTENDED_NANOSECONDS`), workers sleep at once: the cores are then oversubscribed and
// polling only slows the others (the test suite, which runs tests in parallel, is slower with
// polling than without; same README section).
//
// One job at a time: a call that finds the pool busy (another thread's parallel loop, or a
// loop nested in a job) returns 0 and the caller runs the loop some other way. Indices are
// handed out one by one from a shared counter, so which thread runs which index varies from
// run to run; callers write disjoint memory per index, which makes results independent of it.
#include "CMicroKernels.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define CPU_RELAX() __asm__ __volatile__("yield")
#else
#define CPU_RELAX() ((void)0)
#endif

enum { POOL_MAX_WORKERS = 63 };
static const long long SPIN_NANOSECONDS = 1000000;    // 1 ms, then sleep
static const long long YIELD_NANOSECONDS = 50000;     // after 50 µs, yield the core between polls
static const long long CONTENDED_NANOSECONDS = 100000000;  // no polling for 100 ms after contention

static pthread_mutex_t submit_lock = PTHREAD_MUTEX_INITIALIZER;  // held by the thread running a job
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;

static int worker_count;                // workers started (under submit_lock)
static _Atomic unsigned long generation; // incremented (release) when a job is published
static _Atomic int sleepers;            // workers waiting on `wake`
static _Atomic ptrdiff_t next_index;    // next index of the current job to hand out
static _Atomic int busy_workers;        // workers of the current job not yet finished
static _Atomic long long last_contention;  // when a loop last found the pool busy (ns)
// The current job (written before `generation` is incremented, read after it is seen).
static vidattr_pool_task job_fn;
static void *job_context;
static ptrdiff_t job_count;
static int job_workers;                 // workers 0 ..< job_workers take part
// The generation each worker was started at (so a worker that starts running only after the
// job it was started for is published still takes part in it).
static unsigned long start_generation[POOL_MAX_WORKERS];

static long long now_nanoseconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void run_indices(vidattr_pool_task fn, void *context, ptrdiff_t count) {
  for (;;) {
    ptrdiff_t i = atomic_fetch_add_explicit(&next_index, 1, memory_order_relaxed);
    if (i >= count) return;
    fn(context, i);
  }
}

static void *worker_main(void *argument) {
  int id = (int)(intptr_t)argument;
#if defined(__x86_64__) || defined(_M_X64)
  // A new thread inherits its creator's SSE control register, so a worker started from inside
  // `SubnormalFlushing.flushing` would flush subnormals for good. Workers start with IEEE
  // subnormals; loops that want flushing set it per index (Parallel.swift).
  _mm_setcsr(_mm_getcsr() & ~0x8040u);
#endif
  unsigned long seen = start_generation[id];
  for (;;) {
    // Spin for a new job, then sleep until one is published.
    long long spin_start = now_nanoseconds();
    // While other threads also start parallel loops (parallel tests, concurrent callers), the
    // cores are oversubscribed and polling only takes time from them: sleep at once.
    long long limit =
        spin_start - atomic_load_explicit(&last_contention, memory_order_relaxed) < CONTENDED_NANOSECONDS
            ? 0
            : SPIN_NANOSECONDS;
    unsigned long current;
    int polls = 0;
    int yielding = 0;
    while ((current = atomic_load_explicit(&generation, memory_order_acquire)) == seen) {
      if (yielding)
        sched_yield();
      else
        CPU_RELAX();
      if (++polls % 64 != 0) continue;
      long long spun = now_nanoseconds() - spin_start;
      yielding = spun > YIELD_NANOSECONDS;
      if (spun > limit) {
        pthread_mutex_lock(&sleep_lock);
        atomic_fetch_add_explicit(&sleepers, 1, memory_order_seq_cst);
        while ((current = atomic_load_explicit(&generation, memory_order_seq_cst)) == seen)
          pthread_cond_wait(&wake, &sleep_lock);
        atomic_fetch_sub_explicit(&sleepers, 1, memory_order_relaxed);
        pthread_mutex_unlock(&sleep_lock);
        break;
      }
    }
    seen = current;
    if (id < job_workers) {
      run_indices(job_fn, job_context, job_count);
      atomic_fetch_sub_explicit(&busy_workers, 1, memory_order_release);
    }
  }
  return NULL;
}

// A child process made by fork() has only the forking thread: it starts with no workers and
// fresh locks (the parent's may have been held by threads that do not exist in the child).
static void reset_in_child(void) {
  worker_count = 0;
  atomic_store(&sleepers, 0);
  atomic_store(&busy_workers, 0);
  pthread_mutex_t fresh_mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t fresh_cond = PTHREAD_COND_INITIALIZER;
  submit_lock = fresh_mutex;
  sleep_lock = fresh_mutex;
  wake = fresh_cond;
}

static pthread_once_t fork_handler_once = PTHREAD_ONCE_INIT;
static void install_fork_handler(void) { pthread_atfork(NULL, NULL, reset_in_child); }

int vidattr_pool_run(ptrdiff_t count, int threads, vidattr_pool_task fn, void *context) {
  if (count <= 0) return 1;
  if (threads <= 1 || count == 1) {
    for (ptrdiff_t i = 0; i < count; i++) fn(context, i);
    return 1;
  }
  pthread_once(&fork_handler_once, install_fork_handler);
  if (pthread_mutex_trylock(&submit_lock) != 0) {
    atomic_store_explicit(&last_contention, now_nanoseconds(), memory_order_relaxed);
    return 0;
  }
  int workers = threads - 1 < POOL_MAX_WORKERS ? threads - 1 : POOL_MAX_WORKERS;
  if (count - 1 < workers) workers = (int)(count - 1);
  while (worker_count < workers) {
    pthread_t thread;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    start_generation[worker_count] = atomic_load_explicit(&generation, memory_order_relaxed);
    int failed = pthread_create(&thread, &attributes, worker_main, (void *)(intptr_t)worker_count);
    pthread_attr_destroy(&attributes);
    if (failed) break;
    worker_count++;
  }
  if (workers > worker_count) workers = worker_count;
  job_fn = fn;
  job_context = context;
  job_count = count;
  job_workers = workers;
  atomic_store_explicit(&next_index, 0, memory_order_relaxed);
  atomic_store_explicit(&busy_workers, workers, memory_order_relaxed);
  atomic_fetch_add_explicit(&generation, 1, memory_order_seq_cst);
  if (atomic_load_explicit(&sleepers, memory_order_seq_cst) > 0) {
    pthread_mutex_lock(&sleep_lock);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleep_lock);
  }
  run_indices(fn, context, count);
  // Every index is handed out; wait for the workers' last ones (yielding the core after a
  // while, in case a worker is waiting for it on an oversubscribed machine).
  for (int polls = 0; atomic_load_explicit(&busy_workers, memory_order_acquire) > 0; polls++) {
    if (polls < 4096)
      CPU_RELAX();
    else
      sched_yield();
  }
  pthread_mutex_unlock(&submit_lock);
  return 1;
}
