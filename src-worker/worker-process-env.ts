// Runs in main (launching the worker) and the CLI (launching the benchmark's engine process): the
// environment the worker process starts with, so the app and the benchmark measure one process.
//
// [Note: Worker allocator]
// On Linux glibc gives each thread that meets a locked heap its own malloc arena (up to 8 per
// core) and keeps what each arena once held; the worker has the JS thread, the inference thread
// and onnxruntime's intra-op threads, all allocating. MALLOC_ARENA_MAX=2 bounds them. Measured
// here, bundled engine, cap 64 (VmHWM after short, medium, long): 360 MB without, 335 MB with;
// bare onnxruntime in one thread gains only 1–4 MB, so the arenas are the threads' doing. Other
// glibc knobs measured on the same runs gained nothing worth keeping (MALLOC_MMAP_THRESHOLD_=
// 131072 −4 MB, with MALLOC_TRIM_THRESHOLD_ −5 MB). glibc reads the variable at the process's
// start, so it has to be in the environment the process is launched with; macOS's allocator
// ignores it.

/** Environment variables every worker process starts with (see [Note: Worker allocator]). */
export const WORKER_PROCESS_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
};
