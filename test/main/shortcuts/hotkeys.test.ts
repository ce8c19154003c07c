// Runs under node:test: global shortcut registration reports every shortcut that is not active;
// the app's set is replaced as a whole when the settings change.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { registerHotkeys, setupHotkeys, type ShortcutRegistrar } from '../../../src-main/shortcuts/hotkeys.ts';

function registrar(taken: string[]) {
  const active = new Map<string, () => void>();
  const r: ShortcutRegistrar = {
    register(accelerator, callback) {
      if (taken.includes(accelerator)) return false;
      active.set(accelerator, callback);
      return true;
    },
    unregister(accelerator) {
      active.delete(accelerator);
    },
  };
  return { r, active };
}

const noop = { speakClipboard: () => {}, speakSelection: () => {}, stop: () => {} };

test('valid hotkeys are registered and call their action; dispose unregisters them', () => {
  const { r, active } = registrar([]);
  let spoken = 0;
  const reg = registerHotkeys(
    { speakClipboard: 'Control+Alt+V', speakSelection: 'Control+Alt+S', stop: '' },
    { ...noop, speakClipboard: () => spoken++ },
    r,
  );
  assert.deepEqual(reg.problems, []);
  assert.deepEqual([...active.keys()], ['Control+Alt+V', 'Control+Alt+S']);
  active.get('Control+Alt+V')?.();
  assert.equal(spoken, 1);
  reg.dispose();
  assert.equal(active.size, 0);
});

test('a shortcut held by another app is reported, the others still work', () => {
  const { r, active } = registrar(['Control+Alt+S']);
  const reg = registerHotkeys({ speakClipboard: 'Control+Alt+V', speakSelection: 'Control+Alt+S', stop: 'Control+Alt+Escape' }, noop, r);
  assert.equal(reg.problems.length, 1);
  assert.match(reg.problems[0] ?? '', /Speak Selection: ⌃⌥S \(Control\+Alt\+S\) could not be registered.*Settings/);
  assert.deepEqual(Object.keys(reg.registered), ['speakClipboard', 'stop']);
  assert.equal(active.size, 2);
});

test('invalid or reserved shortcuts are reported and never registered', () => {
  const { r, active } = registrar([]);
  const reg = registerHotkeys({ speakClipboard: 'Alt+Escape', speakSelection: 'Banana+', stop: 'Control+Alt+X' }, noop, r);
  assert.equal(reg.problems.length, 2);
  assert.match(reg.problems.join('\n'), /Spoken Content/);
  assert.deepEqual([...active.keys()], ['Control+Alt+X']);
});

test('a registrar that throws counts as a refusal', () => {
  const r: ShortcutRegistrar = {
    register: () => {
      throw new Error('conversion failed');
    },
    unregister: () => {},
  };
  const reg = registerHotkeys({ speakClipboard: 'Control+Alt+V', speakSelection: '', stop: '' }, noop, r);
  assert.equal(reg.problems.length, 1);
});

test('setupHotkeys replaces the whole set on each apply and warns about each shortcut that is not active', () => {
  const { r, active } = registrar(['Control+Alt+X']);
  let hotkeys = { speakClipboard: 'Control+Alt+V', speakSelection: '', stop: 'Control+Alt+X' };
  const warnings: string[] = [];
  let stopped = 0;
  const app = setupHotkeys({
    registrar: r,
    platform: 'darwin',
    hotkeys: () => hotkeys,
    actions: { ...noop, stop: () => stopped++ },
    warn: (message) => void warnings.push(message),
  });
  assert.deepEqual(app.registered(), {}, 'nothing before apply');
  app.apply();
  assert.deepEqual(app.registered(), { speakClipboard: 'Control+Alt+V' });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /Control\+Alt\+X/);

  hotkeys = { speakClipboard: '', speakSelection: '', stop: 'Control+Alt+S' };
  app.apply();
  assert.deepEqual([...active.keys()], ['Control+Alt+S'], 'the old set is unregistered');
  active.get('Control+Alt+S')?.();
  assert.equal(stopped, 1);
  assert.equal(warnings.length, 1, 'no new warning');
});
