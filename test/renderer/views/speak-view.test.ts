// Runs in Node (tests): the Speak view rendered in happy-dom against a fake bridge and the fake
// audio device (real worklet): when Speak may be pressed, what a press sends, the transcript and
// its highlight following the audio played, pause/resume/stop, previous/next sentence, a word
// clicked or entered, the sentence heard taken from the word timings and announced once per
// sentence, the speed slider. Behaviour only: what the user sees and what goes through the bridge.

import { audio, connect, disconnect, emit, played } from './view-harness.ts';
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import { createElement } from 'react';
import type { ReadinessState, WordTiming } from '../../../src-worker/protocol/messages.ts';
import { useReadiness } from '../../../src-renderer/first-run/readiness-store.ts';
import { defaultSettings } from '../../../src-main/settings/settings.ts';
import type { FakeBridge } from '../bridge/fake-bridge.ts';

// After the harness: the view imports a stylesheet (see dom.ts).
const { SpeakView } = await import('../../../src-renderer/views/speak-view.tsx');

afterEach(disconnect);

const TEXT = 'One two. Three four five.';
const SENTENCES = [
  { start: 0, end: 8 },
  { start: 9, end: 25 },
];
/** Samples per word in the chunks below (about 107 ms at 24 kHz). */
const WORD_SAMPLES = 2_560;

const speakButton = () => screen.getByRole('button', { name: 'Speak' });
const button = (name: string) => screen.getByRole('button', { name });
const stateLabel = () => screen.getByTestId('playback-state').textContent;

/** The words of `text` in [start, end), each WORD_SAMPLES long from sample `from` of the request. */
function wordsOf(text: string, start: number, end: number, from: number): WordTiming[] {
  const words: WordTiming[] = [];
  for (const m of text.slice(start, end).matchAll(/\S+/g)) {
    const at = from + words.length * WORD_SAMPLES;
    words.push({
      span: { start: start + (m.index ?? 0), end: start + (m.index ?? 0) + m[0].length },
      startSample: at,
      endSample: at + WORD_SAMPLES,
    });
  }
  return words;
}

/** The worker's answer to a speak request for `text`: started, then one chunk per sentence. */
function answer(fake: FakeBridge, id: string, text: string, sentences: { start: number; end: number }[]) {
  emit(fake, { type: 'started', id, sentences, provider: 'cpu', voice: 'af_heart' });
  let from = 0;
  sentences.forEach((span, index) => {
    const words = wordsOf(text, span.start, span.end, from);
    from += words.length * WORD_SAMPLES;
    const pcm = new Float32Array(words.length * WORD_SAMPLES).fill(0.25);
    emit(fake, {
      type: 'chunk',
      id,
      index,
      pcm,
      sampleRate: 24_000,
      span,
      timings: { prepareMs: 1, inferMs: 10, tokens: 5 },
      words,
      last: index === sentences.length - 1,
    });
  });
}

async function click(element: HTMLElement) {
  await act(async () => {
    fireEvent.click(element);
  });
}

test('Speak is enabled only with text, a running engine, loaded settings and the model there; idle says Ready only then', async () => {
  const ready: ReadinessState = { status: 'ready', variant: 'int8', firstRun: false, variants: [] };
  // [worker says hello, readiness, text] → Speak enabled, and the idle label ("Ready" only when
  // the engine can speak: beside a red badge it said "Ready" while the model was missing)
  const table: [boolean, ReadinessState | null, string, boolean, string][] = [
    [true, null, 'Hello.', true, 'Ready'],
    [true, ready, 'Hello.', true, 'Ready'],
    [true, ready, '   ', false, 'Ready'],
    [false, null, 'Hello.', false, 'Not ready'],
    [true, { ...ready, status: 'fetching', firstRun: true }, 'Hello.', false, 'Not ready'],
    [true, { ...ready, status: 'needs-fetch' }, 'Hello.', false, 'Not ready'],
    [true, { ...ready, status: 'failed', reason: 'The model file is damaged.' }, 'Hello.', false, 'Not ready'],
    [true, { ...ready, status: 'checking' }, 'Hello.', true, 'Ready'],
  ];
  for (const [up, engine, draft, enabled, label] of table) {
    await connect({ up, voices: up, clipboard: draft });
    useReadiness.setState({ engine });
    render(createElement(SpeakView));
    assert.equal(
      (speakButton() as HTMLButtonElement).disabled,
      !enabled,
      `${up ? 'up' : 'connecting'}, ${engine?.status ?? 'no readiness'}, ${JSON.stringify(draft)}`,
    );
    assert.equal(stateLabel(), label, `label: ${up ? 'up' : 'connecting'}, ${engine?.status ?? 'no readiness'}`);
    disconnect();
  }
});

