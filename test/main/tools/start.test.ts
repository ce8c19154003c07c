// Runs under node:test: `npm start` explains a missing Electron binary instead of crashing.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findElectron, noElectronMessage } from '../../../src-main/tools/start.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

test('findElectron tells a missing binary from a present one', () => {
  const thrown = findElectron(() => {
    throw new Error('Electron failed to install correctly, please delete node_modules/electron\nand more');
  });
  assert.deepEqual(thrown, { ok: false, reason: 'Electron failed to install correctly, please delete node_modules/electron' });
  const gone = findElectron(
    () => '/nowhere/electron',
    () => false,
  );
  assert.equal(gone.ok, false);
  const there = findElectron(
    () => '/opt/electron',
    () => true,
  );
  assert.deepEqual(there, { ok: true, binary: '/opt/electron' });
  assert.match(noElectronMessage('x'), /npm run dev/);
});

test('npm start without an Electron binary prints guidance, not a stack trace', (t) => {
  if (findElectron().ok) {
    t.skip('an Electron binary is installed here, so npm start would launch the app');
    return;
  }
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src-main/tools/start.ts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /no Electron binary is installed/);
  assert.match(result.stderr, /npm run dev/);
  assert.doesNotMatch(result.stderr, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
});
