// Runs in the Electron utility process that main forks: the worker's few-line Electron entry.
// It does not import electron: in a utility process `process.parentPort` exists by itself.
// Main sends `{type: 'connect'}` with a MessagePortMain for each client (see [Note: Supervising
// the worker]); each port is adapted to the protocol's PortLike and served by the same host
// that serves Node worker threads and the dev host.

import path from 'node:path';
import { existsSync } from 'node:fs';
import { DEFAULT_VARIANT, assetPaths, parseVariant } from './assets.ts';
import { createEngine, type EngineOptions } from './engine.ts';
import { serve } from './host.ts';
import { fromMessagePortMain, type MessagePortMainLike } from './port-adapters.ts';
import { WORKER_ENV } from '../src-main/ipc-contract.ts';

/** The utility process's link to main. */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports: MessagePortMainLike[] }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (parentPort === undefined) {
  throw new Error('entry-electron.ts must run in an Electron utility process; use entry-node.ts under Node.');
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
      const stop = serve(fromMessagePortMain(port), engine);
      port.on('close', stop);
    });
  }
});
