// Runs under node:test: main.ts cannot run without Electron, so this reads its source and checks
// that it wires the security guards whose decisions window-security.test.ts and
// test-switches.test.ts test: every webContents guarded, every session's permissions answered,
// external links only through the allow-list, test switches only through readTestSwitches; and
// the settings voice checked against the worker's voices (settings.test.ts tests the decision).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
// Comments are left out so that a note mentioning a call cannot satisfy the check.
const code = (file: string) => read(file).replace(/^\s*\/\/.*$/gm, '');

test('main guards every webContents and session as they are created', () => {
  const main = code('src-main/main.ts');
  const created = /app\.on\('web-contents-created', \(_event, contents\) => \{([^}]*)\}\);/.exec(main);
  assert.ok(created, "main.ts registers app.on('web-contents-created')");
  assert.match(created[1] ?? '', /guardWebContents\(contents,/);
  assert.match(created[1] ?? '', /guardSession\(contents\.session\)/);
  assert.match(main, /guardSession\(session\.defaultSession\)/);
  // Registered before any window can exist: above the first BrowserWindow-creating call.
  assert.ok(main.indexOf("'web-contents-created'") < main.indexOf('app.whenReady()'));
});

test('main opens external URLs only through the allow-list and reads test switches only through readTestSwitches', () => {
  for (const file of ['src-main/main.ts', 'src-main/windows/windows.ts']) {
    const source = code(file);
    const direct = [...source.matchAll(/shell\.openExternal\(([^)]*)\)/g)].map((m) => m[0]);
    // The only shell.openExternal is the one handed to the guards as the opener.
    assert.deepEqual(direct, file.endsWith('main.ts') ? ['shell.openExternal(url)', 'shell.openExternal(url)'] : [], file);
    assert.doesNotMatch(source, /process\.env\[TEST_ENV|KOKORO_BAR_TEST_/, `${file} reads no test switch itself`);
  }
  const main = code('src-main/main.ts');
  for (const m of main.matchAll(/shell\.openExternal\(url\)/g)) {
    const before = main.slice(Math.max(0, (m.index ?? 0) - 80), m.index);
    assert.match(before, /guardWebContents\(contents, \(url\) => $|openExternalIfAllowed\([A-Z_]+, \(url\) => $/, before);
  }
  assert.match(main, /readTestSwitches\(process\.env, app\.isPackaged\)/);
});

test('main checks the settings voice when the voices arrive, and patches against them', () => {
  const main = code('src-main/main.ts');
  assert.match(main, /if \(event\.type === 'voices'\) \{\s*voices = event\.voices;\s*void checkSettingsVoice\(\);/);
  assert.match(main, /fallBackToKnownVoice\(settings, known\)/);
  const patches = [...main.matchAll(/applyPatch\(settings, patch(, knownVoices\(\))?\)/g)];
  assert.equal(patches.length, 2, 'the tray and the updateSettings handler');
  for (const m of patches) assert.equal(m[1], ', knownVoices()', m[0]);
});
