// Runs in the Electron main process, the dev host and the worker entries: how a process that
// starts the worker configures it (environment variables) and hands it a port (the connect
// message). Dependency-free, so main can start the worker without bundling the engine.
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

/** Environment main passes the worker utility process (read by src-worker/serve/entry-electron.ts). */
export const WORKER_ENV = {
  /** Asset folders to look in, in order, joined with path.delimiter. */
  assetDirs: 'KOKORO_BAR_ASSET_DIRS',
  /** Writable folder for onnxruntime's optimised-graph cache. */
  ortCacheDir: 'KOKORO_BAR_ORT_CACHE',
  /** Model variant to load (int8, fp16, fp32). */
  modelVariant: 'KOKORO_BAR_MODEL_VARIANT',
} as const;

/** Message main sends the utility process with a new port in `ports[0]` (read by entry-electron.ts). */
export const CONNECT_MESSAGE = { type: 'connect' } as const;

/** The message that hands a worker thread running entry-node.ts a port to serve. */
export interface ConnectMessage<Port = unknown> {
  type: 'connect';
  port: Port;
}

/** Environment variables every worker process starts with (see [Note: Worker allocator]). */
export const WORKER_PROCESS_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
};
