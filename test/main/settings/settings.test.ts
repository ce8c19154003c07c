// Runs under node:test: settings schema, migration, corrupt-file recovery and atomic writes.

import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { SETTINGS_FILE_NAME } from '../../../src-main/app/paths.ts';
import {
  applyPatch,
  defaultSettings,
  fallBackToKnownVoice,
  loadSettings,
  migrate,
  writeSettings,
} from '../../../src-main/settings/settings.ts';
import { settingsSchema } from '../../../src-worker/protocol/messages.ts';

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'kokoro-settings-'));
}

const NOW = new Date('2026-01-02T03:04:05.678Z');

test('the defaults are valid settings as a whole', () => {
  assert.deepEqual(settingsSchema.parse(defaultSettings()), defaultSettings());
});

test('a missing file gives defaults and no notice', async () => {
  const dir = await tempDir();
  const loaded = await loadSettings(dir);
  assert.deepEqual(loaded.settings, defaultSettings());
  assert.deepEqual(loaded.notices, []);
});

test('settings written are read back unchanged, and no temp file is left', async () => {
  const dir = await tempDir();
  const settings = { ...defaultSettings(), voice: 'bf_emma', speed: 1.25, favourites: ['af_bella'] };
  await writeSettings(dir, settings);
  await writeSettings(dir, settings); // overwriting works too
  const loaded = await loadSettings(dir);
  assert.deepEqual(loaded.settings, settings);
  assert.deepEqual(loaded.notices, []);
  assert.deepEqual(await fs.readdir(dir), [SETTINGS_FILE_NAME]);
});

test('writes create the folder', async () => {
  const dir = path.join(await tempDir(), 'nested', 'deeper');
  await writeSettings(dir, defaultSettings());
  assert.ok((await fs.stat(path.join(dir, SETTINGS_FILE_NAME))).isFile());
});

const CORRUPT: Array<[string, string, RegExp]> = [
  ['truncated JSON', '{"version": 1, "voice": "af_he', /not valid JSON/],
  ['empty file', '', /not valid JSON/],
  ['an array', '[1,2,3]', /JSON object/],
  ['null', 'null', /JSON object/],
  ['a newer version', '{"version": 99, "voice": "af_heart"}', /newer Kokoro Bar/],
  ['a bad version', '{"version": "one"}', /whole number/],
];

for (const [name, content, reason] of CORRUPT) {
  test(`a corrupt file (${name}) is moved aside and defaults are used with a notice`, async () => {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, SETTINGS_FILE_NAME), content);
    const loaded = await loadSettings(dir, NOW);
    assert.deepEqual(loaded.settings, defaultSettings());
    assert.equal(loaded.notices.length, 1);
    assert.match(loaded.notices[0] ?? '', reason);
    assert.ok(loaded.backupPath !== undefined);
    assert.match(loaded.notices[0] ?? '', /kept as/);
    assert.equal(await fs.readFile(loaded.backupPath, 'utf8'), content, 'the backup holds the exact bytes');
    await assert.rejects(fs.stat(path.join(dir, SETTINGS_FILE_NAME)), /ENOENT/);
  });
}

test('bad fields take defaults alone, good ones are kept, and the old file is copied aside', async () => {
  const dir = await tempDir();
  const content = JSON.stringify({
    version: 1,
    voice: 'bf_emma',
    speed: 7,
    provider: { provider: 'gpu' },
    launchAtLogin: true,
    mystery: 1,
  });
  await fs.writeFile(path.join(dir, SETTINGS_FILE_NAME), content);
  const loaded = await loadSettings(dir, NOW);
  assert.equal(loaded.settings.voice, 'bf_emma');
  assert.equal(loaded.settings.launchAtLogin, true);
  assert.equal(loaded.settings.speed, defaultSettings().speed);
  assert.deepEqual(loaded.settings.provider, defaultSettings().provider);
  const notice = loaded.notices.join(' ');
  assert.match(notice, /"speed"/);
  assert.match(notice, /"provider"/);
  assert.match(notice, /mystery/);
  assert.ok(loaded.backupPath !== undefined);
  assert.equal(await fs.readFile(loaded.backupPath, 'utf8'), content);
  // Parsing strips unknown keys, so equal means valid and nothing extra.
  assert.deepEqual(settingsSchema.parse(loaded.settings), loaded.settings, 'the repaired settings are valid as a whole');
  // The repaired file is what is on disk now, and reads back cleanly.
  const again = await loadSettings(dir, NOW);
  assert.deepEqual(again.settings, loaded.settings);
  assert.deepEqual(again.notices, []);
});

