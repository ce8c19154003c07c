// Runs as the worker under plain Node (a side-effect entry: import nothing from it): either as a worker_threads Worker, serving every MessagePort
// sent to it in a `{ type: 'connect', port }` message, or as a forked child process, serving its
// parent over IPC (fork it with `serialization: 'advanced'` so PCM arrives as Float32Array).
// One engine serves all ports. The phonemizer and the session warm up at start, while `hello`
// has already gone out: requests that arrive meanwhile wait for the same memoised loads.
//
// Engine options come from `workerData.engine` (threads) or the KOKORO_BAR_ENGINE environment
// variable as JSON (child processes), e.g. `{ "assets": { "model": …, "config": …, "voicesDir": … } }`;
// without them the engine uses the verified assets of the user's cache. Under tsx, a worker thread
// must register tsx before importing this file (an `eval` bootstrap; see test/worker/serve/host.test.ts).

import { isMainThread, parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { assetPaths } from '../assets/cache.ts';
import { createEngine, type EngineOptions } from '../engine/engine.ts';
import { ENGINE_ENV, serve } from './host.ts';
import type { ConnectMessage } from '../protocol/worker-env.ts';
import { fromNodePort, fromProcess } from '../protocol/port-adapters.ts';
import { createReadiness } from '../assets/readiness.ts';

function engineOptions(): EngineOptions {
  const fromThread = (workerData as { engine?: EngineOptions } | null | undefined)?.engine;
  if (fromThread) return fromThread;
  const fromEnv = process.env[ENGINE_ENV];
  return fromEnv ? (JSON.parse(fromEnv) as EngineOptions) : {};
}

function isConnect(message: unknown): message is ConnectMessage<MessagePort> {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'connect' && 'port' in message;
}

const options = engineOptions();
const engine = await createEngine(options);
// Files handed over by path are not ours to fetch; the default cache is.
const cachePaths = options.assets === undefined ? assetPaths() : undefined;
const readiness = createReadiness({ warmUp: () => engine.warmUp(), paths: cachePaths });

if (!isMainThread && parentPort) {
  parentPort.on('message', (message: unknown) => {
    if (isConnect(message)) serve(fromNodePort(message.port), engine, readiness);
  });
} else if (process.send) {
  serve(fromProcess(process), engine, readiness);
  // The parent is the only client: without it there is nothing to serve.
  process.on('disconnect', () => void engine.dispose().finally(() => process.exit(0)));
} else {
  console.error('entry-node.ts runs as a worker thread or as a forked child process, not on its own.');
  process.exit(2);
}

engine.warmUp().catch((error: unknown) => {
  // Not fatal: the request that needs the missing piece gets the error with its fix.
  console.error(`kokoro-bar worker: warm-up failed: ${error instanceof Error ? error.message : String(error)}`);
});
