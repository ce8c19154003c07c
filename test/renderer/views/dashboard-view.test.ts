// Runs in Node (tests): the Dashboard rendered in happy-dom while utterances are spoken through
// the store, a fake bridge (the worker's events) and the fake audio device (real worklet): the
// tiles show the current utterance's audible TTFA (action → first audible sample played), the
// worker's engine TTFA, RTF and memory, underruns; the engine facts; recent utterances, newest
// first. What the user reads, not how it is drawn.

import { CPU_ONLY, audio, connect, disconnect, emit, played } from './view-harness.ts';
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act, render, screen, within } from '@testing-library/react';
import { createElement } from 'react';
import type { MetricsEvent } from '../../../src-worker/protocol/messages.ts';
import { speak } from '../../../src-renderer/store/actions.ts';
import type { FakeBridge } from '../bridge/fake-bridge.ts';

const { DashboardView } = await import('../../../src-renderer/views/dashboard-view.tsx');

afterEach(disconnect);

const MB = 1024 * 1024;
const tile = (testId: string) => screen.getByTestId(testId).textContent;
const tiles = () => ['ttfa-audible', 'ttfa-engine', 'rtf', 'rss', 'underruns'].map(tile);
/** Silent samples before the speech in each chunk below (10 ms at 24 kHz). */
const QUIET = 240;

function metrics(id: string, over: Partial<MetricsEvent> = {}): MetricsEvent {
  return {
    type: 'metrics',
    id,
    ttfaEngineMs: 640,
    rtf: 0.42,
    audioSeconds: 1,
    synthSeconds: 0.42,
    rssBytes: 312 * MB,
    peakRssBytes: 400 * MB,
    provider: 'cpu',
    droppedSymbols: 0,
    final: false,
    ...over,
  };
}

/** Speaks `text` as if the user acted at `actionAt`; the worker answers with one chunk of `samples`. */
async function utterance(fake: FakeBridge, text: string, actionAt: number, samples: number, last = true) {
  await act(async () => {
    await speak(text, actionAt);
  });
  const id = fake.requests('speak').at(-1)?.id ?? '';
  emit(fake, { type: 'started', id, sentences: [{ start: 0, end: text.length }], provider: 'cpu', voice: 'af_heart' });
  const pcm = new Float32Array(samples).fill(0.25).fill(0, 0, QUIET);
  emit(fake, {
    type: 'chunk',
    id,
    index: 0,
    pcm,
    sampleRate: 24_000,
    span: { start: 0, end: text.length },
    timings: { prepareMs: 1, inferMs: 10, tokens: 5 },
    words: [],
    last,
  });
  return id;
}

test('the engine facts: provider, model, threads and graph; the original graph says why it is slower', async () => {
  const fake = await connect();
  render(createElement(DashboardView));
  const facts = () => ['provider', 'model', 'graph'].map(tile);
  assert.deepEqual(facts(), ['—', '—', '—']);
  // [provider state] → [provider, model, graph] and the warning shown
  const table: [typeof CPU_ONLY, string[], string | null][] = [
    [CPU_ONLY, ['CPU', 'kokoro-v1.0.int8.onnx', '—'], null],
    [{ ...CPU_ONLY, graph: { kind: 'derived', fromCache: true } }, ['CPU', 'kokoro-v1.0.int8.onnx', '2-D conv (derived)'], null],
    [
      {
        ...CPU_ONLY,
        active: 'coreml',
        model: 'kokoro-v1.0.fp16.onnx',
        graph: { kind: 'original', reason: 'the graph has no Round → Clip before a CumSum' },
      },
      ['CoreML', 'kokoro-v1.0.fp16.onnx', 'Original'],
      'Running the original, slower graph: the graph has no Round → Clip before a CumSum',
    ],
    [{ ...CPU_ONLY, graph: { kind: 'original' } }, ['CPU', 'kokoro-v1.0.int8.onnx', 'Original'], null],
  ];
  for (const [state, expected, warning] of table) {
    emit(fake, { type: 'provider', id: 'p', state });
    assert.deepEqual(facts(), expected, JSON.stringify(state.graph ?? null));
    assert.equal(screen.queryByTestId('graph-warning')?.textContent ?? null, warning);
  }
});