test('clashing hotkeys in the file are replaced by the defaults with a notice', async () => {
  const dir = await tempDir();
  const hotkeys = { speakClipboard: 'Alt+Escape', speakSelection: 'Control+Alt+S', stop: 'Control+Alt+X' };
  await fs.writeFile(path.join(dir, SETTINGS_FILE_NAME), JSON.stringify({ version: 1, hotkeys }));
  const loaded = await loadSettings(dir, NOW);
  assert.deepEqual(loaded.settings.hotkeys, defaultSettings().hotkeys);
  assert.match(loaded.notices.join(' '), /Spoken Content/);
});

test('a version-0 file is migrated and rewritten as the current version', async () => {
  const dir = await tempDir();
  await fs.writeFile(
    path.join(dir, SETTINGS_FILE_NAME),
    JSON.stringify({ voice: 'am_adam', rate: 1.5, useCoreML: false, shortcut: 'Control+Alt+K' }),
  );
  const loaded = await loadSettings(dir, NOW);
  assert.deepEqual(loaded.notices, []);
  assert.equal(loaded.settings.version, 2);
  assert.equal(loaded.settings.pauseScale, 1);
  assert.equal(loaded.settings.voice, 'am_adam');
  assert.equal(loaded.settings.speed, 1.5);
  assert.deepEqual(loaded.settings.provider, { provider: 'cpu' });
  assert.equal(loaded.settings.hotkeys.speakClipboard, 'Control+Alt+K');
  const onDisk = JSON.parse(await fs.readFile(path.join(dir, SETTINGS_FILE_NAME), 'utf8'));
  assert.equal(onDisk.version, 2);
  assert.equal(onDisk.speed, 1.5);
});

test('a version-1 file gains the natural pause scale; a bad pause scale takes the default with a notice', async () => {
  // [file, expected pauseScale, notice?]
  const table: [Record<string, unknown>, number, RegExp | undefined][] = [
    [{ version: 1, voice: 'bf_emma' }, 1, undefined],
    [{ version: 2, pauseScale: 0.5 }, 0.5, undefined],
    [{ version: 2, pauseScale: 9 }, 1, /"pauseScale"/],
    [{ version: 2, pauseScale: 'long' }, 1, /"pauseScale"/],
  ];
  for (const [file, pauseScale, notice] of table) {
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, SETTINGS_FILE_NAME), JSON.stringify(file));
    const loaded = await loadSettings(dir, NOW);
    assert.equal(loaded.settings.pauseScale, pauseScale, JSON.stringify(file));
    assert.equal(loaded.settings.version, 2);
    if (notice) assert.match(loaded.notices.join(' '), notice);
    else assert.deepEqual(loaded.notices, []);
  }
});

test('migrate leaves a current file as it is and refuses newer ones', () => {
  const current = { version: 2, voice: 'af_heart' };
  assert.equal(migrate(current), current);
  assert.deepEqual(migrate({ version: 1, voice: 'af_heart' }), { version: 2, voice: 'af_heart', pauseScale: 1 });
  assert.throws(() => migrate({ version: 3 }), /newer/);
});

