// Runs in the tests: where the real Kokoro model files are for tests that synthesise. The
// verified cache (`npx kokoro-bar fetch`, which `.ci/run` and `npm test`'s pretest run) comes
// first; without it, a developer may name a model file with KOKORO_BAR_DEV_MODEL, read with the
// config and voices of the shared dev copies. No machine path is assumed: the cache follows
// KOKORO_BAR_CACHE (else the platform's cache folder), and the shared copies sit beside the
// checkout (`../shared/kokoro`, as CI lays it out) unless KOKORO_BAR_DEV_SHARED names them.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { assetPaths, checkAssets } from '../../src-worker/assets/cache.ts';

/** The three files an engine needs. */
export interface ModelFiles {
  model: string;
  config: string;
  voicesDir: string;
}

const DEV_MODEL = process.env['KOKORO_BAR_DEV_MODEL'];
const DEV_SHARED = process.env['KOKORO_BAR_DEV_SHARED'] ?? path.resolve(import.meta.dirname, '../../../shared/kokoro');

/** The real model files: the verified cache if complete, else the development copies. */
export async function modelFiles(): Promise<ModelFiles> {
  const cached = assetPaths();
  if ((await checkAssets(cached)).ok) return cached;
  if (DEV_MODEL !== undefined) {
    const dev = { model: DEV_MODEL, config: path.join(DEV_SHARED, 'config.json'), voicesDir: path.join(DEV_SHARED, 'voices') };
    if (existsSync(dev.model) && existsSync(dev.config)) return dev;
    throw new Error(`KOKORO_BAR_DEV_MODEL names ${DEV_MODEL}, but it or ${dev.config} is missing.`);
  }
  throw new Error(
    'The Kokoro model is not installed: run `npx kokoro-bar fetch` before the tests (or name a model with KOKORO_BAR_DEV_MODEL).',
  );
}
