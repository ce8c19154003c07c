// Runs in Node (tests): the voice picker (the Voices view of the Speak screen) rendered in
// happy-dom against a fake bridge: the list as the worker gives it, search, picking, favourites,
// preview, the keyboard, the two-voice blend and the sheet. What the user sees and what goes
// through the bridge.

import { connect, disconnect, emit, VOICES } from '../views/view-harness.ts';
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { createElement } from 'react';
import { defaultSettings } from '../../../src-main/settings/settings.ts';
import { PREVIEW_TEXT } from '../../../src-renderer/store/actions.ts';
import { useReadiness } from '../../../src-renderer/first-run/readiness-store.ts';
import type { ReadinessState } from '../../../src-worker/protocol/messages.ts';

// After the harness: the Speak view imports a stylesheet (see dom.ts).
const { VoicePicker } = await import('../../../src-renderer/components/voice-picker.tsx');
const { SpeakView } = await import('../../../src-renderer/views/speak-view.tsx');

afterEach(disconnect);

const list = () => screen.getByRole('listbox');
const option = (name: RegExp) => within(list()).getByRole('option', { name });
const chosen = () => screen.getByTestId('current-voice').textContent;
/** Group headings in order, with the voice ids under each. */
const groups = () =>
  within(list())
    .queryAllByRole('group')
    .map((g) => [
      g.getAttribute('aria-label'),
      within(g)
        .queryAllByRole('option')
        .map((o) => o.getAttribute('data-voice')),
    ]);

async function act_(fn: () => void) {
  await act(async () => fn());
}

test('with the model files missing or the engine failed, the empty list says so instead of "Loading voices…"', async () => {
  const ready: ReadinessState = { status: 'ready', variant: 'int8', firstRun: false, variants: [] };
  // [readiness] → what the empty list says
  const table: [ReadinessState | null, string][] = [
    [null, 'Loading voices…'],
    [{ ...ready, status: 'checking' }, 'Loading voices…'],
    [{ ...ready, status: 'needs-fetch', firstRun: true }, 'The voices arrive with the model download.'],
    [{ ...ready, status: 'fetching', firstRun: true }, 'The voices arrive with the model download.'],
    [{ ...ready, status: 'failed', reason: 'out of memory' }, 'No voices: the engine could not start.'],
  ];
  for (const [engine, text] of table) {
    await connect({ voices: false });
    useReadiness.setState({ engine });
    render(createElement(VoicePicker));
    assert.equal(list().querySelector('.empty')?.textContent, text, engine?.status ?? 'no readiness');
    disconnect();
  }
});

test('the list waits for the worker, then shows the voices by accent and gender; search narrows it', async () => {
  const fake = await connect({ voices: false });
  render(createElement(VoicePicker));
  assert.ok(screen.getByText('Loading voices…'));
  emit(fake, { type: 'voices', id: 'v', voices: VOICES });
  assert.equal(screen.queryByText('Loading voices…'), null);
  assert.deepEqual(groups(), [
    ['American English · Female', ['af_heart', 'af_bella']],
    ['American English · Male', ['am_adam']],
    ['British English · Female', ['bf_emma']],
    ['British English · Male', ['bm_george']],
  ]);
  // [query] → voices shown
  const table: [string, string[]][] = [
    ['brit', ['bf_emma', 'bm_george']],
    ['ADAM', ['am_adam']],
    ['male', ['af_heart', 'af_bella', 'am_adam', 'bf_emma', 'bm_george']], // "female" contains "male"
    ['george', ['bm_george']],
    ['  ', ['af_heart', 'af_bella', 'am_adam', 'bf_emma', 'bm_george']],
    ['george', ['bm_george']],
  ];
  const search = screen.getByRole('searchbox', { name: 'Search voices' });
  for (const [query, expected] of table) {
    fireEvent.change(search, { target: { value: query } });
    assert.deepEqual(
      groups().flatMap(([, ids]) => ids as string[]),
      expected,
      JSON.stringify(query),
    );
  }
  fireEvent.change(search, { target: { value: 'zzz' } });
  assert.ok(screen.getByText('No voice matches “zzz”.'));
  assert.deepEqual(fake.writes, [], 'searching writes nothing');
});

test('clicking a voice chooses it: main stores it and the picker shows it as selected', async () => {
  const fake = await connect();
  render(createElement(VoicePicker));
  assert.equal(chosen(), 'Heart');
  assert.equal(option(/^Heart/).getAttribute('aria-selected'), 'true');
  await act_(() => fireEvent.click(option(/^George/)));
  assert.deepEqual(fake.writes, [{ voice: 'bm_george' }]);
  assert.equal(fake.settings.voice, 'bm_george');
  assert.equal(chosen(), 'George');
  assert.equal(option(/^George/).getAttribute('aria-selected'), 'true');
  assert.equal(option(/^Heart/).getAttribute('aria-selected'), 'false');
});

