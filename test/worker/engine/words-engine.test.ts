// Tests (Node, the real model): word timings of whole utterances. Words cover the text's words
// in order, none lost or doubled; a normalised token is one word spanning its original
// characters; starts are monotone and inside the audio; the timed words are where the speech
// is (loud inside, the leading silence before the first); a blend, speeds 0.5 and 2.0 and a
// multi-chunk text stay consistent with the audio length; the CLI writes the same timings; an
// engine with word timings off gives the same ids and audio without words.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { TimedWord } from '../../../src-worker/cli/captions.ts';
import { main } from '../../../src-worker/cli/cli.ts';
import { firstAudibleSample } from '../../../src-worker/protocol/audible.ts';
import { createEngine, type Chunk, type SpeakOptions } from '../../../src-worker/engine/engine.ts';
import { WORKER_ENV } from '../../../src-worker/protocol/worker-env.ts';
import { SAMPLE_RATE, areWordTimings, type WordTiming } from '../../../src-worker/protocol/messages.ts';
import { modelFiles } from '../model-fixture.ts';

const files = await modelFiles();
const engine = await createEngine({ assets: files });
after(() => engine.dispose());

const HEART: SpeakOptions = { voice: 'af_heart', speed: 1 };
/** A word's audio is speech: its peak is at least this (short function words peak at ~0.05, speech at 0.2–0.6). */
const SPEECH_PEAK = 0.03;
/** Words shorter than this (a "the" at speed 2 is 50 ms) are below what a peak check can judge. */
const CHECKED_SAMPLES = SAMPLE_RATE / 10;
/** Of all words, at least this share must be speech by SPEECH_PEAK, however short. */
const SPEECH_SHARE = 0.9;
/** Most time from the first audible sample to the first word's start. */
const FIRST_WORD_LAG = SAMPLE_RATE / 10;

interface Utterance {
  chunks: Chunk[];
  words: WordTiming[];
  pcm: Float32Array;
}

async function speak(text: string, opts: SpeakOptions = HEART): Promise<Utterance> {
  const chunks: Chunk[] = [];
  for await (const chunk of engine.speak(text, opts)) chunks.push(chunk);
  const pcm = new Float32Array(chunks.reduce((n, c) => n + c.pcm.length, 0));
  let at = 0;
  for (const c of chunks) {
    pcm.set(c.pcm, at);
    at += c.pcm.length;
  }
  return { chunks, words: chunks.flatMap((c) => c.words), pcm };
}

function peak(pcm: Float32Array, start: number, end: number): number {
  let most = 0;
  for (let i = start; i < end; i++) most = Math.max(most, Math.abs(pcm[i] as number));
  return most;
}

