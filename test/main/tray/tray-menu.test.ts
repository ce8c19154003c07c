// Runs under node:test: the tray menu model built from state.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_HOTKEYS } from '../../../src-main/shortcuts/accelerators.ts';
import { buildTrayMenu, trayTooltip, type MenuItemModel, type TrayState } from '../../../src-main/tray/tray-menu.ts';
import type { VoiceInfo } from '../../../src-worker/protocol/messages.ts';

const VOICES: VoiceInfo[] = [
  { id: 'af_heart', name: 'Heart', language: 'American English', lang: 'en-us', gender: 'female' },
  { id: 'am_adam', name: 'Adam', language: 'American English', lang: 'en-us', gender: 'male' },
  { id: 'bf_emma', name: 'Emma', language: 'British English', lang: 'en-gb', gender: 'female' },
];

function state(overrides: Partial<TrayState> = {}): TrayState {
  return {
    playback: 'idle',
    voice: 'af_heart',
    speed: 1,
    provider: { provider: 'auto' },
    voices: VOICES,
    favourites: [],
    unavailable: {},
    hotkeys: { ...DEFAULT_HOTKEYS },
    workerUp: true,
    ...overrides,
  };
}

const labels = (items: MenuItemModel[]): string[] => items.map((i) => (i.kind === 'separator' ? '---' : i.label));

function find(items: MenuItemModel[], label: string): MenuItemModel {
  const item = items.find((i) => i.kind !== 'separator' && i.label === label);
  assert.ok(item, `no menu item "${label}" in ${labels(items).join(' | ')}`);
  return item;
}

function submenu(items: MenuItemModel[], label: string): MenuItemModel[] {
  const item = find(items, label);
  assert.equal(item.kind, 'submenu');
  return item.kind === 'submenu' ? item.items : [];
}

test('the menu has every entry in order', () => {
  assert.deepEqual(labels(buildTrayMenu(state())), [
    'Speak Clipboard',
    'Speak Selection',
    'Pause',
    'Stop',
    '---',
    'Voice',
    'Speed',
    'Provider',
    '---',
    'Dashboard…',
    'Benchmark…',
    'Settings…',
    '---',
    'Quit Kokoro Bar',
  ]);
});

test('pause and stop follow playback; hotkeys are shown', () => {
  const idle = buildTrayMenu(state());
  const pauseIdle = find(idle, 'Pause');
  assert.ok(pauseIdle.kind === 'action' && !pauseIdle.enabled);
  const speakClipboard = find(idle, 'Speak Clipboard');
  assert.ok(speakClipboard.kind === 'action' && speakClipboard.shortcut === '⌃⌥V');

  const speaking = buildTrayMenu(state({ playback: 'speaking' }));
  const pause = find(speaking, 'Pause');
  assert.ok(pause.kind === 'action' && pause.enabled);
  assert.deepEqual(pause.kind === 'action' && pause.action, { type: 'toggle-pause' });
  const stop = find(speaking, 'Stop');
  assert.ok(stop.kind === 'action' && stop.enabled && stop.shortcut === '⌃⌥Esc');

  const paused = buildTrayMenu(state({ playback: 'paused' }));
  assert.ok(find(paused, 'Resume'));

  const noHotkey = buildTrayMenu(state({ hotkeys: { speakClipboard: '', speakSelection: '', stop: '' } }));
  const plain = find(noHotkey, 'Speak Clipboard');
  assert.ok(plain.kind === 'action' && plain.shortcut === undefined);
});

test('the voice submenu checks the current voice, lists favourites first, groups by language', () => {
  const menu = buildTrayMenu(state({ voice: 'bf_emma', favourites: ['am_adam', 'bf_emma'] }));
  const voices = submenu(menu, 'Voice');
  assert.deepEqual(labels(voices), [
    'Emma (British English, female)',
    'Adam (American English, male)',
    '---',
    'American English',
    'British English',
  ]);
  const first = voices[0];
  assert.ok(first?.kind === 'radio' && first.checked);
  assert.deepEqual(first.kind === 'radio' && first.action, { type: 'set-voice', voice: 'bf_emma' });
  const british = submenu(voices, 'British English');
  assert.ok(british[0]?.kind === 'radio' && british[0].checked);
  const american = submenu(voices, 'American English');
  assert.ok(american.every((i) => i.kind === 'radio' && !i.checked));
});