test('a star adds the voice to Favourites at the top and a second press removes it', async () => {
  const fake = await connect();
  render(createElement(VoicePicker));
  await act_(() => fireEvent.click(screen.getByRole('button', { name: 'Add Emma to favourites' })));
  assert.deepEqual(fake.settings.favourites, ['bf_emma']);
  assert.deepEqual(groups()[0], ['Favourites', ['bf_emma']]);
  assert.equal(screen.getAllByRole('button', { name: 'Remove Emma from favourites' }).length, 2, 'both rows of Emma say it is a favourite');
  await act_(() => fireEvent.click(screen.getAllByRole('button', { name: 'Remove Emma from favourites' })[0] as HTMLElement));
  assert.deepEqual(fake.settings.favourites, []);
  assert.notEqual(groups()[0]?.[0], 'Favourites');
  assert.equal(chosen(), 'Heart', 'starring does not choose');
});

test('preview speaks a sample in that voice, and the same button stops it', async () => {
  const fake = await connect();
  render(createElement(VoicePicker));
  await act_(() => fireEvent.click(screen.getByRole('button', { name: 'Preview Adam' })));
  const request = fake.requests('speak').at(-1);
  assert.deepEqual([request?.text, request?.voice], [PREVIEW_TEXT, 'am_adam']);
  assert.equal(fake.settings.voice, 'af_heart', 'a preview does not change the chosen voice');
  await act_(() => fireEvent.click(screen.getByRole('button', { name: 'Stop preview of Adam' })));
  const stop = fake.requests('stop').at(-1);
  assert.equal(stop?.target, request?.id);
  assert.ok(screen.getByRole('button', { name: 'Preview Adam' }));
});

test('the keyboard: arrows move, Enter picks, F stars, P previews', async () => {
  // [keys pressed in the list] → [voice chosen, favourites, voices previewed]
  const table: [string[], string, string[], string[]][] = [
    [['ArrowDown', 'Enter'], 'af_bella', [], []],
    [['ArrowDown', 'ArrowDown', 'ArrowUp', 'Enter'], 'af_bella', [], []],
    [['End', 'Enter'], 'bm_george', [], []],
    [['End', 'Home', 'Enter'], 'af_heart', [], []],
    [['ArrowUp', 'ArrowUp', 'Enter'], 'af_heart', [], []],
    [['ArrowDown', 'f'], 'af_heart', ['af_bella'], []],
    // F twice stars one voice and unstars it: the cursor stays on Bella although a Favourites row appeared above.
    [['ArrowDown', 'f', 'f'], 'af_heart', [], []],
    [['ArrowDown', 'ArrowDown', 'p'], 'af_heart', [], ['am_adam']],
  ];
  for (const [keys, voice, favourites, previews] of table) {
    const fake = await connect();
    render(createElement(VoicePicker));
    for (const key of keys) await act_(() => fireEvent.keyDown(list(), { key }));
    assert.equal(fake.settings.voice, voice, keys.join(' '));
    assert.deepEqual(fake.settings.favourites, favourites, keys.join(' '));
    assert.deepEqual(
      fake.requests('speak').map((r) => r.voice),
      previews,
      keys.join(' '),
    );
    disconnect();
  }
});

test('a blend mixes a second voice in, with the share of the first; unticking goes back to one voice', async () => {
  const fake = await connect({ settings: { ...defaultSettings(), voice: 'bm_george' } });
  render(createElement(VoicePicker));
  await act_(() => fireEvent.click(screen.getByRole('checkbox', { name: 'Blend with a second voice' })));
  assert.equal(fake.settings.voice, 'bm_george:0.7,af_heart:0.3');
  assert.equal(chosen(), 'George 70% + Heart 30%');
  await act_(() => fireEvent.change(screen.getByRole('combobox', { name: 'Second voice of the blend' }), { target: { value: 'bf_emma' } }));
  await act_(() => fireEvent.change(screen.getByRole('slider', { name: 'Share of the first voice' }), { target: { value: '0.4' } }));
  assert.equal(fake.settings.voice, 'bm_george:0.4,bf_emma:0.6');
  assert.equal(chosen(), 'George 40% + Emma 60%');
  assert.match(option(/^Emma/).getAttribute('aria-label') ?? '', /blended in/);
  await act_(() => fireEvent.click(screen.getByRole('checkbox', { name: 'Blend with a second voice' })));
  assert.equal(fake.settings.voice, 'bm_george');
  assert.equal(chosen(), 'George');
});

test('in the Speak view the Voice button opens the sheet; Escape closes it and gives focus back', async () => {
  await connect();
  render(createElement(SpeakView));
  const voiceButton = screen.getByRole('button', { name: 'Voice: Heart. Choose a voice' });
  assert.equal(voiceButton.getAttribute('aria-expanded'), 'false');
  await act_(() => fireEvent.click(voiceButton));
  assert.equal(voiceButton.getAttribute('aria-expanded'), 'true');
  assert.equal(document.activeElement, screen.getByRole('searchbox', { name: 'Search voices' }), 'the search field takes the focus');
  await act_(() => fireEvent.keyDown(screen.getByRole('searchbox'), { key: 'Escape' }));
  assert.equal(voiceButton.getAttribute('aria-expanded'), 'false');
  assert.equal(document.activeElement, voiceButton);
  await act_(() => fireEvent.click(voiceButton));
  await act_(() => fireEvent.click(option(/^Emma/)));
  assert.ok(screen.getByRole('button', { name: 'Voice: Emma. Choose a voice' }), 'the button names the voice chosen');
});
