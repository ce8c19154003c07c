// Runs in the tests: the whole engine on the real model, with short texts (each run here takes a
// second or several): plausible speech, contiguous spans, chunk sizes, determinism, blends,
// stopping, and every bad input answered with its error while the engine keeps serving.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { createEngine, type Chunk, type Engine, type SpeakOptions } from '../../../src-worker/engine/engine.ts';
import { AUDIBLE_LEVEL } from '../../../src-worker/protocol/audible.ts';
import { KokoroError } from '../../../src-worker/engine/errors.ts';
import { INNER_PAUSE_MS, TAIL_MS, boundaryAt, pauseMs } from '../../../src-worker/engine/joins.ts';
import { FIRST_CLAUSE_MAX_TOKENS, LONGEST_RUN_TOKENS, chunkBudget } from '../../../src-worker/engine/plan.ts';
import { MAX_TEXT_CHARS, SAMPLE_RATE, type TextSpan } from '../../../src-worker/protocol/messages.ts';
import { splitSentences } from '../../../src-worker/text/split.ts';
import { modelFiles } from '../model-fixture.ts';

const files = await modelFiles();
const engine = await createEngine({ assets: files });
after(() => engine.dispose());
/** Whether the model in use reports durations (the derived graph does; the original does not). */
const hasDurations = await (async () => {
  for await (const c of engine.speak('Hi there.', { voice: 'af_heart', speed: 1 })) return c.durations !== undefined;
  return false;
})();

const HEART: SpeakOptions = { voice: 'af_heart', speed: 1 };

async function speakAll(text: string, opts: SpeakOptions = HEART, on?: (chunk: Chunk) => void): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of engine.speak(text, opts)) {
    chunks.push(chunk);
    on?.(chunk);
  }
  return chunks;
}

function concat(chunks: Chunk[]): Float32Array {
  const out = new Float32Array(chunks.reduce((n, c) => n + c.pcm.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c.pcm, at);
    at += c.pcm.length;
  }
  return out;
}

function rms(pcm: Float32Array): number {
  let sum = 0;
  for (const x of pcm) sum += x * x;
  return Math.sqrt(sum / pcm.length);
}

function assertCovers(text: string, chunks: Chunk[]) {
  let at = 0;
  chunks.forEach((chunk, i) => {
    assert.equal(chunk.index, i, 'chunks in order');
    assert.equal(chunk.span.start, at, `chunk ${i} starts where chunk ${i - 1} ended`);
    at = chunk.span.end;
    assert.equal(chunk.last, i === chunks.length - 1);
  });
  assert.equal(at, text.length, 'the last chunk ends at the end of the text');
  assert.equal(chunks.map((c) => text.slice(c.span.start, c.span.end)).join(''), text);
}

async function assertKokoroError(promise: Promise<unknown>, code: string, pattern: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof KokoroError, String(error));
    assert.equal(error.code, code);
    assert.match(`${error.message} | ${error.action}`, pattern);
    return true;
  });
}

test('warms up, lists 54 voices', async () => {
  await engine.warmUp();
  assert.equal(engine.voices().length, 54);
});

const SENTENCE = 'Hello there, this is a short test.';

test('a short sentence gives speech of plausible length and loudness', async () => {
  let started: unknown;
  const chunks = await speakAll(SENTENCE, { ...HEART, onStart: (info) => (started = info) });
  assert.deepEqual(started, { provider: 'cpu', fallbackReason: undefined, sentences: [{ start: 0, end: SENTENCE.length }] });
  assert.ok(
    chunks.every((c) => c.sentences.length === 0),
    'the one sentence came with onStart, not again with a chunk',
  );
  assertCovers(SENTENCE, chunks);
  const pcm = concat(chunks);
  const seconds = pcm.length / SAMPLE_RATE;
  const words = SENTENCE.split(/\s+/).length;
  // Ordinary speech runs at 2–4 words a second; allow generous margins either side.
  assert.ok(seconds > words * 0.15 && seconds < words * 0.8, `${seconds.toFixed(2)} s for ${words} words`);
  const level = rms(pcm);
  assert.ok(level > 0.01 && level < 0.5, `RMS ${level}`);
  assert.ok(pcm.every((x) => Number.isFinite(x) && Math.abs(x) <= 1.5));
  const chunk = chunks[0];
  assert.ok(chunk && chunk.timings.tokens > 10 && chunk.timings.inferMs > 0 && chunk.timings.prepareMs > 0);
  assert.equal(chunk.input.ids.length, chunk.timings.tokens + 2, 'ids plus two pads');
});