test('the text box starts with the clipboard; typing and pressing Speak sends the text with the voice and speed', async () => {
  const fake = await connect({ clipboard: 'From the clipboard.', settings: { ...defaultSettings(), voice: 'bf_emma', speed: 1.25 } });
  render(createElement(SpeakView));
  const box = screen.getByRole('textbox', { name: 'Text to speak' }) as HTMLTextAreaElement;
  assert.equal(box.value, 'From the clipboard.');
  assert.equal(stateLabel(), 'Ready');
  fireEvent.change(box, { target: { value: TEXT } });
  await click(speakButton());
  const requests = fake.requests('speak');
  assert.equal(requests.length, 1);
  assert.deepEqual(
    { text: requests[0]?.text, voice: requests[0]?.voice, speed: requests[0]?.speed },
    { text: TEXT, voice: 'bf_emma', speed: 1.25 },
  );
  assert.equal(stateLabel(), 'Starting…');
  assert.equal(screen.queryByRole('textbox', { name: 'Text to speak' }), null, 'the transcript replaces the text box');
  assert.equal(screen.getByTestId('transcript').textContent?.startsWith(TEXT), true);
});

test('the transcript lights the sentence and the word being heard as the audio plays', async () => {
  const fake = await connect({ clipboard: TEXT });
  render(createElement(SpeakView));
  await click(speakButton());
  const id = fake.requests('speak')[0]?.id ?? '';
  answer(fake, id, TEXT, SENTENCES);
  const transcript = screen.getByTestId('transcript');
  const lit = () => [
    transcript.querySelector('[aria-current="true"]')?.getAttribute('data-sentence'),
    transcript.querySelector('.word.current')?.textContent,
  ];
  assert.deepEqual(lit(), [undefined, undefined], 'nothing lit before the first sample is played');
  assert.equal(stateLabel(), 'Starting…');
  // [quanta played so far (128 samples each)] → [sentence, word]; words are 20 quanta long.
  const table: [number, [string, string]][] = [
    [1, ['0', 'One']],
    [19, ['0', 'One']],
    [20, ['0', 'two.']],
    [40, ['1', 'Three']],
    [61, ['1', 'four']],
    [80, ['1', 'five.']],
  ];
  let rendered = 0;
  for (const [quanta, expected] of table) {
    await played(quanta - rendered);
    rendered = quanta;
    assert.deepEqual(lit(), expected, `after ${quanta * 128} samples`);
    assert.equal(stateLabel(), 'Speaking');
  }
  emit(fake, { type: 'done', id, stopped: false });
  await played(20);
  assert.equal(stateLabel(), 'Ready', 'idle once everything was played and the worker is done');
  assert.ok(screen.getByRole('textbox', { name: 'Text to speak' }), 'the text box is back');
});

test('pause, resume and stop: the buttons say what they do and send it for the live request', async () => {
  const fake = await connect({ clipboard: TEXT });
  render(createElement(SpeakView));
  for (const name of ['Previous sentence', 'Pause', 'Stop', 'Next sentence'])
    assert.equal((button(name) as HTMLButtonElement).disabled, true, `${name} while idle`);
  await click(speakButton());
  const id = fake.requests('speak')[0]?.id ?? '';
  answer(fake, id, TEXT, SENTENCES);
  await played(5);
  await click(button('Pause'));
  assert.equal(stateLabel(), 'Paused');
  assert.deepEqual(fake.sent.at(-1), { type: 'pause', id: fake.sent.at(-1)?.id, target: id });
  const held = audio.status().played;
  await played(10);
  assert.equal(audio.status().played, held, 'the audio holds while paused');
  await click(button('Resume'));
  assert.equal(stateLabel(), 'Speaking');
  assert.equal(fake.sent.at(-1)?.type, 'resume');
  await played(3);
  assert.ok(audio.status().played > held, 'and goes on after resume');
  await click(button('Stop'));
  assert.equal(stateLabel(), 'Ready');
  const last = fake.sent.at(-1);
  assert.deepEqual([last?.type, last?.type === 'stop' ? last.target : ''], ['stop', id]);
  assert.equal(audio.status().buffered, 0, 'the audio is dropped at once');
  assert.equal((screen.getByRole('textbox', { name: 'Text to speak' }) as HTMLTextAreaElement).value, TEXT, 'the text is kept');
});

test('next and previous sentence start a new request from that sentence; a clicked word reads from there', async () => {
  const fake = await connect({ clipboard: TEXT });
  render(createElement(SpeakView));
  await click(speakButton());
  answer(fake, fake.requests('speak')[0]?.id ?? '', TEXT, SENTENCES);
  await played(2);
  await click(button('Next sentence'));
  const second = fake.requests('speak')[1];
  assert.equal(second?.text, 'Three four five.');
  assert.equal(screen.getByTestId('transcript').querySelector('[aria-current="true"]')?.textContent, 'Three four five.', 'lit at once');
  emit(fake, { type: 'started', id: second?.id ?? '', sentences: [{ start: 0, end: 16 }], provider: 'cpu', voice: 'af_heart' });
  await click(button('Previous sentence'));
  assert.equal(fake.requests('speak')[2]?.text, TEXT);
  const third = fake.requests('speak')[2]?.id ?? '';
  answer(fake, third, TEXT, SENTENCES);
  const word = within(screen.getByTestId('transcript')).getByText('four');
  await click(word);
  assert.equal(fake.requests('speak')[3]?.text, 'four five.');
  assert.equal(screen.getByTestId('transcript').textContent?.startsWith(TEXT), true, 'the transcript keeps the whole text');
  const stops = fake.requests('stop').map((r) => r.target);
  assert.deepEqual(
    stops,
    fake
      .requests('speak')
      .slice(0, 3)
      .map((r) => r.id),
    'each jump stops the request before it',
  );
});

