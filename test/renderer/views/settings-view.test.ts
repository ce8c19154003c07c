// Runs in Node (tests): the Settings view rendered in happy-dom against a fake bridge whose
// settings owner is main's real applyPatch: hotkeys recorded by pressing them (and refused ones
// rolled back with the reason), pauses, launch at login, CoreML units, model variants fetched
// before they are stored. What the user sees and what goes through the bridge.

import { CPU_ONLY, connect, disconnect, emit } from './view-harness.ts';
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { createElement } from 'react';
import { defaultSettings } from '../../../src-main/settings/settings.ts';
import type { ProviderState, ReadinessState } from '../../../src-worker/protocol/messages.ts';
import { resetStores } from '../store/reset-stores.ts';

// After the harness: the view's imports reach a stylesheet (see dom.ts).
const { SettingsView } = await import('../../../src-renderer/views/settings-view.tsx');

afterEach(disconnect);

const hotkey = (slot: string) => screen.getByRole('textbox', { name: new RegExp(`^${slot} shortcut`) }) as HTMLInputElement;
const combo = (label: string) => screen.getByRole('combobox', { name: label }) as HTMLSelectElement;

async function act_(fn: () => void) {
  await act(async () => fn());
}

test('the view waits for the settings, then shows them', async () => {
  resetStores();
  render(createElement(SettingsView));
  assert.ok(screen.getByText('Loading settings…'));
  await act(async () => {
    await connect({ settings: { ...defaultSettings(), launchAtLogin: true, pauseScale: 1.6 } });
  });
  assert.equal(screen.queryByText('Loading settings…'), null);
  assert.equal(hotkey('Speak clipboard').value, '⌃⌥V');
  assert.equal(hotkey('Stop speaking').value, '⌃⌥Esc');
  assert.equal((screen.getByRole('checkbox', { name: 'Open Kokoro Bar at login' }) as HTMLInputElement).checked, true);
  assert.equal(combo('Pauses').selectedOptions[0]?.textContent, 'Longer');
});

test('a hotkey is recorded by pressing it; main stores it, or refuses it and the old one comes back with the reason', async () => {
  // [key event on the Speak clipboard field] → [stored accelerator, field text, the alert's reason (null: none)]
  const KEPT = 'Control+Alt+V';
  const table: [Partial<KeyboardEvent> & { key: string }, string, string, RegExp | null][] = [
    [{ key: 'k', code: 'KeyK', ctrlKey: true, altKey: true }, 'Control+Alt+K', '⌃⌥K', null],
    [{ key: 'K', code: 'KeyK', shiftKey: true, metaKey: true }, 'Shift+Command+K', '⇧⌘K', null],
    [{ key: '!', code: 'Digit1', ctrlKey: true, shiftKey: true }, 'Control+Shift+1', '⌃⇧1', null],
    [{ key: 'F5', code: 'F5', ctrlKey: true }, 'Control+F5', '⌃F5', null],
    [{ key: 'k', code: 'KeyK', ctrlKey: true, altKey: true }, 'Control+Alt+K', '⌃⌥K', null],
    [{ key: 'Backspace', code: 'Backspace' }, '', 'None', null],
    [{ key: ' ', code: 'Space', ctrlKey: true, altKey: true }, KEPT, '⌃⌥V', /input source switching/],
    [{ key: 'F5', code: 'F5' }, KEPT, '⌃⌥V', /a key you type/],
    [{ key: 'Escape', code: 'Escape', ctrlKey: true, altKey: true }, KEPT, '⌃⌥V', /give each its own/],
  ];
  for (const [event, stored, shown, reason] of table) {
    const fake = await connect();
    render(createElement(SettingsView));
    const field = hotkey('Speak clipboard');
    await act_(() => fireEvent.focus(field));
    assert.equal(field.value, 'Press keys…');
    await act_(() => fireEvent.keyDown(field, event));
    await act_(() => fireEvent.blur(hotkey('Speak clipboard')));
    const label = JSON.stringify(event);
    assert.equal(fake.settings.hotkeys.speakClipboard, stored, label);
    assert.equal(hotkey('Speak clipboard').value, shown, label);
    const alert = screen.queryByRole('alert')?.textContent ?? null;
    if (reason) assert.match(alert ?? '', reason, label);
    else assert.equal(alert, null, label);
    disconnect();
  }
  // Only modifiers held so far: still recording, nothing written.
  const fake = await connect();
  render(createElement(SettingsView));
  await act_(() => fireEvent.focus(hotkey('Speak clipboard')));
  await act_(() => fireEvent.keyDown(hotkey('Speak clipboard'), { key: 'Control', code: 'ControlLeft', ctrlKey: true }));
  assert.equal(hotkey('Speak clipboard').value, 'Press keys…');
  assert.deepEqual(fake.writes, []);
});

