// Runs under node:test: which assets a worker entry loads for a given environment (chooseAssets
// in src-worker/serve/boot.ts), on the real test cache: engine options handed over as JSON win;
// otherwise the first asset folder whose files pass the check (a bundled copy, trusted by size),
// else the last one, the user's cache (trusted by stamp), with its variant and graph cache.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { assetPaths } from '../../../src-worker/assets/cache.ts';
import { WORKER_ENV } from '../../../src-worker/protocol/worker-env.ts';
import { chooseAssets, type ChosenAssets } from '../../../src-worker/serve/boot.ts';

const cache = assetPaths();
const empty = mkdtempSync(path.join(os.tmpdir(), 'kokoro-boot-'));
after(() => rmSync(empty, { recursive: true, force: true }));
const files = { model: '/m/model.onnx', config: '/m/config.json', voicesDir: '/m/voices' };
const inEmpty = assetPaths({ cacheDir: empty });

const CASES: { name: string; env: NodeJS.ProcessEnv; expected: ChosenAssets }[] = [
  {
    name: 'nothing set: the user cache, default variant, verified by stamp',
    env: {},
    expected: { engine: { assets: cache, verifyAssets: true }, paths: cache, trust: 'stamp' },
  },
  {
    name: 'a variant: its files in the cache',
    env: { [WORKER_ENV.modelVariant]: 'fp16' },
    expected: {
      engine: { assets: assetPaths({ variant: 'fp16' }), verifyAssets: true },
      paths: assetPaths({ variant: 'fp16' }),
      trust: 'stamp',
    },
  },
  {
    name: 'a complete bundled copy first: loaded as is, trusted by size',
    env: { [WORKER_ENV.assetDirs]: [cache.cacheDir, empty].join(path.delimiter) },
    expected: { engine: { assets: cache, verifyAssets: false }, paths: cache, trust: 'size' },
  },
  {
    name: 'a missing bundled copy: the cache, the last folder',
    env: { [WORKER_ENV.assetDirs]: [empty, cache.cacheDir].join(path.delimiter) },
    expected: { engine: { assets: cache, verifyAssets: true }, paths: cache, trust: 'stamp' },
  },
  {
    name: 'only an empty cache: still the cache, where a fetch puts the files',
    env: { [WORKER_ENV.assetDirs]: empty },
    expected: { engine: { assets: inEmpty, verifyAssets: true }, paths: inEmpty, trust: 'stamp' },
  },
  {
    name: 'a graph cache folder goes to the sessions',
    env: { [WORKER_ENV.ortCacheDir]: '/tmp/ort' },
    expected: { engine: { assets: cache, verifyAssets: true, session: { optimizedCacheDir: '/tmp/ort' } }, paths: cache, trust: 'stamp' },
  },
  {
    name: 'engine options with files: used as given, nothing to check or fetch',
    env: { [WORKER_ENV.engine]: JSON.stringify({ assets: files }), [WORKER_ENV.modelVariant]: 'fp32' },
    expected: { engine: { assets: files }, paths: undefined, trust: 'stamp' },
  },
  {
    name: 'engine options without files: the engine defaults to the cache, readiness checks it',
    env: { [WORKER_ENV.engine]: JSON.stringify({ verifyAssets: false }) },
    expected: { engine: { verifyAssets: false }, paths: cache, trust: 'stamp' },
  },
];

for (const { name, env, expected } of CASES) {
  test(`chooseAssets: ${name}`, async () => {
    assert.deepEqual(await chooseAssets(env), expected);
  });
}

test('chooseAssets: an unknown variant is refused by name', async () => {
  await assert.rejects(chooseAssets({ [WORKER_ENV.modelVariant]: 'fp8' }), /Unknown model variant "fp8"/);
});
