// Runs in Node (tests): the window's frame (app.tsx) rendered in happy-dom against a fake bridge
// and the fake audio device: the view tabs (click, arrows, Ctrl+digit), the global shortcuts
// (Ctrl+Enter speaks, Space pauses unless it types, Escape stops), and the notice bar.

import { connect, disconnect, emit } from './views/view-harness.ts';
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { createElement } from 'react';
import type { FakeBridge } from './bridge/fake-bridge.ts';

// After the harness: the app imports stylesheets (see dom.ts).
const { App, MOD } = await import('../../src-renderer/app.tsx');

afterEach(disconnect);

const selectedTab = () => screen.getByRole('tab', { selected: true }).textContent;
const stateLabel = () => screen.getByTestId('playback-state').textContent;
/** The shortcut modifier of this platform (happy-dom is not a Mac: Ctrl). */
const mod = MOD === '⌘' ? { metaKey: true } : { ctrlKey: true };

/** Presses and releases a key on `target`; true when the page kept the key-up's default action (a button's click on Space). */
async function key(target: Window | Element, init: KeyboardEventInit): Promise<boolean> {
  let kept = true;
  await act(async () => {
    fireEvent.keyDown(target, init);
    kept = fireEvent.keyUp(target, init);
  });
  return kept;
}

/** Speaks the text box's text with Ctrl+Enter and lets the worker start it. */
async function speakByKey(fake: FakeBridge) {
  await key(window, { key: 'Enter', ...mod });
  const id = fake.requests('speak').at(-1)?.id ?? '';
  emit(fake, { type: 'started', id, sentences: [{ start: 0, end: 6 }], provider: 'cpu', voice: 'af_heart' });
  return id;
}

test('the tabs switch views by click, by arrow keys on the tabs and by the modifier with a digit', async () => {
  const fake = await connect();
  render(createElement(App));
  assert.equal(selectedTab(), 'Speak');
  // [what the user does] → the view shown
  const steps: [string, () => Promise<unknown>, string][] = [
    ['click Settings', () => act(async () => void fireEvent.click(screen.getByRole('tab', { name: 'Settings' }))), 'Settings'],
    ['ArrowRight on the tab', () => key(screen.getByRole('tab', { selected: true }), { key: 'ArrowRight' }), 'Speak'],
    ['ArrowLeft on the tab', () => key(screen.getByRole('tab', { selected: true }), { key: 'ArrowLeft' }), 'Settings'],
    ['modifier+2', () => key(window, { key: '2', ...mod }), 'Dashboard'],
    ['modifier+3', () => key(window, { key: '3', ...mod }), 'Benchmark'],
    ['modifier+1', () => key(window, { key: '1', ...mod }), 'Speak'],
    ['2 without the modifier', () => key(window, { key: '2' }), 'Speak'],
  ];
  for (const [what, act_, view] of steps) {
    await act_();
    assert.equal(selectedTab(), view, what);
    assert.equal(screen.getByRole('tabpanel').getAttribute('aria-labelledby'), `tab-${view.toLowerCase()}`, what);
  }
  // A command from the tray (main) shows a view too.
  await act(async () => fake.command({ type: 'show-view', view: 'settings' }));
  assert.equal(selectedTab(), 'Settings');
});

test('Ctrl+Enter speaks the text box; Space pauses and resumes, except where it types; Escape stops', async () => {
  const fake = await connect({ clipboard: 'Hello.' });
  render(createElement(App));
  const id = await speakByKey(fake);
  assert.equal(fake.requests('speak').at(-1)?.text, 'Hello.');
  assert.equal(stateLabel(), 'Starting…');
  // [key, target] → status after it
  const speakButton = screen.getByRole('button', { name: 'Speak' });
  const search = screen.getByRole('searchbox', { name: 'Search voices' });
  const steps: [string, Window | Element, string][] = [
    [' ', window, 'Paused'],
    [' ', speakButton, 'Speaking'], // on a focused button too: it must not click Speak again
    [' ', search, 'Speaking'], // a text field gets its space
    [' ', speakButton, 'Paused'],
    [' ', document.body, 'Speaking'],
    ['Escape', window, 'Ready'],
  ];
  for (const [k, target, status] of steps) {
    const kept = await key(target, { key: k });
    const where = `${JSON.stringify(k)} on ${(target as HTMLElement).tagName ?? 'window'}`;
    assert.equal(stateLabel(), status, where);
    if (k === ' ') assert.equal(kept, target === search, `${where}: only a text field keeps Space's own action`);
  }
  assert.equal(fake.requests('speak').length, 1, 'Space never started a second utterance');
  assert.deepEqual(
    fake.sent.filter((r) => r.type === 'pause' || r.type === 'resume').map((r) => r.type),
    ['pause', 'resume', 'pause', 'resume'],
  );
  assert.equal(fake.requests('stop').at(-1)?.target, id);
  await key(window, { key: ' ' });
  assert.equal(stateLabel(), 'Ready', 'Space does nothing while idle');
});

test('the notice bar shows a problem with what to do, and a notice from main; both can be dismissed', async () => {
  const fake = await connect({ clipboard: '   ', up: false, voices: false });
  render(createElement(App));
  assert.equal(screen.queryByRole('alert'), null);
  await key(window, { key: 'Enter', ...mod });
  assert.match(screen.getByRole('alert').textContent ?? '', /There is no text to speak\. Type or paste some text first\./);
  await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Dismiss message' })));
  assert.equal(screen.queryByRole('alert'), null);
  await act(async () => fake.command({ type: 'notice', level: 'warning', message: 'The hotkey ⌃⌥V is taken by another app.' }));
  assert.equal(screen.getByRole('alert').textContent, 'The hotkey ⌃⌥V is taken by another app.✕');
  await act(async () => void fireEvent.click(screen.getByRole('button', { name: 'Dismiss message' })));
  assert.equal(screen.queryByRole('alert'), null);
  // Typed text while the engine is still starting: refused at once with the reason.
  fireEvent.change(screen.getByRole('textbox', { name: 'Text to speak' }), { target: { value: 'Now.' } });
  await key(window, { key: 'Enter', ...mod });
  assert.match(screen.getByRole('alert').textContent ?? '', /still starting/);
  assert.deepEqual(fake.requests('speak'), []);
});