test('identical input gives identical audio; a blend of one voice at weight 1 is that voice', async () => {
  const text = 'Good morning.';
  const a = concat(await speakAll(text));
  const b = concat(await speakAll(text));
  assert.deepEqual(a, b);
  const blend = concat(await speakAll(text, { voice: 'af_heart:1', speed: 1 }));
  assert.deepEqual(blend, a);
  const other = concat(await speakAll(text, { voice: 'bf_emma', speed: 1 }));
  assert.notDeepEqual(other, a);
});

const PARAGRAPH =
  'The lighthouse stood alone on the cliff. Every night the keeper climbed the stairs, ' +
  'lit the lamp, and watched the ships pass by. He never complained; the sea was good company.';

test('a paragraph streams in order: spans cover the text, the first chunk is shorter than those after the second', async () => {
  let sentences: TextSpan[] = [];
  const chunks = await speakAll(PARAGRAPH, { ...HEART, onStart: (info) => (sentences = [...info.sentences]) });
  assertCovers(PARAGRAPH, chunks);
  assert.ok(chunks.length >= 3, `${chunks.length} chunks`);
  for (const c of chunks) sentences.push(...c.sentences);
  assert.deepEqual(sentences, splitSentences(PARAGRAPH), 'onStart and the chunks give the sentences once each, in order');
  const [first, second, ...rest] = chunks.map((c) => c.timings.tokens);
  assert.ok(first !== undefined && first <= FIRST_CLAUSE_MAX_TOKENS);
  // The second keeps to its budget, so it is ready before the first has played out.
  assert.ok(second !== undefined && second <= chunkBudget(1), `${second} ids`);
  // Later chunks are longer than the first, unless one run (LONGEST_RUN_TOKENS) cannot hold the
  // chunk and the clause after it: at 40 ids, "lit the lamp," (14) stays alone before the 28 of
  // "and watched the ships pass by." (see [Note: Chunk sizes] in plan.ts).
  rest.slice(0, -1).forEach((tokens, i) => {
    const following = rest[i + 1] ?? 0;
    assert.ok(
      tokens > first || tokens + 1 + following > LONGEST_RUN_TOKENS,
      `${tokens} > ${first}, or ${tokens} + ${following} over one run`,
    );
  });
  for (const c of chunks) assert.ok(c.pcm.length > 0 && rms(c.pcm) > 0.01);
});

test('stop ends the stream: nothing after the chunk in hand, nothing at all when stopped mid-run', async () => {
  const controller = new AbortController();
  const seen: number[] = [];
  await speakAll(PARAGRAPH, { ...HEART, signal: controller.signal }, (chunk) => {
    seen.push(chunk.index);
    controller.abort();
  });
  assert.deepEqual(seen, [0]);

  // Stopped while the first run is in flight: the generator ends without a chunk.
  const midRun = new AbortController();
  const stream = engine.speak(PARAGRAPH, { ...HEART, signal: midRun.signal, onStart: () => setTimeout(() => midRun.abort(), 50) });
  const result = await stream.next();
  assert.equal(result.done, true);

  // Already stopped before it began: no chunk, no error.
  assert.deepEqual(await speakAll(SENTENCE, { ...HEART, signal: AbortSignal.abort() }), []);
});

test('a text of 100,000+ characters starts with a short first chunk; stopping drops the rest', async () => {
  const sentence = 'This sentence is one of very many in a long chapter, and it ends here. ';
  const text = sentence.repeat(Math.ceil(100_001 / sentence.length));
  assert.ok(text.length > 100_000);
  const controller = new AbortController();
  const chunks = await speakAll(text, { ...HEART, signal: controller.signal }, () => controller.abort());
  assert.equal(chunks.length, 1);
  const first = chunks[0];
  assert.ok(first && first.span.start === 0 && first.span.end < sentence.length && !first.last);
  assert.ok(first.timings.tokens <= FIRST_CLAUSE_MAX_TOKENS);
});

test('each bad input gets its error and the engine keeps serving', async () => {
  const cases: [string, SpeakOptions, string, RegExp][] = [
    ['', HEART, 'empty-text', /empty/],
    ['  \n\t ', HEART, 'empty-text', /empty/],
    ['x'.repeat(MAX_TEXT_CHARS + 1), HEART, 'text-too-long', /characters/],
    [SENTENCE, { voice: 'af_nobody', speed: 1 }, 'unknown-voice', /af_nobody.*af_heart/],
    [SENTENCE, { voice: 'af_heart:0.5,,af_bella', speed: 1 }, 'bad-blend', /malformed/],
    [SENTENCE, { voice: 'af_heart:zero', speed: 1 }, 'bad-blend', /zero/],
    [SENTENCE, { ...HEART, speed: 0.4 }, 'bad-speed', /0\.4.*0\.5 to 2/],
    [SENTENCE, { ...HEART, speed: 2.5 }, 'bad-speed', /2\.5/],
    [SENTENCE, { ...HEART, speed: Number.NaN }, 'bad-speed', /NaN/],
    ['... --- !!! ???', HEART, 'no-speakable-text', /nothing that can be spoken/],
  ];
  for (const [text, opts, code, pattern] of cases) await assertKokoroError(speakAll(text, opts), code, pattern);
  const chunks = await speakAll('Still here.');
  assert.ok(chunks.length === 1 && (chunks[0]?.pcm.length ?? 0) > 0);
});

