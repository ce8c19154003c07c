// Runs in the Electron utility process that main forks: the worker's few-line Electron entry.
// It does not import electron: in a utility process `process.parentPort` exists by itself.
// Main sends `{type: 'connect'}` with a MessagePortMain for each client (see [Note: Supervising
// the worker]); each port is adapted to the protocol's PortLike and served by the same host
// that serves Node worker threads and the dev host.

import path from 'node:path';
import type { PortLike } from './protocol.ts';
import { existsSync } from 'node:fs';
import { DEFAULT_VARIANT, assetPaths, parseVariant } from './assets.ts';
import { createEngine, type EngineOptions } from './engine.ts';
import { serve } from './host.ts';
import { WORKER_ENV } from '../src-main/ipc-contract.ts';

/** The parts of Electron's MessagePortMain used here (typed locally: no electron import). */
interface MessagePortMainLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  off(event: 'message', listener: (event: { data: unknown }) => void): void;
  off(event: 'close', listener: () => void): void;
  start(): void;
  close(): void;
}

/** The utility process's link to main. */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports: MessagePortMainLike[] }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (parentPort === undefined) {
  throw new Error('entry-electron.ts must run in an Electron utility process; use entry-node.ts under Node.');
}

/** Adapts a MessagePortMain to PortLike. PCM goes as a structured clone (no transfer list here). */
function adapt(port: MessagePortMainLike): PortLike {
  return {
    postMessage: (message) => port.postMessage(message),
    onMessage(listener) {
      const handler = (event: { data: unknown }): void => listener(event.data);
      port.on('message', handler);
      port.start();
      return () => port.off('message', handler);
    },
    onClose(listener) {
      port.on('close', listener);
      return () => port.off('close', listener);
    },
  };
}

/**
 * The assets to load: the first folder (bundled copy, then the user's cache) that holds the
 * model of the chosen variant; the cache when none does, so the error names the fetch command.
 */
function chooseAssets(): EngineOptions {
  const env = process.env;
  const dirs = (env[WORKER_ENV.assetDirs] ?? '').split(path.delimiter).filter((d) => d !== '');
  const variant = parseVariant(env[WORKER_ENV.modelVariant] ?? DEFAULT_VARIANT);
  const ortCache = env[WORKER_ENV.ortCacheDir];
  const session = ortCache ? { session: { optimizedCacheDir: ortCache } } : {};
  if (dirs.length === 0) return { assets: assetPaths({ variant }), ...session };
  const candidates = dirs.map((cacheDir) => assetPaths({ cacheDir, variant }));
  const found = candidates.find((paths) => existsSync(paths.model)) ?? candidates[candidates.length - 1];
  // The bundled copy is sealed by the app's signature; only the user's cache carries fetch stamps.
  const bundled = found !== undefined && found !== candidates[candidates.length - 1];
  return { ...(found === undefined ? {} : { assets: found }), verifyAssets: !bundled, ...session };
}

const enginePromise = createEngine(chooseAssets());

// Load the phonemizer and the session now, so the first request does not pay for it; a failure
// is not fatal (the request that needs the missing piece gets the error with its fix).
void enginePromise
  .then((engine) => engine.warmUp())
  .catch((error: unknown) => {
    console.error(`kokoro-bar worker: warm-up failed: ${error instanceof Error ? error.message : String(error)}`);
  });

parentPort.on('message', (event) => {
  for (const port of event.ports) {
    // Messages wait in the port until serve() starts it, so nothing is lost while the engine loads.
    void enginePromise.then((engine) => {
      const stop = serve(adapt(port), engine);
      port.on('close', stop);
    });
  }
});
