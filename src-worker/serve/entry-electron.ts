// Runs in the Electron utility process that main forks: the worker's few-line Electron entry.
// It does not import electron: in a utility process `process.parentPort` exists by itself.
// Main sends `{type: 'connect'}` with a MessagePortMain for each client (see [Note: Supervising
// the worker]); each port is adapted to the protocol's PortLike and served by the same host
// that serves Node worker threads and the dev host.

import path from 'node:path';
import { DEFAULT_VARIANT, parseVariant } from '../assets/manifest.ts';
import { type AssetPaths, assetPaths, checkAssets } from '../assets/cache.ts';
import { createEngine, type EngineOptions } from '../engine/engine.ts';
import { serve } from './host.ts';
import { createReadiness } from '../assets/readiness.ts';
import { fromMessagePortMain, type MessagePortMainLike } from '../protocol/port-adapters.ts';
import { WORKER_ENV } from '../protocol/worker-env.ts';

/** The utility process's link to main. */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports: MessagePortMainLike[] }) => void): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (parentPort === undefined) {
  throw new Error('entry-electron.ts must run in an Electron utility process; use entry-node.ts under Node.');
}

/**
 * The assets to load: the first folder (bundled copy, then the user's cache) whose files of the
 * chosen variant pass the check; the cache when none does, so that is where a fetch puts them
 * (a damaged bundled copy is never what the engine loads, nor where it fetches to).
 */
async function chooseAssets(): Promise<{ engine: EngineOptions; paths: AssetPaths; trust: 'stamp' | 'size' }> {
  const env = process.env;
  const dirs = (env[WORKER_ENV.assetDirs] ?? '').split(path.delimiter).filter((d) => d !== '');
  const variant = parseVariant(env[WORKER_ENV.modelVariant] ?? DEFAULT_VARIANT);
  const ortCache = env[WORKER_ENV.ortCacheDir];
  const session = ortCache ? { session: { optimizedCacheDir: ortCache } } : {};
  const candidates = (dirs.length === 0 ? [undefined] : dirs).map((cacheDir) => assetPaths({ ...(cacheDir ? { cacheDir } : {}), variant }));
  const cache = candidates[candidates.length - 1] as AssetPaths;
  for (const paths of candidates) {
    // The bundled copy is sealed by the app's signature; only the user's cache carries fetch stamps.
    const trust = paths === cache ? 'stamp' : 'size';
    if (paths === cache || (await checkAssets(paths, undefined, { trust })).ok) {
      return { engine: { assets: paths, verifyAssets: trust === 'stamp', ...session }, paths, trust };
    }
  }
  return { engine: { assets: cache, verifyAssets: true, ...session }, paths: cache, trust: 'stamp' };
}

// Not awaited at the top: the message listener below must be attached at once.
const chosenPromise = chooseAssets();
const enginePromise = chosenPromise.then((chosen) => createEngine(chosen.engine));
const readinessPromise = Promise.all([chosenPromise, enginePromise]).then(([chosen, engine]) =>
  createReadiness({ warmUp: () => engine.warmUp(), paths: chosen.paths, trust: chosen.trust }),
);

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
    void Promise.all([enginePromise, readinessPromise]).then(([engine, readiness]) => {
      const stop = serve(fromMessagePortMain(port), engine, readiness);
      port.on('close', stop);
    });
  }
});
