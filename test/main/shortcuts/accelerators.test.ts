// Runs under node:test: accelerator parsing, validation and clash detection.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_HOTKEYS,
  checkHotkeys,
  displayAccelerator,
  findHotkeyProblems,
  parseAccelerator,
  reservedOwner,
  validateGlobalShortcut,
} from '../../../src-main/shortcuts/accelerators.ts';

test('spellings of the same shortcut share one canonical form', () => {
  const table: Array<[string, string]> = [
    ['Control+Alt+S', 'Control+Alt+S'],
    ['Ctrl+Option+s', 'Control+Alt+S'],
    ['alt+ctrl+S', 'Control+Alt+S'],
    ['CmdOrCtrl+Shift+P', 'Shift+Command+P'],
    ['CommandOrControl+Shift+P', 'Shift+Command+P'],
    ['Cmd+Shift+P', 'Shift+Command+P'],
    ['Option+Esc', 'Alt+Escape'],
    ['Alt+Escape', 'Alt+Escape'],
    ['Control+Alt+Return', 'Control+Alt+Enter'],
    ['Control+Alt+Enter', 'Control+Alt+Enter'],
    ['Meta+F5', 'Super+F5'],
    ['Control+Alt+Plus', 'Control+Alt+Plus'],
    ['Control+Alt++', 'Control+Alt+Plus'],
    ['Control+Alt+.', 'Control+Alt+.'],
    ['F13', 'F13'],
    ['MediaPlayPause', 'MediaPlayPause'],
  ];
  for (const [input, canonical] of table) {
    const checked = validateGlobalShortcut(input);
    assert.ok(checked.ok, `${input}: ${checked.ok ? '' : checked.message}`);
    assert.equal(checked.value, canonical, input);
  }
});

test('CommandOrControl means Control off macOS', () => {
  const checked = validateGlobalShortcut('CmdOrCtrl+Shift+P', 'linux');
  assert.ok(checked.ok);
  assert.equal(checked.value, 'Control+Shift+P');
});

test('malformed accelerators are refused with a reason', () => {
  const table: Array<[string, RegExp]> = [
    ['', /empty/],
    ['   ', /empty/],
    ['Control+', /empty part/],
    ['Control++Alt', /empty part|must come last/],
    ['Control+Alt', /no key/],
    ['Control+Alt+S+D', /two keys/],
    ['S+Control', /after the key/],
    ['Control+Control+S', /repeats/],
    ['Cmd+Command+S', /repeats/],
    ['Control+Alt+F25', /not a key/],
    ['Control+Alt+Banana', /not a key/],
    ['Control+Alt+é', /not a key/],
    ['S', /key you type/],
    ['Shift+S', /key you type/],
    ['Space', /key you type/],
    ['F5', /key you type/],
  ];
  for (const [input, reason] of table) {
    const checked = validateGlobalShortcut(input);
    assert.equal(checked.ok, false, `${input} should be refused`);
    if (!checked.ok) {
      assert.match(checked.message, reason, input);
      assert.ok(checked.message.includes(`"${input}"`) || input.trim() === '' || checked.message.includes('"'), input);
    }
  }
});

test('parseAccelerator orders modifiers the macOS way', () => {
  const parsed = parseAccelerator('Command+Shift+Alt+Control+K');
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.modifiers, ['Control', 'Alt', 'Shift', 'Command']);
  assert.equal(parsed.value.key, 'K');
});

test("macOS's own shortcuts are recognised, Spoken Content's Option-Esc first of all", () => {
  assert.match(reservedOwner('Alt+Escape') ?? '', /Spoken Content/);
  assert.match(reservedOwner('Command+Space') ?? '', /Spotlight/);
  assert.match(reservedOwner('Shift+Command+4') ?? '', /screenshot/);
  assert.equal(reservedOwner('Control+Alt+S'), null);
  const problems = findHotkeyProblems({ speakClipboard: 'Option+Esc', speakSelection: 'Cmd+C', stop: '' });
  assert.equal(problems.length, 2);
  assert.match(problems[0]?.message ?? '', /Speak Clipboard.*Spoken Content/);
  assert.match(problems[1]?.message ?? '', /Speak Selection.*Copy/);
});

test('two slots with the same shortcut (in any spelling) clash', () => {
  const problems = findHotkeyProblems({
    speakClipboard: 'Control+Alt+K',
    speakSelection: 'Ctrl+Option+k',
    stop: 'Control+Alt+K',
  });
  assert.deepEqual(
    problems.map((p) => p.slot),
    ['speakSelection', 'stop'],
  );
  assert.match(problems[0]?.message ?? '', /also the Speak Clipboard shortcut/);
});

test('the defaults are valid, distinct and free of system shortcuts; empty slots are allowed', () => {
  assert.equal(checkHotkeys({ ...DEFAULT_HOTKEYS }), null);
  for (const accelerator of Object.values(DEFAULT_HOTKEYS)) {
    const checked = validateGlobalShortcut(accelerator);
    assert.ok(checked.ok);
    assert.equal(reservedOwner(checked.value), null);
  }
  assert.equal(checkHotkeys({ speakClipboard: '', speakSelection: '', stop: '' }), null);
});

test('shortcuts display with macOS symbols', () => {
  assert.equal(displayAccelerator('Control+Alt+V'), '⌃⌥V');
  assert.equal(displayAccelerator('Cmd+Shift+Escape'), '⇧⌘Esc');
  assert.equal(displayAccelerator('not a shortcut+'), 'not a shortcut+');
});