test('the tiles follow the current utterance: audible TTFA from the action to the first audible sample played, the worker’s numbers as they come', async () => {
  const fake = await connect();
  render(createElement(DashboardView));
  assert.deepEqual(tiles(), ['—', '—', '—', '—', '—'], 'nothing measured yet');
  const actionAt = performance.timeOrigin + 10_000;
  const id = await utterance(fake, 'Hello there.', actionAt, 2_400);
  // The speaker plays context time 0 at performance time 10 802 ms; the first audible sample is
  // frame 240 (10 ms), so it was heard at 10 812 ms: 812 ms after the action.
  (globalThis as unknown as { currentFrame: number }).currentFrame = 0;
  (audio.context as { getOutputTimestamp?: () => AudioTimestamp }).getOutputTimestamp = () => ({ contextTime: 0, performanceTime: 10_802 });
  assert.equal(tile('ttfa-audible'), '—', 'not before it is played');
  emit(fake, metrics(id));
  assert.deepEqual(tiles(), ['—', '640 ms', '0.42×', '312 MB', '0']);
  assert.ok(screen.getByText('peak 400 MB'));
  await played(4);
  assert.equal(tile('ttfa-audible'), '812 ms');
  emit(fake, metrics(id, { rtf: 0.5, rssBytes: 330 * MB, peakRssBytes: 410 * MB, final: true }));
  assert.deepEqual(tiles(), ['812 ms', '640 ms', '0.50×', '330 MB', '0']);
  assert.ok(screen.getByText('peak 410 MB'));
  assert.match(screen.getByText(/Last:/).textContent ?? '', /af_heart “Hello there\.”/);
});

test('underruns count the times the audio ran dry while more was due', async () => {
  const fake = await connect();
  render(createElement(DashboardView));
  const id = await utterance(fake, 'A slow one.', performance.timeOrigin, 1_280, false);
  await played(20); // 10 quanta of audio, then dry with the next chunk still due
  assert.equal(tile('underruns'), '1');
  const pcm = new Float32Array(1_280).fill(0.25);
  emit(fake, {
    type: 'chunk',
    id,
    index: 1,
    pcm,
    sampleRate: 24_000,
    span: { start: 0, end: 11 },
    timings: { prepareMs: 1, inferMs: 10, tokens: 5 },
    words: [],
    last: true,
  });
  await played(20);
  assert.equal(tile('underruns'), '1', 'running out after the last chunk is the end, not an underrun');
});

test('recent utterances are listed newest first once measured, with their text, voice and numbers', async () => {
  const fake = await connect();
  render(createElement(DashboardView));
  assert.equal(screen.queryByRole('region', { name: 'Recent utterances' }), null, 'no table before anything was measured');
  const texts = ['First thing said.', 'Second thing said.', 'Third thing said.'];
  // What each chart's axis says it shows, after each utterance: singular for one.
  const axes = () =>
    new Set([...document.querySelectorAll('svg text.axis')].map((t) => t.textContent).filter((t) => /^(last|no data)/.test(t ?? '')));
  const seen: Set<string | null>[] = [axes()];
  for (const [i, text] of texts.entries()) {
    const id = await utterance(fake, text, performance.timeOrigin, 1_200);
    emit(fake, metrics(id, { ttfaEngineMs: 500 + i * 100, final: true }));
    emit(fake, { type: 'done', id, stopped: false });
    await played(12);
    seen.push(axes());
  }
  assert.deepEqual(
    seen.map((s) => [...s]),
    [['no data yet'], ['last utterance'], ['last 2 utterances'], ['last 3 utterances']],
  );
  const rows = within(screen.getByRole('region', { name: 'Recent utterances' }))
    .getAllByRole('row')
    .slice(1);
  const cells = rows.map((r) =>
    within(r)
      .getAllByRole('cell')
      .map((c) => c.textContent),
  );
  assert.deepEqual(
    cells.map((c) => [c[1], c[2], c[4]]),
    [
      ['Third thing said.', 'af_heart', '700 ms'],
      ['Second thing said.', 'af_heart', '600 ms'],
      ['First thing said.', 'af_heart', '500 ms'],
    ],
  );
});
