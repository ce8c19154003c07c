// Runs in the worker, for both of its entries (entry-electron.ts in the Electron utility process,
// entry-node.ts under plain Node): the one engine they serve, configured from the environment
// (WORKER_ENV), warmed up at start, serving each port it is handed, and shut down on request.
// The entries only adapt their runtime's ports and control messages to this.

import path from 'node:path';
import { parseVariant } from '../assets/manifest.ts';
import { DEFAULT_VARIANT } from '../protocol/messages.ts';
import { type AssetPaths, assetPaths, checkAssets } from '../assets/cache.ts';
import { createReadiness, type Readiness } from '../assets/readiness.ts';
import { createEngine, type Engine, type EngineOptions } from '../engine/engine.ts';
import type { PortLike } from '../protocol/messages.ts';
import { WORKER_ENV } from '../protocol/worker-env.ts';
import { serve } from './host.ts';

/** What to load: the engine's options and the folder readiness checks and fetches into. */
export interface ChosenAssets {
  engine: EngineOptions;
  /** Undefined when the files were handed over by path: they are not ours to check or fetch. */
  paths: AssetPaths | undefined;
  trust: 'stamp' | 'size';
}

/** Engine options handed over as JSON in WORKER_ENV.engine (tests, the CLI), if any. */
export function engineOptionsFromEnv(env: NodeJS.ProcessEnv): EngineOptions | undefined {
  const given = env[WORKER_ENV.engine];
  return given ? (JSON.parse(given) as EngineOptions) : undefined;
}

/**
 * The assets to load. Engine options in WORKER_ENV.engine win; otherwise the first asset folder
 * (bundled copy, then the user's cache) whose files of the chosen variant pass the check, or
 * the cache when none does, so that is where a fetch puts them (a damaged bundled copy is never
 * what the engine loads, nor where it fetches to). No folders: the user's cache.
 */
export async function chooseAssets(env: NodeJS.ProcessEnv): Promise<ChosenAssets> {
  const engine = engineOptionsFromEnv(env);
  if (engine) {
    return { engine, paths: engine.assets === undefined ? assetPaths() : undefined, trust: 'stamp' };
  }
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

/** The running worker, as an entry drives it. */
export interface WorkerBoot {
  /** Serves `port` once the engine is built; requests wait in the port until then. */
  serve(port: PortLike): void;
  /** Stops serving every port, then releases the sessions (after the run in flight). */
  shutdown(): Promise<void>;
}

/**
 * Builds the engine the environment describes and starts loading the phonemizer and the session
 * at once, so the first request does not pay for them; nothing is awaited, so an entry can
 * attach its listeners immediately.
 */
export function bootWorker(env: NodeJS.ProcessEnv = process.env): WorkerBoot {
  const ready: Promise<{ engine: Engine; readiness: Readiness }> = chooseAssets(env).then(async (chosen) => {
    const engine = await createEngine(chosen.engine);
    const readiness = createReadiness({ warmUp: () => engine.warmUp(), paths: chosen.paths, trust: chosen.trust });
    return { engine, readiness };
  });
  const stops = new Set<() => void>();
  let shuttingDown = false;

  // A failure is not fatal: the request that needs the missing piece gets the error with its fix.
  void ready
    .then(({ engine }) => engine.warmUp())
    .catch((error: unknown) => {
      console.error(`kokoro-bar worker: warm-up failed: ${error instanceof Error ? error.message : String(error)}`);
    });

  return {
    serve(port) {
      void ready.then(({ engine, readiness }) => {
        if (shuttingDown) return;
        const stop = serve(port, engine, readiness);
        stops.add(stop);
        port.onClose?.(() => {
          stop();
          stops.delete(stop);
        });
      });
    },
    async shutdown() {
      shuttingDown = true;
      const { engine } = await ready;
      for (const stop of stops) stop();
      stops.clear();
      await engine.dispose();
    },
  };
}