// Every word of the text (a run of non-space characters with a letter or digit) is covered by
// exactly the words overlapping it, in order; word spans never overlap; samples are monotone,
// inside their chunk, and each word's audio is speech.
function assertWords(text: string, { chunks, words, pcm }: Utterance): void {
  assert.ok(words.length > 0, 'words are timed (the engine runs a graph with durations)');
  let offset = 0;
  for (const chunk of chunks) {
    assert.ok(areWordTimings(chunk.words), `chunk ${chunk.index}: the protocol's check accepts its words`);
    for (const w of chunk.words) {
      assert.ok(w.span.start >= chunk.span.start && w.span.end <= chunk.span.end, "a word lies in its chunk's text");
      assert.ok(w.startSample >= offset && w.endSample <= offset + chunk.pcm.length, "a word lies in its chunk's samples");
    }
    offset += chunk.pcm.length;
  }
  words.forEach((w, i) => {
    const before = words[i - 1];
    assert.ok(w.startSample < w.endSample, `"${text.slice(w.span.start, w.span.end)}" has duration`);
    assert.ok(w.endSample <= pcm.length, 'inside the audio');
    if (before) {
      assert.ok(before.span.end <= w.span.start, 'spans in order, none doubled');
      assert.ok(before.startSample < w.startSample && before.endSample <= w.startSample, 'starts monotone, no overlap');
    }
    assert.ok(/[\p{L}\p{N}$£€&#%@]/u.test(text.slice(w.span.start, w.span.end)), 'a word has something spoken in it');
    if (w.endSample - w.startSample >= CHECKED_SAMPLES) {
      assert.ok(peak(pcm, w.startSample, w.endSample) > SPEECH_PEAK, `"${text.slice(w.span.start, w.span.end)}" is speech`);
    }
  });
  const speech = words.filter((w) => peak(pcm, w.startSample, w.endSample) > SPEECH_PEAK).length;
  assert.ok(speech >= SPEECH_SHARE * words.length, `${speech} of ${words.length} words are speech`);
  for (const token of text.matchAll(/\S+/g)) {
    if (!/[\p{L}\p{N}]/u.test(token[0])) continue;
    const end = token.index + token[0].length;
    assert.ok(
      words.some((w) => w.span.start < end && w.span.end > token.index),
      `"${token[0]}" is covered by a word`,
    );
  }
}

test('a sentence: every word once, in order, where the speech is', async () => {
  const text = 'The old library closed its doors at six, and nobody knew where the keeper had gone.';
  const utterance = await speak(text);
  assertWords(text, utterance);
  const first = utterance.words[0] as WordTiming;
  assert.equal(text.slice(first.span.start, first.span.end), 'The');
  // The decoder starts sounding a phoneme a little before its first frame (joins.ts measured
  // 15–75 ms), so the first word starts just after the first audible sample, never long after.
  const audible = firstAudibleSample(utterance.pcm);
  assert.ok(
    first.startSample >= audible && first.startSample - audible < FIRST_WORD_LAG,
    `the first word starts ${((first.startSample - audible) / 24).toFixed(0)} ms after the first audible sample`,
  );
  const last = utterance.words.at(-1) as WordTiming;
  assert.equal(text.slice(last.span.start, last.span.end), 'gone');
});

test('a normalised token is one word spanning its original characters', async () => {
  // A URL short enough for one chunk (a longer one is cut across chunks: plan.ts; at 40 ids a run,
  // "see www.example.com now." is 63 ids and its URL is cut after "www.").
  // Speaks `text`; each of `tokens` must be one word on exactly its characters.
  const oneWordEach = async (text: string, tokens: readonly string[]) => {
    const utterance = await speak(text);
    assertWords(text, utterance);
    const spans = utterance.words.map((w) => text.slice(w.span.start, w.span.end));
    for (const token of tokens) assert.ok(spans.includes(token), `"${token}" is one word (${spans.join(' | ')})`);
    return { utterance, spans };
  };
  const { utterance, spans } = await oneWordEach('Dr. Smith paid $42.50 at 3:30 pm, see example.com now.', [
    'Dr.',
    '$42.50',
    '3:30 pm',
    'example.com',
  ]);
  // "$42.50" is read as five words: it lasts far longer than "paid".
  const money = utterance.words[spans.indexOf('$42.50')] as WordTiming;
  const paid = utterance.words[spans.indexOf('paid')] as WordTiming;
  assert.ok(money.endSample - money.startSample > 3 * (paid.endSample - paid.startSample));
  // A long first clause is cut after its first few words, never right after "Dr." (read alone,
  // "Dr." is "Drive", a word spanning "Dr" without its dot).
  await oneWordEach('On 3/14/2024, Dr. Jones wrote that the 2nd edition cost €19.99.', ['3/14/2024', 'Dr.', '2nd', '€19.99']);
});

test('a blend, speeds 0.5 and 2.0 and a multi-chunk text stay consistent with the audio', async () => {
  const text = 'Quietly, the river ran past the mill; the miller slept. Morning came, and the birds began to sing.';
  const normal = await speak(text);
  assertWords(text, normal);
  const cases: [SpeakOptions, number, number][] = [
    [{ voice: 'af_heart:0.6,am_adam:0.4', speed: 1 }, 0.75, 1.35],
    [{ voice: 'af_heart', speed: 0.5 }, 1.6, 2.5],
    [{ voice: 'af_heart', speed: 2 }, 0.35, 0.65],
  ];
  const wordSamples = (u: Utterance): number => (u.words.at(-1) as WordTiming).endSample - (u.words[0] as WordTiming).startSample;
  for (const [opts, low, high] of cases) {
    const u = await speak(text, opts);
    assertWords(text, u);
    assert.deepEqual(
      u.words.map((w) => w.span),
      normal.words.map((w) => w.span),
      `${opts.voice} ${opts.speed}: the same words`,
    );
    const ratio = wordSamples(u) / wordSamples(normal);
    assert.ok(ratio > low && ratio < high, `${opts.voice} at ${opts.speed}: words take ${ratio.toFixed(2)}× as long`);
    // The words end near the audio's end: only trailing silence and pauses after the last word.
    const tail = u.pcm.length - (u.words.at(-1) as WordTiming).endSample;
    assert.ok(tail >= 0 && tail < SAMPLE_RATE / opts.speed, `${tail} samples after the last word`);
  }
  const long = `${text} ${text.replace('Quietly', 'Slowly')} The end came at last, with a long and quiet evening.`;
  const many = await speak(long);
  assert.ok(many.chunks.length >= 3, `${many.chunks.length} chunks`);
  assertWords(long, many);
});

test('with wordTimings off (the benchmark A/B) the chunks carry no words, and the same ids and audio', async () => {
  const text = 'Dr. Smith paid $42.50 at 3:30 pm. Then we went home, slowly.';
  const on = await speak(text);
  const off = await createEngine({ assets: files, wordTimings: false });
  try {
    const chunks: Chunk[] = [];
    for await (const chunk of off.speak(text, HEART)) chunks.push(chunk);
    assert.ok(on.words.length > 0);
    assert.deepEqual(
      chunks.map((c) => c.words),
      chunks.map(() => []),
    );
    assert.deepEqual(
      chunks.map((c) => [...c.input.ids]),
      on.chunks.map((c) => [...c.input.ids]),
      'the plain text stages give the same ids',
    );
    assert.deepEqual(
      chunks.map((c) => c.pcm.length),
      on.chunks.map((c) => c.pcm.length),
    );
  } finally {
    await off.dispose();
  }
});

// Cue times ascend without overlap and lie inside the audio; WebVTT's word timestamps lie
// strictly inside their cue, ascending, as the format requires.
function assertCueTimes(captions: string, separator: '.' | ',', audioSeconds: number): void {
  const seconds = (stamp: string): number => {
    const [h, m, s] = stamp.replace(separator, '.').split(':').map(Number) as [number, number, number];
    return h * 3600 + m * 60 + s;
  };
  const time = `(\\d{2}:\\d{2}:\\d{2}\\${separator}\\d{3})`;
  const cues = [...captions.matchAll(new RegExp(`^${time} --> ${time}\\n(.*)$`, 'gm'))];
  assert.ok(cues.length >= 2, `two sentences, two cues: ${captions}`);
  let previousEnd = 0;
  for (const [, from = '', to = '', body = ''] of cues) {
    const [start, end] = [seconds(from), seconds(to)];
    assert.ok(
      previousEnd <= start && start < end && end <= audioSeconds + 0.001,
      `cue ${from} --> ${to} after ${previousEnd}, inside ${audioSeconds} s`,
    );
    let last = start;
    for (const [, stamp = ''] of body.matchAll(/<(\d{2}:\d{2}:\d{2}\.\d{3})>/g)) {
      assert.ok(seconds(stamp) > last && seconds(stamp) < end, `word stamp ${stamp} inside ${from} --> ${to}, after the one before`);
      last = seconds(stamp);
    }
    previousEnd = end;
  }
}

test("say --timings and --subtitles write the engine's words, in seconds of the WAV", async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-words-'));
  const previous = process.env[WORKER_ENV.engine];
  try {
    process.env[WORKER_ENV.engine] = JSON.stringify({ assets: files });
    // The emoji is two UTF-16 code units: offsets are JavaScript string indices, so "It" starts at 3.
    const text = '😀 It cost $42.50. Then we went home.';
    const out = (name: string): string => path.join(dir, name);
    const err: string[] = [];
    const io = { stdout: { write: () => true }, stderr: { write: (t: string) => err.push(t) }, stdin: process.stdin };
    const code = await main(['say', '--no-play', '--out', out('a.wav'), '--timings', out('a.json'), '--subtitles', out('a.vtt'), text], io);
    assert.equal(code, 0, err.join(''));
    const { words } = JSON.parse(readFileSync(out('a.json'), 'utf8')) as { words: TimedWord[] };
    const wavSeconds = (readFileSync(out('a.wav')).length - 44) / 2 / SAMPLE_RATE;
    assert.deepEqual(
      words.map((w) => w.text),
      ['It', 'cost', '$42.50', 'Then', 'we', 'went', 'home'],
    );
    assert.deepEqual([words[0]?.charStart, words[0]?.charEnd], [3, 5], 'UTF-16 offsets, not code points');
    words.forEach((w, i) => {
      assert.equal(text.slice(w.charStart, w.charEnd), w.text);
      assert.ok(w.start < w.end && w.end <= wavSeconds);
      if (i > 0) assert.ok(w.start >= (words[i - 1] as TimedWord).end);
    });
    const vtt = readFileSync(out('a.vtt'), 'utf8');
    assert.match(vtt, /^WEBVTT\n\n1\n00:00:00\.\d{3} --> 00:00:0\d\.\d{3}\nIt <00:00:00\.\d{3}>cost <00:00:0\d\.\d{3}>\$42\.50\.\n\n2\n/);
    assertCueTimes(vtt, '.', wavSeconds);
    const srtCode = await main(['say', '--no-play', '--out', out('b.wav'), '--subtitles', out('b.srt'), text], io);
    assert.equal(srtCode, 0);
    assertCueTimes(readFileSync(out('b.srt'), 'utf8'), ',', wavSeconds);
    assert.match(
      readFileSync(out('b.srt'), 'utf8'),
      /^1\n00:00:00,\d{3} --> 00:00:0\d,\d{3}\nIt cost \$42\.50\.\n\n2\n.*\nThen we went home\.\n$/,
    );
    assert.equal(await main(['say', '--no-play', '--out', out('c.wav'), '--subtitles', out('c.txt'), text], io), 2, 'not .vtt or .srt');
  } finally {
    if (previous === undefined) delete process.env[WORKER_ENV.engine];
    else process.env[WORKER_ENV.engine] = previous;
    rmSync(dir, { recursive: true, force: true });
  }
});