test('a missing model is model-missing naming the file and the fix; voices still list', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kokoro-no-model-'));
  const broken: Engine = await createEngine({ assets: { ...files, model: path.join(dir, 'kokoro.onnx') } });
  assert.equal(broken.voices().length, 54);
  await assertKokoroError(
    (async () => {
      for await (const _ of broken.speak(SENTENCE, HEART)) void _;
    })(),
    'model-missing',
    /kokoro\.onnx.*kokoro-bar fetch/,
  );
  await broken.dispose();
});

// ---------------------------------------------------------------------------------------------
// Joins on the real model (see [Note: Trimming by durations] and [Note: Pauses at joins] in joins.ts)

/** Silent runs (every sample below AUDIBLE_LEVEL) of the concatenated chunks, in ms, with where they start. */
function silences(pcm: Float32Array): { startMs: number; ms: number }[] {
  const runs: { startMs: number; ms: number }[] = [];
  let from = -1;
  for (let i = 0; i <= pcm.length; i++) {
    const loud = i < pcm.length && Math.abs(pcm[i] as number) >= AUDIBLE_LEVEL;
    if (!loud && from < 0) from = i;
    if ((loud || i === pcm.length) && from >= 0) {
      runs.push({ startMs: (from * 1000) / SAMPLE_RATE, ms: ((i - from) * 1000) / SAMPLE_RATE });
      from = -1;
    }
  }
  return runs;
}

/** Sample offsets where one chunk ends and the next begins. */
function joins(chunks: Chunk[]): number[] {
  const at: number[] = [];
  let n = 0;
  for (const c of chunks.slice(0, -1)) at.push((n += c.pcm.length));
  return at;
}

/** The silent run containing sample `at`, ms (0 if `at` is audible). */
function silenceAt(pcm: Float32Array, at: number): number {
  let a = at;
  let b = at;
  while (a > 0 && Math.abs(pcm[a - 1] as number) < AUDIBLE_LEVEL) a--;
  while (b < pcm.length && Math.abs(pcm[b] as number) < AUDIBLE_LEVEL) b++;
  return ((b - a) * 1000) / SAMPLE_RATE;
}

/** One duration frame, ms (silences are shortened by whole frames). */
const FRAME_MS = 25;

/** Slack for what the model renders below the audible level at a phoneme's edge, ms. */
const JOIN_TOLERANCE_MS = 30;

const ONE_SENTENCE = 'The quick brown fox jumps over the lazy dog beside the quiet river bank.';

test('one sentence in several chunks: no leading silence over 100 ms, no silence inside longer than the pause rule allows', async () => {
  const chunks = await speakAll(ONE_SENTENCE);
  assert.ok(chunks.length >= 2, `cut into ${chunks.length} chunks`);
  const pcm = concat(chunks);
  const [lead, ...rest] = silences(pcm);
  assert.ok(lead && lead.startMs === 0 && lead.ms <= 100, `leading silence ${lead?.ms} ms`);
  // Inside a comma-free sentence no silence is longer than INNER_PAUSE_MS (the model's own
  // phrase pauses are shortened to it); a join inside a clause adds no pause (≤ 30 ms) —
  // before trimming it was a 720 ms gap.
  for (const s of rest.slice(0, -1)) {
    assert.ok(s.ms <= INNER_PAUSE_MS + FRAME_MS, `${s.ms.toFixed(0)} ms of silence at ${s.startMs.toFixed(0)} ms`);
  }
  for (const at of joins(chunks)) assert.ok(silenceAt(pcm, at) <= 30 + JOIN_TOLERANCE_MS, `join at ${at}: ${silenceAt(pcm, at)} ms`);
  const tail = rest[rest.length - 1];
  assert.ok(tail && tail.ms <= TAIL_MS + JOIN_TOLERANCE_MS, `trailing silence ${tail?.ms} ms`);
});

