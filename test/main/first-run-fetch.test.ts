// Runs under node:test: on a fresh machine (an empty cache) `npm run dev` and `npm start` fetch
// and verify the model before anything else, with the fetcher's progress, instead of starting an
// engine that cannot speak. The files come from a local mirror (KOKORO_BAR_ASSET_MIRRORS) of the
// verified cache, so the test needs no network.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { assetPaths, checkAssets } from '../../src-worker/assets/cache.ts';
import { fetchAssets } from '../../src-worker/assets/fetch.ts';
import { loadManifest } from '../../src-worker/assets/manifest.ts';
import { MIRRORS_ENV } from '../../src-worker/assets/fetch.ts';
import { findElectron } from '../../src-main/tools/start.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const START_TIMEOUT_MS = 180_000;

let scratch: string;
let mirror: string;

before(async () => {
  const real = (await fetchAssets({})).paths;
  scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'kokoro-first-fetch-'));
  mirror = path.join(scratch, 'mirror');
  await fsp.mkdir(path.join(mirror, 'voices'), { recursive: true });
  const manifest = loadManifest();
  for (const asset of [manifest.models.int8, manifest.config, ...manifest.voices]) {
    await fsp.symlink(path.join(real.cacheDir, asset.path), path.join(mirror, asset.path));
  }
});
after(() => fsp.rm(scratch, { recursive: true, force: true }));

const freshEnv = (cache: string): NodeJS.ProcessEnv => ({ ...process.env, KOKORO_BAR_CACHE: cache, [MIRRORS_ENV]: mirror });

test('npm run dev on an empty cache downloads and verifies the model first, then serves', { timeout: START_TIMEOUT_MS }, async () => {
  const cache = path.join(scratch, 'dev-cache');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src-main/dev-host/main.ts', '--port', '0', '--data-dir', path.join(scratch, 'dev-data')],
    {
      cwd: ROOT,
      env: freshEnv(cache),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within the time allowed:\n${out}`)), START_TIMEOUT_MS - 10_000);
      child.stdout.on('data', () => {
        if (/Kokoro Bar dev host: http:\/\/127\.0\.0\.1:\d+\//.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => reject(new Error(`dev host exited (${code}):\n${out}`)));
    });
  } finally {
    child.kill('SIGTERM');
  }
  const firstRun = out.indexOf('First run: downloading and verifying the Kokoro model files (int8) once.');
  const ready = out.indexOf('Kokoro int8 assets ready');
  const url = out.indexOf('Kokoro Bar dev host:');
  assert.ok(firstRun >= 0 && firstRun < ready && ready < url, out);
  assert.doesNotMatch(out, /\bagain\b/);
  assert.ok((await checkAssets(assetPaths({ cacheDir: cache }))).ok);
});

test('npm start fetches the model before it looks for Electron', { timeout: START_TIMEOUT_MS }, (t) => {
  if (findElectron().ok) {
    t.skip('an Electron binary is installed here, so npm start would launch the app');
    return;
  }
  const cache = path.join(scratch, 'start-cache');
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/tools/start.ts'], {
    cwd: ROOT,
    env: freshEnv(cache),
    encoding: 'utf8',
  });
  assert.equal(result.status, 1, 'no Electron here');
  assert.match(result.stdout, /Checking the model files[\s\S]*Kokoro int8 assets ready/);
  assert.match(result.stderr, /no Electron binary is installed/);
  return checkAssets(assetPaths({ cacheDir: cache })).then((check) => assert.ok(check.ok));
});
