// Runs wherever the worker is started or runs (Electron main, the dev host, tests, the worker
// entries): how a process that starts the worker configures it (environment variables) and
// controls it (the connect and shutdown messages). Only zod, so main can start the worker
// without bundling the engine.
//
// [Note: Worker allocator]
// On Linux glibc gives each thread that meets a locked heap its own malloc arena (up to 8 per
// core) and keeps what each arena once held; the worker's JS, inference and onnxruntime intra-op
// threads all allocate. MALLOC_ARENA_MAX=2 bounds them (about −25 MB of peak RSS, measured with
// `npm run measure:memory`); glibc reads it at process start, so it goes in the environment the
// worker is launched with. macOS's allocator ignores it.

import { z } from 'zod';

/** Environment the worker entries read (src-worker/serve/boot.ts), set by whoever starts them. */
export const WORKER_ENV = {
  /** Asset folders to look in, in order, joined with path.delimiter (main: bundled copy, then cache). */
  assetDirs: 'KOKORO_BAR_ASSET_DIRS',
  /** Writable folder for onnxruntime's optimised-graph cache. */
  ortCacheDir: 'KOKORO_BAR_ORT_CACHE',
  /** Model variant to load (int8, fp16, fp32). */
  modelVariant: 'KOKORO_BAR_MODEL_VARIANT',
  /**
   * Engine options as JSON, e.g. `{ "assets": { "model": …, "config": …, "voicesDir": … } }`;
   * when set, it replaces the three above (tests and the CLI hand files over by path with it).
   */
  engine: 'KOKORO_BAR_ENGINE',
} as const;

// [Note: Worker control messages]
// Besides the protocol's requests, which arrive on the ports it serves, a worker entry takes two
// messages from the process that started it. `connect` hands it one end of a new channel to
// serve: under Electron the port travels in the message event's `ports` (MessagePortMain cannot
// be part of the data), in a Node worker thread as the `port` field (its messages carry
// transferred ports only inside the data). `shutdown` (Node worker threads) asks it to stop
// serving, release its sessions once the run in flight has ended, and end; terminating a thread
// while onnxruntime runs instead aborts the whole process.
const workerControlSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('connect'), port: z.unknown().optional() }),
  z.object({ type: z.literal('shutdown') }),
]);

/** A control message for a worker entry (see [Note: Worker control messages]). */
export type WorkerControl = z.infer<typeof workerControlSchema>;

/** The connect message as main sends it to the utility process, the port in `ports[0]`. */
export const CONNECT_MESSAGE = { type: 'connect' } as const satisfies WorkerControl;

/** The shutdown message (see [Note: Worker control messages]). */
export const SHUTDOWN_MESSAGE = { type: 'shutdown' } as const satisfies WorkerControl;

/** The connect message for a Node worker thread, carrying `port` (transfer it with the message). */
export function connectMessage<Port>(port: Port): WorkerControl & { port: Port } {
  return { ...CONNECT_MESSAGE, port };
}

/** Checks a message a worker entry received from its parent; undefined when it is none of ours. */
export function parseWorkerControl(raw: unknown): WorkerControl | undefined {
  const result = workerControlSchema.safeParse(raw);
  return result.success ? result.data : undefined;
}

/** Names what a rejected control message was, for a log line (never its contents). */
export function describeControl(raw: unknown): string {
  if (raw === null) return 'null';
  if (typeof raw !== 'object') return typeof raw;
  const { type } = raw as { type?: unknown };
  return typeof type === 'string' ? `type "${type.slice(0, 40)}"` : 'an object without a type';
}

/** Environment variables every worker process starts with (see [Note: Worker allocator]). */
export const WORKER_PROCESS_ENV: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: '2',
};
