// Runs in the dev host and tests (plain Node, no Electron): the worker as a Node worker thread
// running the plain-Node entry (src-worker/serve/entry-node.ts), adapted to the supervisor's
// WorkerHandle, as worker-process.ts adapts Electron's utility process.
//
// [Note: Ending a worker thread]
// The engine runs onnxruntime in a thread of its own inside the worker; terminating the worker
// while a run is in flight aborts the whole process ("terminate called after throwing an
// instance of 'Napi::Error'"). So `kill` sends SHUTDOWN_MESSAGE: the worker stops serving,
// releases its sessions once the run in flight has ended, and lets its thread end. Only a thread
// still there after the grace period is terminated.

import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { SHUTDOWN_MESSAGE, connectMessage } from '../../src-worker/protocol/worker-env.ts';
import type { WorkerHandle } from './supervisor.ts';

/** How long a worker may take to finish its run in flight and end once asked to. */
export const SHUTDOWN_GRACE_MS = 30_000;

/** Registers tsx in the thread before a TypeScript entry loads (see tsx-thread.mjs). */
const TSX_BOOTSTRAP = new URL('./tsx-thread.mjs', import.meta.url);

/** How to start the worker thread. */
export interface ThreadLaunch {
  /** The entry module (entry-node.ts, or its bundle). */
  entry: URL;
  /** The thread's environment (WORKER_ENV); the default is this process's. */
  env?: NodeJS.ProcessEnv;
  /** Default SHUTDOWN_GRACE_MS. */
  graceMs?: number;
}

/** A worker thread as the supervisor and its clients see it. */
export interface ThreadWorker extends WorkerHandle {
  readonly thread: Worker;
  /** Makes a channel to the worker and returns the client's end (the worker serves the other). */
  openChannel(): MessagePort;
  /** Settles once the thread has ended, asked to or not. */
  readonly ended: Promise<void>;
}

/** Starts the worker entry in a worker thread. */
export function spawnWorkerThread(launch: ThreadLaunch): ThreadWorker {
  const typescript = launch.entry.pathname.endsWith('.ts');
  const thread = new Worker(typescript ? TSX_BOOTSTRAP : launch.entry, {
    ...(typescript ? { workerData: { entry: launch.entry.href } } : {}),
    env: launch.env ?? process.env,
  });
  let exitListener: ((reason: string) => void) | null = null;
  let exited = false;
  let lastError: string | undefined;
  let graceTimer: NodeJS.Timeout | undefined;
  // An uncaught error ends the thread: its message is the better reason than the exit code.
  thread.on('error', (error: Error) => (lastError = error.message));
  const ended = new Promise<void>((resolve) =>
    thread.once('exit', (code) => {
      exited = true;
      clearTimeout(graceTimer);
      resolve();
      exitListener?.(lastError ?? `exit code ${code}`);
    }),
  );
  return {
    thread,
    ended,
    onExit(listener) {
      exitListener = listener;
    },
    openChannel() {
      const { port1, port2 } = new MessageChannel();
      thread.postMessage(connectMessage(port1), [port1]);
      return port2;
    },
    kill() {
      if (exited || graceTimer !== undefined) return;
      thread.postMessage(SHUTDOWN_MESSAGE);
      graceTimer = setTimeout(() => void thread.terminate(), launch.graceMs ?? SHUTDOWN_GRACE_MS);
      graceTimer.unref();
    },
  };
}