test('a blend voice is listed as itself; before voices arrive the menu says so, or why there are none', () => {
  const blend = 'af_heart:0.5,bf_emma:0.5';
  const voices = submenu(buildTrayMenu(state({ voice: blend, voices: [] })), 'Voice');
  assert.deepEqual(labels(voices), [blend, 'Loading voices…']);
  const missing = { code: 'model-missing' as const, message: 'The voices directory /x cannot be read.' };
  const table: [Partial<TrayState>, string][] = [
    [{ voicesProblem: missing }, 'Voices arrive with the model download'],
    [{ voicesProblem: { code: 'internal', message: 'Internal error: boom' } }, 'No voices: open Kokoro Bar for details'],
    [{ voicesProblem: missing, workerUp: false }, 'Loading voices…'], // the next worker is asked afresh
  ];
  for (const [patch, label] of table) {
    const items = submenu(buildTrayMenu(state({ voices: [], ...patch })), 'Voice');
    assert.equal(labels(items).at(-1), label, JSON.stringify(patch));
  }
});

test('speed offers steps plus the current odd value, one checked', () => {
  const speeds = submenu(buildTrayMenu(state({ speed: 1.1 })), 'Speed');
  assert.deepEqual(labels(speeds), ['0.75×', '1×', '1.1×', '1.25×', '1.5×', '1.75×', '2×']);
  const checked = speeds.filter((i) => i.kind === 'radio' && i.checked);
  assert.deepEqual(labels(checked), ['1.1×']);
});

test('unavailable providers are disabled with the reason', () => {
  const menu = buildTrayMenu(state({ provider: { provider: 'cpu' }, unavailable: { coreml: 'needs macOS' } }));
  const providers = submenu(menu, 'Provider');
  const coreml = providers[2];
  assert.ok(coreml?.kind === 'radio' && !coreml.enabled && coreml.label.endsWith('needs macOS'));
  const cpu = providers[1];
  assert.ok(cpu?.kind === 'radio' && cpu.checked && cpu.enabled);
});

test('a restarting worker is shown in the menu and the tooltip', () => {
  const menu = buildTrayMenu(state({ workerUp: false }));
  assert.ok(find(menu, 'Speech engine restarting…'));
  assert.match(trayTooltip({ playback: 'idle', voice: 'af_heart', workerUp: false }), /restarting/);
  assert.match(trayTooltip({ playback: 'speaking', voice: 'af_heart', workerUp: true }), /speaking \(af_heart\)/);
});

test('window entries route to views and quit is last', () => {
  const menu = buildTrayMenu(state());
  const settings = find(menu, 'Settings…');
  assert.deepEqual(settings.kind === 'action' && settings.action, { type: 'show-view', view: 'settings' });
  const last = menu.at(-1);
  assert.deepEqual(last?.kind === 'action' && last.action, { type: 'quit' });
});

test('the Electron template mirrors the model: radios, disabled labels, shown-only accelerators, clicks', async () => {
  const { toMenuTemplate } = await import('../../../src-main/tray/tray-template.ts');
  const clicked: unknown[] = [];
  const template = toMenuTemplate(
    buildTrayMenu(state({ workerUp: false, speed: 1.5 })),
    (action) => clicked.push(action),
    (action) => (action.type === 'speak-clipboard' ? 'Control+Alt+V' : ''),
  );
  const first = template[0];
  assert.equal(first?.label, 'Speak Clipboard');
  assert.equal(first?.accelerator, 'Control+Alt+V');
  assert.equal(first?.registerAccelerator, false, 'the menu must not register the global shortcut again');
  assert.equal(template[1]?.accelerator, undefined);
  assert.equal(template[4]?.type, 'separator');
  const restarting = template.find((i) => i.label === 'Speech engine restarting…');
  assert.equal(restarting?.enabled, false);
  const speed = template.find((i) => i.label === 'Speed');
  const items = Array.isArray(speed?.submenu) ? speed.submenu : [];
  const checked = items.find((i) => i.checked);
  assert.equal(checked?.type, 'radio');
  assert.equal(checked?.label, '1.5×');
  items[0]?.click?.(undefined as never, undefined as never, undefined as never);
  first?.click?.(undefined as never, undefined as never, undefined as never);
  assert.deepEqual(clicked, [{ type: 'set-speed', speed: 0.75 }, { type: 'speak-clipboard' }]);
});