test('pauses and launch at login are written through the bridge', async () => {
  const fake = await connect({ settings: { ...defaultSettings(), pauseScale: 1.25 } });
  render(createElement(SettingsView));
  assert.equal(combo('Pauses').selectedOptions[0]?.textContent, '×1.25', 'a scale set elsewhere is shown as it is');
  await act_(() => fireEvent.change(combo('Pauses'), { target: { value: '0.5' } }));
  assert.equal(fake.settings.pauseScale, 0.5);
  assert.equal(combo('Pauses').selectedOptions[0]?.textContent, 'Shorter');
  await act_(() => fireEvent.click(screen.getByRole('checkbox', { name: 'Open Kokoro Bar at login' })));
  assert.equal(fake.settings.launchAtLogin, true);
  assert.deepEqual(fake.writes, [{ pauseScale: 0.5 }, { launchAtLogin: true }]);
});

test('CoreML compute units: disabled with the reason where CoreML is missing; chosen, they switch the provider now', async () => {
  const fake = await connect();
  emit(fake, { type: 'provider', id: 'p', state: CPU_ONLY });
  render(createElement(SettingsView));
  assert.equal(combo('CoreML compute units').disabled, true);
  assert.ok(screen.getByText('CoreML needs macOS'));
  const coreml: ProviderState = {
    ...CPU_ONLY,
    options: CPU_ONLY.options.map((o) => (o.provider === 'coreml' ? { provider: 'coreml', available: true } : o)),
  };
  emit(fake, { type: 'provider', id: 'p', state: coreml });
  assert.equal(combo('CoreML compute units').disabled, false);
  await act_(() => fireEvent.change(combo('CoreML compute units'), { target: { value: 'cpu-gpu' } }));
  assert.deepEqual(fake.settings.provider, { provider: 'auto', coreml: { units: 'cpu-gpu', mlProgram: true } });
  const request = fake.requests('set-provider').at(-1);
  assert.deepEqual(
    request?.provider,
    { provider: 'auto', coreml: { units: 'cpu-gpu', mlProgram: true } },
    'the worker is asked to switch now',
  );
});

test('model variants: an installed one is stored at once, one to download is fetched first and stored after, one that cannot be had is disabled', async () => {
  const fake = await connect({ readiness: true });
  const engine: ReadinessState = {
    status: 'ready',
    variant: 'int8',
    firstRun: false,
    variants: [
      { variant: 'int8', installed: true, available: true, downloadBytes: 0 },
      { variant: 'fp16', installed: false, available: true, downloadBytes: 177_464_787 },
      { variant: 'fp32', installed: false, available: false, downloadBytes: 325_532_387, reason: 'no source for it here' },
    ],
  };
  emit(fake, { type: 'readiness', id: fake.requests('readiness')[0]?.id ?? '', state: engine });
  render(createElement(SettingsView));
  const options = [...combo('Model variant').options].map((o) => [o.value, o.textContent, o.disabled]);
  assert.deepEqual(options, [
    ['int8', 'int8 — fastest, smallest (recommended)', false],
    ['fp16', 'fp16 (download 177.5 MB)', false],
    ['fp32', 'fp32 — reference quality, largest (not available here)', true],
  ]);
  assert.match(screen.getByText(/In use now/).textContent ?? '', /fp32: no source for it here/);
  await act_(() => fireEvent.change(combo('Model variant'), { target: { value: 'fp16' } }));
  const fetch = fake.requests('fetch-model').at(-1);
  assert.equal(fetch?.variant, 'fp16', 'fetched first');
  assert.equal(fake.settings.modelVariant, 'int8', 'not stored before its files are there');
  await act_(() => fake.emit({ type: 'done', id: fetch?.id ?? '', stopped: false }));
  assert.equal(fake.settings.modelVariant, 'fp16', 'stored once fetched');
  assert.equal(combo('Model variant').value, 'fp16');
  // Now installed: switching back to int8 stores it without a fetch.
  const fetches = fake.requests('fetch-model').length;
  await act_(() => fireEvent.change(combo('Model variant'), { target: { value: 'int8' } }));
  assert.equal(fake.settings.modelVariant, 'int8');
  assert.equal(fake.requests('fetch-model').length, fetches);
});
