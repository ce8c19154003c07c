// Runs in the Electron main process, the dev host and the worker entries: how a process that
// starts the worker configures it (environment variables) and hands it a port (the connect
// message). Dependency-free, so main can start the worker without bundling the engine.

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
