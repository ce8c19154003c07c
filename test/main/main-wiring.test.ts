// Runs under node:test: main.ts cannot run without Electron, so this reads its source and checks
// the wiring whose decisions other tests cover: every webContents guarded and every session's
// permissions answered (window-security.test.ts), external links only through the allow-list,
// test switches only through readTestSwitches (test-switches.test.ts), and the settings voice
// checked against the worker's voices (settings-owner.test.ts, worker-link.test.ts). It also
// checks the shape the setup modules rely on: only main.ts and the preload load Electron at run
// time (every other src-main file imports it as types, so its tests run under plain Node), and
// nothing imports main.ts (no cycle back into the entry).

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
// Comments are left out so that a note mentioning a call cannot satisfy the check.
const code = (file: string) => read(file).replace(/^\s*\/\/.*$/gm, '');

/** The `setupX(deps)` modules main.ts wires (and the test hooks). */
const SETUP_MODULES = [
  'src-main/app/commands.ts',
  'src-main/app/test-hooks.ts',
  'src-main/ipc/ipc.ts',
  'src-main/settings/settings-owner.ts',
  'src-main/shortcuts/hotkeys.ts',
  'src-main/tray/tray.ts',
  'src-main/windows/window-registry.ts',
  'src-main/worker/worker-link.ts',
];

test('main guards every webContents and session as they are created', () => {
  const main = code('src-main/main.ts');
  const created = /app\.on\('web-contents-created', \(_event, contents\) => \{([^}]*)\}\);/.exec(main);
  assert.ok(created, "main.ts registers app.on('web-contents-created')");
  assert.match(created[1] ?? '', /guardWebContents\(contents,/);
  assert.match(created[1] ?? '', /guardSession\(contents\.session\)/);
  assert.match(main, /guardSession\(session\.defaultSession\)/);
  // Registered before any window can exist: above the first BrowserWindow-creating call.
  const ready = main.search(/app\s*\.whenReady\(\)/); // a formatter may break the chain onto lines
  assert.ok(ready !== -1 && main.indexOf("'web-contents-created'") < ready);
});

test('main opens external URLs only through the allow-list and reads test switches only through readTestSwitches', () => {
  for (const file of ['src-main/main.ts', 'src-main/windows/windows.ts', ...SETUP_MODULES]) {
    const source = code(file);
    const direct = [...source.matchAll(/shell\.openExternal\(([^)]*)\)/g)].map((m) => m[0]);
    // The only shell.openExternal is the one handed to the guards as the opener.
    assert.deepEqual(direct, file.endsWith('/main.ts') ? ['shell.openExternal(url)', 'shell.openExternal(url)'] : [], file);
    assert.doesNotMatch(source, /process\.env\[TEST_ENV|KOKORO_BAR_TEST_/, `${file} reads no test switch itself`);
  }
  const main = code('src-main/main.ts');
  for (const m of main.matchAll(/shell\.openExternal\(url\)/g)) {
    const before = main.slice(Math.max(0, (m.index ?? 0) - 80), m.index);
    assert.match(before, /guardWebContents\(contents, \(url\) => $|openExternalIfAllowed\([A-Z_]+, \(url\) => $/, before);
  }
  assert.match(main, /readTestSwitches\(process\.env, app\.isPackaged\)/);
  assert.match(main, /if \(testSwitches\.hooks\) \{\s*exposeTestHooks\(/, 'the hooks only when the switches ask');
});

test('main checks the settings voice when the voices arrive, and patches against them', () => {
  const main = code('src-main/main.ts');
  assert.match(main, /onVoices: \(\) => void settings\.checkVoice\(\)/);
  assert.match(main, /knownVoices: \(\) => link\.knownVoices\(\)/);
  // Every settings write from a window or the tray goes through the owner, which checks the voices.
  assert.match(main, /updateSettings: \(patch\) => settings\.update\(patch\)/);
  assert.match(main, /updateSettings: \(patch\) => settings\.updateFromTray\(patch\)/);
  assert.doesNotMatch(main, /applyPatch\(/, 'no write around the owner');
});

test('only main.ts and the preload load Electron at run time, and nothing imports main.ts', () => {
  const files = readdirSync(path.join(ROOT, 'src-main'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /\.(ts|mjs)$/.test(f))
    .map((f) => f.split(path.sep).join('/'));
  for (const file of [...SETUP_MODULES.map((f) => f.slice('src-main/'.length)), 'windows/windows.ts'])
    assert.ok(files.includes(file), file);
  const loaders = files.filter((file) => {
    const imports = [...code(path.join('src-main', file)).matchAll(/^import (type )?[^;]*? from '([^']+)';/gms)];
    return (
      imports.some(([, typeOnly, from]) => from === 'electron' && typeOnly === undefined) ||
      /require\('electron'\)|(?<!typeof )import\('electron'\)/.test(code(path.join('src-main', file)))
    );
  });
  assert.deepEqual(loaders.sort(), ['main.ts', 'preload/preload.ts']);
  for (const file of files) {
    const source = read(path.join('src-main', file));
    const fromMain = [...source.matchAll(/from '([^']+)'/g)]
      .map((m) => path.resolve(path.join(ROOT, 'src-main', path.dirname(file)), m[1] ?? ''))
      .filter((target) => target === path.join(ROOT, 'src-main', 'main.ts'));
    assert.deepEqual(fromMain, [], `${file} imports main.ts`);
  }
});