test('applyPatch merges good patches and names what is wrong in bad ones', () => {
  const base = defaultSettings();
  const good = applyPatch(base, { speed: 1.5, voice: 'af_heart:0.7,af_bella:0.3' });
  assert.ok(good.ok);
  assert.equal(good.settings.speed, 1.5);
  assert.equal(good.settings.voice, 'af_heart:0.7,af_bella:0.3');
  assert.equal(good.settings.provider, base.provider);

  const cases: Array<[unknown, RegExp]> = [
    [{ speed: 0.1 }, /"speed"/],
    [{ speed: '1' }, /"speed"/],
    [{ version: 2 }, /version/],
    [{ voice: '' }, /"voice"/],
    [{ provider: { provider: 'tpu' } }, /"provider/],
    [{ hotkeys: { speakClipboard: 'Control+Alt+V', speakSelection: 'Control+Alt+V', stop: '' } }, /also the Speak Clipboard/],
    [{ hotkeys: { speakClipboard: 'Command+Space', speakSelection: '', stop: '' } }, /Spotlight/],
    [{ hotkeys: { speakClipboard: 'S', speakSelection: '', stop: '' } }, /key you type/],
    ['speed=2', /Settings not saved/],
    [null, /Settings not saved/],
  ];
  for (const [patch, message] of cases) {
    const result = applyPatch(base, patch);
    assert.equal(result.ok, false, `patch ${JSON.stringify(patch)} should be refused`);
    if (!result.ok) assert.match(result.message, message, JSON.stringify(patch));
  }
});

const INSTALLED = new Set(['af_alloy', 'af_bella', 'af_heart', 'am_adam', 'bf_alice', 'bm_daniel', 'bm_george', 'ef_dora', 'zm_yunxi']);

test('a settings voice that is not installed falls back to the default with a notice', () => {
  const base = { ...defaultSettings(), speed: 1.5 };
  const table: [string, RegExp | null][] = [
    ['af_heart', null],
    ['bm_george', null],
    ['af_heart:0.7,af_bella:0.3', null],
    ['af_nobody', /^The voice "af_nobody" in your settings is not installed, so Kokoro Bar is using af_heart instead\./],
    ['af_heart:0.5,zz_gone:0.5', /^The voice blend "af_heart:0.5,zz_gone:0.5" in your settings names "zz_gone", which is not installed/],
    [' , ', /not installed/],
  ];
  for (const [voice, notice] of table) {
    const fix = fallBackToKnownVoice({ ...base, voice }, INSTALLED);
    if (notice === null) {
      assert.equal(fix, null, voice);
      continue;
    }
    assert.ok(fix, voice);
    assert.match(fix.notice, notice, voice);
    assert.deepEqual(fix.settings, { ...base, voice: 'af_heart' }, `${voice}: only the voice changes`);
  }
  // Without the default voice installed, the first installed one; with no list, nothing to say.
  const noHeart = new Set([...INSTALLED].filter((id) => id !== 'af_heart'));
  assert.equal(fallBackToKnownVoice({ ...base, voice: 'af_heart' }, noHeart)?.settings.voice, 'af_alloy');
  assert.equal(fallBackToKnownVoice({ ...base, voice: 'af_nobody' }, new Set()), null);
});

test('once the voices are known, a patch naming an unknown voice is refused with a short hint', () => {
  const current = defaultSettings();
  const refused = applyPatch(current, { voice: 'af_hert' }, INSTALLED);
  assert.equal(refused.ok, false);
  assert.match(
    refused.ok ? '' : refused.message,
    /^Settings not saved: the voice "af_hert" is not installed\. Did you mean af_heart\? Choose one of 9 voices, e\.g\. af_heart/,
  );
  const blend = applyPatch(current, { voice: 'af_heart:0.5,xx_no:0.5' }, INSTALLED);
  assert.match(blend.ok ? '' : blend.message, /"xx_no" is not installed/);
  assert.deepEqual(applyPatch(current, { voice: 'bm_george' }, INSTALLED), { ok: true, settings: { ...current, voice: 'bm_george' } });
  // Before the list arrives, any well-formed id is taken (the worker answers unknown ones).
  assert.equal(applyPatch(current, { voice: 'af_hert' }).ok, true);
  assert.equal(applyPatch(current, { speed: 1.5 }, INSTALLED).ok, true, 'other fields need no voice list');
});