/** Samples in one render quantum of the fake audio device. */
const QUANTUM = 128;
/**
 * TEXT as one chunk whose words are timed unevenly: "two." lasts 80 quanta, so at quantum 60 the
 * player's even spread over the chunk's characters (60/140 of 25 → offset 10) says "Three" while
 * the word heard is still "two.". [word start, end] in quanta.
 */
const UNEVEN: [number, number, number, number][] = [
  [0, 3, 0, 20],
  [4, 8, 20, 100],
  [9, 14, 100, 110],
  [15, 19, 110, 120],
  [20, 25, 120, 140],
];

function answerUneven(fake: FakeBridge, id: string) {
  emit(fake, { type: 'started', id, sentences: SENTENCES, provider: 'cpu', voice: 'af_heart' });
  const words = UNEVEN.map(([start, end, from, to]) => ({ span: { start, end }, startSample: from * QUANTUM, endSample: to * QUANTUM }));
  emit(fake, {
    type: 'chunk',
    id,
    index: 0,
    pcm: new Float32Array(140 * QUANTUM).fill(0.25),
    sampleRate: 24_000,
    span: { start: 0, end: TEXT.length },
    timings: { prepareMs: 1, inferMs: 10, tokens: 20 },
    words,
    last: true,
  });
}

test("the sentence heard is the word heard's (by its timings); it is announced politely once per sentence, never per word", async () => {
  const fake = await connect({ clipboard: TEXT });
  render(createElement(SpeakView));
  await click(speakButton());
  answerUneven(fake, fake.requests('speak')[0]?.id ?? '');
  const transcript = screen.getByTestId('transcript');
  const announcer = screen.getByTestId('sentence-announcer');
  assert.equal(announcer.getAttribute('aria-live'), 'polite');
  const words: string[] = [];
  const announced: string[] = [];
  for (let quanta = 1; quanta <= 139; quanta++) {
    await played(1);
    const word = transcript.querySelector('.word.current')?.textContent ?? '';
    const sentence = transcript.querySelector('[aria-current="true"]')?.textContent ?? '';
    assert.ok(sentence.includes(word), `after ${quanta} quanta the lit sentence "${sentence}" holds the lit word "${word}"`);
    assert.equal(announcer.textContent, sentence, `after ${quanta} quanta the announcer holds the lit sentence`);
    if (words.at(-1) !== word) words.push(word);
    if (announced.at(-1) !== announcer.textContent) announced.push(announcer.textContent ?? '');
  }
  assert.deepEqual(words, ['One', 'two.', 'Three', 'four', 'five.']);
  assert.deepEqual(announced, ['One two.', 'Three four five.'], 'two announcements for five words');
});

test('next sentence goes from the sentence of the word heard, not from an even spread over the chunk', async () => {
  const fake = await connect({ clipboard: TEXT });
  render(createElement(SpeakView));
  await click(speakButton());
  answerUneven(fake, fake.requests('speak')[0]?.id ?? '');
  await played(60);
  assert.equal(screen.getByTestId('transcript').querySelector('.word.current')?.textContent, 'two.');
  await click(button('Next sentence'));
  assert.equal(fake.requests('speak')[1]?.text, 'Three four five.', 'from "two." the next sentence is the second');
});

test('Enter on a word (reached with the arrow keys) reads from it', async () => {
  const fake = await connect({ clipboard: TEXT });
  render(createElement(SpeakView));
  await click(speakButton());
  answer(fake, fake.requests('speak')[0]?.id ?? '', TEXT, SENTENCES);
  await played(1);
  const transcript = screen.getByTestId('transcript');
  await act(async () => {
    fireEvent.keyDown(transcript.querySelector('.word.current') as HTMLElement, { key: 'ArrowRight' });
  });
  assert.equal(document.activeElement?.textContent, 'two.', 'the arrow moved focus to the next word');
  await act(async () => {
    fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'ArrowRight' });
  });
  await act(async () => {
    fireEvent.keyDown(document.activeElement as HTMLElement, { key: 'Enter' });
  });
  assert.equal(fake.requests('speak')[1]?.text, 'Three four five.');
});

test('the speed slider writes the speed through the bridge and shows it', async () => {
  const fake = await connect();
  render(createElement(SpeakView));
  const slider = screen.getByRole('slider') as HTMLInputElement;
  assert.ok(screen.getByText('1.00×'));
  await act(async () => {
    fireEvent.change(slider, { target: { value: '1.5' } });
  });
  assert.deepEqual(fake.writes, [{ speed: 1.5 }]);
  assert.equal(fake.settings.speed, 1.5, 'main accepted it');
  assert.ok(screen.getByText('1.50×'));
  assert.equal(slider.getAttribute('aria-valuetext'), '1.50 times');
});
