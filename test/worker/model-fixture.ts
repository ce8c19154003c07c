// Runs in the tests: where the real Kokoro model files are for tests that synthesise. The
// verified cache (`npx kokoro-bar fetch`, which `.ci/run` runs) comes first; on a developer
// machine without it, the files named by KOKORO_BAR_DEV_MODEL / the shared dev copies are used.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { assetPaths, checkAssets } from '../../src-worker/assets/cache.ts';

/** The three files an engine needs. */
export interface ModelFiles {
  model: string;
  config: string;
  voicesDir: string;
}

const DEV_MODEL = process.env['KOKORO_BAR_DEV_MODEL'] ?? '/tmp/kmodel/joined.onnx';
const DEV_SHARED = path.resolve(import.meta.dirname, '../../../shared/kokoro');

/** The real model files: the verified cache if complete, else the development copies. */
export async function modelFiles(): Promise<ModelFiles> {
  const cached = assetPaths();
  if ((await checkAssets(cached)).ok) return cached;
  const dev = { model: DEV_MODEL, config: path.join(DEV_SHARED, 'config.json'), voicesDir: path.join(DEV_SHARED, 'voices') };
  if (existsSync(dev.model) && existsSync(dev.config)) return dev;
  throw new Error('The Kokoro model is not installed: run `npx kokoro-bar fetch` before the tests.');
}