test('a paragraph: pauses at joins follow the boundary; no click at any join', async () => {
  const text =
    'The lighthouse stood alone on the cliff, far from the town. Every night the keeper climbed the stairs.\n\nHe never complained.';
  const chunks = await speakAll(text);
  const pcm = concat(chunks);
  let end = 0;
  chunks.forEach((c, i) => {
    end += c.pcm.length;
    if (c.last) return;
    const kind = boundaryAt(text, c.span.end);
    const heard = silenceAt(pcm, end - 1);
    const want = pauseMs(kind, 1);
    assert.ok(Math.abs(heard - want) <= JOIN_TOLERANCE_MS + (kind === 'word' ? 30 : 0), `join ${i} (${kind}): ${heard} ms, want ${want}`);
  });
  // The sample step across each join is no larger than silence allows: the cuts are faded to 0.
  for (const at of joins(chunks)) {
    for (let i = Math.max(1, at - 48); i < Math.min(pcm.length, at + 48); i++) {
      const step = Math.abs((pcm[i] as number) - (pcm[i - 1] as number));
      assert.ok(step < AUDIBLE_LEVEL, `step ${step} at ${i} (join at ${at})`);
    }
  }
  // Slower speech, longer pauses; a pause scale of 2 doubles them.
  const slow = await speakAll(text, { ...HEART, pauseScale: 2 });
  const first = slow[0];
  assert.ok(first && !first.last);
  const kind = boundaryAt(text, first.span.end);
  assert.ok(Math.abs(silenceAt(concat(slow), first.pcm.length - 1) - pauseMs(kind, 1, 2)) <= JOIN_TOLERANCE_MS + 30);
  await assertKokoroError(speakAll(text, { ...HEART, pauseScale: 10 }), 'bad-request', /pause scale 10/);
});

test(
  'durations: every chunk carries them; their sum × 600 is the untrimmed audio; ids are the padded input',
  { skip: hasDurations ? false : 'the engine runs a graph without a durations output' },
  async () => {
    const chunks = await speakAll(PARAGRAPH);
    for (const c of chunks) {
      const d = c.durations;
      assert.ok(d, `chunk ${c.index} has durations`);
      assert.deepEqual(d.ids, Array.from(c.input.ids, Number));
      assert.equal(d.frames.length, d.ids.length);
      // Frames removed with over-long inner silences left the durations with them.
      assert.equal(d.frames.reduce((a, b) => a + b, 0) * d.samplesPerFrame + c.shortenedSamples, c.renderedSamples);
      // In the chunk's own clock: the first phoneme starts at the end of the leading pad, inside the chunk.
      const firstPhoneme = d.startSample + (d.frames[0] as number) * d.samplesPerFrame;
      assert.ok(firstPhoneme >= 0 && firstPhoneme < c.pcm.length, `${firstPhoneme}`);
      assert.ok(d.startSample <= 0);
    }
  },
);

test('Stop frees the engine: after Stop mid-run on a 200 KB text, the next sentence waits at most one bounded run more than idle', async () => {
  const short = 'The quick brown fox jumps over the lazy dog.';
  const firstChunkMs = async (): Promise<number> => {
    const started = performance.now();
    for await (const _ of engine.speak(short, HEART)) return performance.now() - started;
    throw new Error('no chunk');
  };
  const idle = Math.min(await firstChunkMs(), await firstChunkMs());
  const sentence = 'This sentence is one of very many in a long chapter, and it ends here. ';
  const text = sentence.repeat(Math.ceil(200_000 / sentence.length));
  const controller = new AbortController();
  const runs: number[] = [];
  let stoppedAt = 0;
  // Stop while the run after chunk 3 (a full-size chunk) is in flight, as the host does when
  // the user presses Stop during playback.
  for await (const chunk of engine.speak(text, { ...HEART, signal: controller.signal })) {
    runs.push(chunk.timings.inferMs);
    assert.ok(chunk.timings.tokens <= LONGEST_RUN_TOKENS);
    if (chunk.index === 3) {
      setTimeout(() => {
        stoppedAt = performance.now();
        controller.abort();
      }, 100);
    }
  }
  assert.ok(stoppedAt > 0 && runs.length === 4, `${runs.length} chunks before the stop`);
  const waited = await firstChunkMs();
  // The in-flight run is the only wait (no queued run of the stopped text, no re-planning of
  // it): at most the longest run seen (a LONGEST_RUN_TOKENS chunk) on top of the idle time.
  const longest = Math.max(...runs);
  assert.ok(
    waited <= idle + longest * 1.25 + 500,
    `${waited.toFixed(0)} ms after Stop, idle ${idle.toFixed(0)} ms, longest run ${longest.toFixed(0)} ms`,
  );
});
