// Runs under node:test: main as the settings' owner, with fake effects: a valid patch is written
// and sets off exactly what it changed; a bad one changes nothing; voices are checked against
// the installed ones once the worker has listed them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppCommand, Settings } from '../../../src-worker/protocol/messages.ts';
import { defaultSettings } from '../../../src-main/settings/settings.ts';
import { setupSettings } from '../../../src-main/settings/settings-owner.ts';

function owner(known?: string[], initial: Settings = defaultSettings()) {
  const effects: string[] = [];
  const written: Settings[] = [];
  const broadcasts: AppCommand[] = [];
  const notices: string[] = [];
  const settings = setupSettings({
    initial,
    write: async (next) => void written.push(next),
    knownVoices: () => (known === undefined ? undefined : new Set(known)),
    onHotkeysChanged: () => void effects.push('hotkeys'),
    onVariantChanged: (variant) => void effects.push(`variant:${variant}`),
    onLoginChanged: (open) => void effects.push(`login:${open}`),
    broadcast: (command) => void broadcasts.push(command),
    onChange: () => void effects.push('change'),
    notify: (level, message) => void notices.push(`${level}: ${message}`),
  });
  return { settings, effects, written, broadcasts, notices };
}

test('each valid patch is written, told to every window, and sets off only what it changed', async () => {
  const cases: Array<[Record<string, unknown>, string[]]> = [
    [{ speed: 1.5 }, ['change']],
    [{ hotkeys: { speakClipboard: 'Alt+Shift+K', speakSelection: '', stop: '' } }, ['hotkeys', 'change']],
    [{ modelVariant: 'fp16' }, ['variant:fp16', 'change']],
    [{ launchAtLogin: true }, ['login:true', 'change']],
    [{ launchAtLogin: true }, ['change']],
  ];
  const o = owner();
  for (const [patch, effects] of cases) {
    o.effects.length = 0;
    const result = await o.settings.update(patch);
    assert.ok(result.ok, JSON.stringify(patch));
    assert.deepEqual(o.effects, effects, JSON.stringify(patch));
    assert.deepEqual(o.written.at(-1), o.settings.current());
    assert.deepEqual(o.broadcasts.at(-1), { type: 'settings-changed', settings: o.settings.current() });
  }
  assert.equal(o.settings.current().speed, 1.5);
  assert.equal(o.written.length, cases.length);
});

test('a bad patch is refused with the reason and changes nothing; from the tray it is a notice', async () => {
  const o = owner();
  const before = o.settings.current();
  const refused = await o.settings.update({ speed: 9 });
  assert.equal(refused.ok, false);
  assert.match(refused.ok ? '' : refused.message, /speed/);
  await o.settings.updateFromTray({ colour: 'red' });
  assert.equal(o.notices.length, 1);
  assert.match(o.notices[0] ?? '', /^error: .*colour/);
  assert.equal(o.settings.current(), before);
  assert.deepEqual([o.written, o.broadcasts, o.effects], [[], [], []]);
});

test('a voice that is not installed is refused once the voices are known, and an installed one is taken', async () => {
  const unknown = owner();
  assert.ok((await unknown.settings.update({ voice: 'zz_nobody' })).ok, 'any well-formed id before the worker has listed voices');
  const known = owner(['af_heart', 'bm_george']);
  assert.equal((await known.settings.update({ voice: 'zz_nobody' })).ok, false);
  assert.ok((await known.settings.update({ voice: 'bm_george' })).ok);
});

test('checkVoice puts a settings voice that is not installed back to the default, with a notice', async () => {
  const o = owner(['af_heart']);
  await o.settings.checkVoice();
  assert.deepEqual([o.written, o.notices], [[], []], 'the default voice is installed: nothing to do');

  const stale = owner(['af_heart'], { ...defaultSettings(), voice: 'bm_george' });
  await stale.settings.checkVoice();
  assert.equal(stale.settings.current().voice, 'af_heart');
  assert.deepEqual(
    stale.written.map((settings) => settings.voice),
    ['af_heart'],
  );
  assert.deepEqual(stale.broadcasts, [{ type: 'settings-changed', settings: stale.settings.current() }]);
  assert.equal(stale.notices.length, 1);
  assert.match(stale.notices[0] ?? '', /^warning: .*bm_george/);
});
