// Runs in the browser dev host's worker thread: one engine serving every page's MessagePort,
// as src-worker/serve/entry-node.ts does, plus a `shutdown` message so the host can close without
// killing a run in flight (see [Note: Dev host shutdown] in server.ts).

import { parentPort, type MessagePort } from 'node:worker_threads';
import { DEFAULT_VARIANT, parseVariant } from '../../src-worker/assets/manifest.ts';
import { assetPaths } from '../../src-worker/assets/cache.ts';
import { createEngine } from '../../src-worker/engine/engine.ts';
import { fromNodePort } from '../../src-worker/protocol/port-adapters.ts';
import { serve } from '../../src-worker/serve/host.ts';
import { createReadiness } from '../../src-worker/assets/readiness.ts';
import { WORKER_ENV } from '../../src-worker/protocol/worker-env.ts';

/** Messages the dev host sends this thread. */
export type EngineThreadMessage = { type: 'connect'; port: MessagePort } | { type: 'shutdown' };

if (!parentPort) throw new Error('engine-thread.ts must run as a worker thread of the dev host.');
const host = parentPort;
// The variant of the dev host's settings (the host restarts this thread when it changes).
const paths = assetPaths({ variant: parseVariant(process.env[WORKER_ENV.modelVariant] ?? DEFAULT_VARIANT) });
const engine = await createEngine({ assets: paths, verifyAssets: true });
const readiness = createReadiness({ warmUp: () => engine.warmUp(), paths });

host.on('message', (message: EngineThreadMessage) => {
  if (message.type === 'connect') serve(fromNodePort(message.port), engine, readiness);
  // Releasing the sessions waits for the run in flight; closing the port then lets the thread
  // end by itself, with nothing native interrupted.
  else if (message.type === 'shutdown') void engine.dispose().finally(() => host.close());
});

engine.warmUp().catch((error: unknown) => {
  // Not fatal: the request that needs the missing piece gets the error with its fix.
  console.error(`dev host engine: warm-up failed: ${error instanceof Error ? error.message : String(error)}`);
});
