// Runs in the Node test runner: resolveAppPaths gives the dev and packaged layouts of
// [Note: Packaged layout], and refuses relative facts.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveAppPaths, type AppPathFacts } from '../../src-main/app/paths.ts';

const RESOURCES = '/Applications/Kokoro Bar.app/Contents/Resources';
const USER_DATA = '/Users/ada/Library/Application Support/Kokoro Bar';
const CACHE = '/Users/ada/Library/Caches/Kokoro Bar/models';

const packaged: AppPathFacts = {
  isPackaged: true,
  appPath: `${RESOURCES}/app.asar`,
  resourcesPath: RESOURCES,
  userDataPath: USER_DATA,
  assetCacheDir: CACHE,
  platform: 'darwin',
  arch: 'arm64',
};

test('packaged layout: code in app.asar, natives and worker unpacked, models in Resources', () => {
  const p = resolveAppPaths(packaged);
  assert.equal(p.rendererIndex, `${RESOURCES}/app.asar/dist/renderer/index.html`);
  assert.equal(p.preload, `${RESOURCES}/app.asar/dist/main/preload.cjs`);
  assert.equal(p.workerEntry, `${RESOURCES}/app.asar/dist/worker/entry-electron.js`);
  assert.equal(p.workerEntryOnDisk, `${RESOURCES}/app.asar.unpacked/dist/worker/entry-electron.js`);
  assert.equal(p.onnxBinaryDir, `${RESOURCES}/app.asar.unpacked/node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64`);
  assert.equal(p.bundledAssetsDir, `${RESOURCES}/models`);
  assert.deepEqual(p.assetDirs, [`${RESOURCES}/models`, CACHE]);
  assert.equal(p.settingsFile, `${USER_DATA}/settings.json`);
  assert.equal(p.ortCacheDir, `${USER_DATA}/ort-cache`);
});

test('dev layout: everything from the checkout, nothing bundled', () => {
  const p = resolveAppPaths({ ...packaged, isPackaged: false, appPath: '/src/kokoro-bar', resourcesPath: '/src/kokoro-bar/node_modules/electron/dist/resources' });
  assert.equal(p.rendererIndex, '/src/kokoro-bar/dist/renderer/index.html');
  assert.equal(p.workerEntry, p.workerEntryOnDisk);
  assert.equal(p.onnxBinaryDir, '/src/kokoro-bar/node_modules/onnxruntime-node/bin/napi-v6/darwin/arm64');
  assert.equal(p.bundledAssetsDir, null);
  assert.deepEqual(p.assetDirs, [CACHE]);
});

test('nothing the app writes lands inside the (signed, read-only) app bundle', () => {
  const p = resolveAppPaths(packaged);
  for (const writable of [p.settingsFile, p.ortCacheDir, p.userAssetsDir]) {
    assert.ok(!writable.startsWith(RESOURCES), `${writable} is inside the app bundle`);
  }
});

test('relative facts are refused with the name of the fact', () => {
  assert.throws(() => resolveAppPaths({ ...packaged, userDataPath: 'Library/Kokoro' }), /userDataPath must be an absolute path/);
});
